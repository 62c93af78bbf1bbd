//! The TSLA pool in the real runtime: seeded at genesis, LP flows queued while Nasdaq is
//! closed and executed by the block hook once the market is open and a fresh price is in.

mod common;
use common::*;

use perpetua_primitives::{OracleKey, Price, Tranche};
use perpetua_runtime::{
    Assets, Equities, MarketCalendar, Pool, Prices, Runtime, RuntimeCall, RuntimeEvent,
};
use sp_keyring::Sr25519Keyring::{Alice, Dave};

const TSLA: u32 = 1;
const SHARE: u128 = 1_000_000_000_000;

fn check_invariants() {
    MarketCalendar::do_try_state().unwrap();
    Equities::do_try_state().unwrap();
    Prices::do_try_state().unwrap();
    Pool::do_try_state().unwrap();
}

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
        apply_signed(Alice, feed).unwrap().unwrap();
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
