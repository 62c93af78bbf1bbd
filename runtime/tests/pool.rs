//! The TSLA pool in the real runtime: seeded at genesis, LP flows queued while Nasdaq is
//! closed and executed by the block hook once the market is open and a fresh price is in.

mod common;
use common::*;

use perpetua_primitives::{OracleKey, Price, Tranche};
use perpetua_runtime::{Assets, Pool, Runtime, RuntimeCall, RuntimeEvent};
use sp_keyring::Sr25519Keyring::{Alice, Bob, Dave};

const TSLA: u32 = 1;
const SHARE: u128 = 1_000_000_000_000;

fn deposit(amount: u128) -> RuntimeCall {
    RuntimeCall::Pool(pallet_pool::Call::deposit {
        asset: TSLA,
        tranche: Tranche::Main,
        amount,
        min_shares: 0,
    })
}

#[test]
fn genesis_seeds_the_tsla_pool() {
    dev_ext().execute_with(|| {
        let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
        assert_eq!((info.main, info.insurance), (600 * SHARE, 100 * SHARE));
        let meta = pallet_assets::Metadata::<Runtime>::get(info.main_share);
        assert_eq!(meta.symbol.to_vec(), b"pTSLA".to_vec());
        assert_eq!(Assets::balance(info.main_share, acc(Alice)), 400 * SHARE);
        assert_eq!(
            Assets::balance(
                info.insurance_share,
                acc(sp_keyring::Sr25519Keyring::Charlie)
            ),
            100 * SHARE
        );
        check_invariants();
    });
}

#[test]
fn lp_flows_wait_for_the_open_and_a_fresh_price() {
    dev_ext().execute_with(|| {
        // Monday 09:00 New York: Nasdaq opens at 09:30.
        run_to_block(1);
        start_block(2);
        let dave_before = Assets::balance(TSLA, acc(Dave));
        apply_signed(Dave, deposit(50 * SHARE)).unwrap().unwrap();
        assert!(events()
            .iter()
            .any(|e| matches!(e, RuntimeEvent::Pool(pallet_pool::Event::Queued { .. }))));
        assert_eq!(Assets::balance(TSLA, acc(Dave)), dave_before - 50 * SHARE);
        let state = Pool::state(TSLA).unwrap();
        assert!(!state.flows_open);
        assert_eq!(state.queued_deposits, 50 * SHARE);
        finish_block();
        check_invariants();

        // 09:30: open, but no fresh TSLA price yet: still queued.
        let open = GENESIS_TIME_MS + 30 * 60_000;
        start_block_at(3, open);
        assert_eq!(pallet_pool::Queue::<Runtime>::get(TSLA).len(), 1);
        // An operator publishes a fresh price in this block...
        let feed = RuntimeCall::Prices(pallet_prices::Call::feed {
            values: vec![(OracleKey::Asset(TSLA), Price::from_u32(410))]
                .try_into()
                .unwrap(),
        });
        apply_signed(Alice, feed.clone()).unwrap().unwrap();
        apply_signed(Bob, feed).unwrap().unwrap();
        finish_block();
        check_invariants();

        // ...and the next block's hook executes the deposit at the open's NAV (one share per
        // TSLA: the book is empty).
        start_block_at(4, open + 3000);
        let info = pallet_pool::Pools::<Runtime>::get(TSLA).unwrap();
        assert_eq!(Assets::balance(info.main_share, acc(Dave)), 50 * SHARE);
        assert_eq!(info.main, 650 * SHARE);
        assert!(pallet_pool::Queue::<Runtime>::get(TSLA).is_empty());
        finish_block();
        check_invariants();

        // While the price is fresh and the market open, a flow executes at the start of the
        // second block after it (`FlowDelay`: the liquidations of the block in which a price
        // lands come first), before any trade of that block.
        start_block_at(5, open + 6000);
        apply_signed(Dave, deposit(10 * SHARE)).unwrap().unwrap();
        assert_eq!(Assets::balance(info.main_share, acc(Dave)), 50 * SHARE);
        finish_block();
        check_invariants();
        start_block_at(6, open + 9000);
        assert_eq!(Assets::balance(info.main_share, acc(Dave)), 50 * SHARE);
        finish_block();
        check_invariants();
        start_block_at(7, open + 12000);
        assert_eq!(Assets::balance(info.main_share, acc(Dave)), 60 * SHARE);
        finish_block();
        check_invariants();
    });
}

fn pool_error(e: pallet_pool::Error<Runtime>) -> Result<(), sp_runtime::DispatchError> {
    Err(e.into())
}

/// Issue 12, item 6, in the real runtime: one account cannot fill a pool's queue for the
/// weekend. Dust is refused (`min_flow`), a fifth request is refused (`MaxRequestsPerAccount`),
/// others still get in, and everything escrowed comes back on cancel.
#[test]
fn a_queue_flood_from_one_account_is_refused() {
    dev_ext().execute_with(|| {
        // Monday 09:00: Nasdaq is still closed, so flows queue.
        run_to_block(1);
        start_block(2);
        let before = Assets::balance(TSLA, acc(Dave));
        assert_eq!(
            apply_signed(Dave, deposit(1)).unwrap(),
            pool_error(pallet_pool::Error::BelowMinimumFlow)
        );
        for _ in 0..4 {
            apply_signed(Dave, deposit(SHARE)).unwrap().unwrap();
        }
        assert_eq!(
            apply_signed(Dave, deposit(SHARE)).unwrap(),
            pool_error(pallet_pool::Error::TooManyRequests)
        );
        apply_signed(Alice, deposit(SHARE)).unwrap().unwrap();
        assert_eq!(pallet_pool::Queue::<Runtime>::get(TSLA).len(), 5);
        assert_eq!(Assets::balance(TSLA, acc(Dave)), before - 4 * SHARE);
        for r in pallet_pool::Queue::<Runtime>::get(TSLA)
            .iter()
            .filter(|r| r.who == acc(Dave))
        {
            let cancel = RuntimeCall::Pool(pallet_pool::Call::cancel_request {
                asset: TSLA,
                request: r.id,
            });
            apply_signed(Dave, cancel).unwrap().unwrap();
        }
        assert_eq!(Assets::balance(TSLA, acc(Dave)), before);
        assert_eq!(
            pallet_pool::PendingRequests::<Runtime>::get(TSLA, acc(Dave)),
            0
        );
        finish_block();
        check_invariants();
    });
}
