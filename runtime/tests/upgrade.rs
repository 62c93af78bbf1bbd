//! Runtime upgrades: a chain left by the previous release (spec 100, `Equities` and `Options`
//! at storage version 0) runs this runtime's migrations in the first block of the new code, and every key
//! of its state but the ones the migration names is the same afterwards: balances, margin
//! accounts, positions and pool ledgers included. The network test (zombienet/e2e/upgrade.mjs)
//! does the same with the release's own wasm, enacted through the committee.

mod common;
use common::*;

use codec::Encode;
use frame_support::{
    storage::StoragePrefixedMap,
    traits::{GetStorageVersion, StorageVersion},
};
use perpetua_primitives::{CryptoIndex, OracleKey, Price};
use perpetua_runtime::{Equities, Options, Runtime, RuntimeCall, System, VERSION};
use sp_keyring::Sr25519Keyring::{self, Alice, Bob, Dave, Ferdie};
use sp_runtime::{traits::Saturating, FixedPointNumber, FixedU128};
use std::collections::BTreeMap;

const TSLA: u32 = 1;
const SHARE: u128 = 1_000_000_000_000;
/// Monday 2026-11-30 09:30 New York: Nasdaq opens.
const OPEN: u64 = GENESIS_TIME_MS + 30 * 60_000;
/// The BTC 100,000 call of the dev preset.
const BTC_CALL_100K: u32 = 2;

/// The spec version of the release this runtime upgrades (chain-spec/release/).
const RELEASE_SPEC_VERSION: u32 = 100;

#[frame_support::storage_alias]
type StockCount = StorageValue<Equities, u32>;
#[frame_support::storage_alias]
type CounterForStocks = StorageValue<Equities, u32>;
/// The release's store of series, one value each (v1 groups them into books).
type SeriesBookV0 = pallet_options::migrations::v1::SeriesBook<Runtime>;
/// The release's margin accounts and position maps (v2 moves the positions into the accounts).
use pallet_options::migrations::v2 as options_v1;

fn feed(btc: u32, tsla: u32) -> RuntimeCall {
    feed_values(vec![
        (OracleKey::Crypto(CryptoIndex::Btc), Price::from_u32(btc)),
        (
            OracleKey::ImpliedVol(CryptoIndex::Btc),
            Price::from_rational(60, 100),
        ),
        (OracleKey::Asset(TSLA), Price::from_u32(tsla)),
    ])
}

/// `who` trades `size` BTC 100k calls within 1% of the quote.
fn trade_at_quote(who: Sr25519Keyring, size: i128, t: u64) {
    let q = Options::quote(&acc(who), BTC_CALL_100K, size).unwrap();
    assert_eq!(q.error, None);
    let slack = if size > 0 { 101 } else { 99 };
    let limit_price = q
        .price
        .saturating_mul(FixedU128::saturating_from_rational(slack, 100));
    let trade = RuntimeCall::Options(pallet_options::Call::trade {
        series: BTC_CALL_100K,
        size,
        limit_price,
        deadline: t + 60_000,
    });
    apply_signed(who, trade).unwrap().unwrap();
}

/// A dev chain with what an upgrade must keep: an LP's pool deposit, Dave's margin and long
/// calls, Ferdie's short calls, transfers; then its `Equities` storage put back to the
/// release's layout (version 0, the count in `StockCount`) and its last upgrade to the
/// release's spec version. Returns the block number reached.
fn release_chain() -> u32 {
    run_to_block(1);
    let mut n = 2;
    let mut t = OPEN;
    start_block_at(n, t);
    apply_signed(Alice, feed(100_000, 400)).unwrap().unwrap();
    apply_signed(Bob, feed(100_000, 400)).unwrap().unwrap();
    finish_block();
    for (who, size) in [(Dave, 10), (Ferdie, -4)] {
        n += 1;
        t += 3_000;
        start_block_at(n, t);
        let deposit = RuntimeCall::Options(pallet_options::Call::deposit {
            settlement: TSLA,
            amount: 100 * SHARE,
        });
        apply_signed(who, deposit).unwrap().unwrap();
        trade_at_quote(who, size, t);
        let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
            dest: acc(Bob).into(),
            value: perpetua_runtime::UNIT,
        });
        apply_signed(who, transfer).unwrap().unwrap();
        finish_block();
        check_invariants();
    }
    assert!(pallet_options::Positions::<Runtime>::iter().count() >= 2);

    // The release's layout of the two pallets whose layout changed: Options with one value
    // per series and no settlements (v1 groups the series into books and lists them).
    let series: Vec<_> = pallet_options::SeriesBook::<Runtime>::iter().collect();
    for (id, s) in &series {
        SeriesBookV0::insert(id, s);
    }
    let _ = pallet_options::Books::<Runtime>::clear(u32::MAX, None);
    let _ = pallet_options::SeriesSlot::<Runtime>::clear(u32::MAX, None);
    pallet_options::Settlements::<Runtime>::kill();
    // ... and each margin account's positions in maps of their own (v2 moves them in).
    let accounts: Vec<_> = pallet_options::Accounts::<Runtime>::iter()
        .map(|(settlement, who, account)| {
            let open = pallet_options::OpenAccounts::<Runtime>::contains_key(settlement, &who);
            (settlement, who, account, open)
        })
        .collect();
    for (settlement, who, account, open) in accounts {
        options_v1::Accounts::<Runtime>::insert(
            settlement,
            &who,
            options_v1::OldMarginAccount {
                collateral: account.collateral,
                epoch: account.epoch,
            },
        );
        for (id, position) in account.positions.iter() {
            options_v1::Positions::<Runtime>::insert(&who, id, position);
        }
        let ids: Vec<u32> = account.series().collect();
        if !ids.is_empty() {
            options_v1::AccountSeries::<Runtime>::insert(
                &who,
                settlement,
                frame_support::BoundedVec::truncate_from(ids),
            );
        }
        if open {
            options_v1::OpenAccounts::<Runtime>::insert(settlement, &who, ());
        }
    }
    StorageVersion::new(0).put::<Options>();
    let listings = pallet_equities::Stocks::<Runtime>::iter_keys().count() as u32;
    assert!(listings > 1);
    CounterForStocks::kill();
    StockCount::put(listings);
    StorageVersion::new(0).put::<Equities>();
    frame_system::LastRuntimeUpgrade::<Runtime>::mutate(|last| {
        let last = last
            .as_mut()
            .expect("genesis records the runtime's version");
        last.spec_version = codec::Compact(RELEASE_SPEC_VERSION);
    });
    n
}

/// Every key and value of the state.
fn state() -> BTreeMap<Vec<u8>, Vec<u8>> {
    let mut all = BTreeMap::new();
    let mut key = Vec::new();
    while let Some(next) = sp_io::storage::next_key(&key) {
        let value = sp_io::storage::get(&next).expect("a listed key has a value");
        all.insert(next.clone(), value.to_vec());
        key = next;
    }
    all
}

fn version_key() -> Vec<u8> {
    StorageVersion::storage_key::<Equities>().to_vec()
}

/// The keys Options' v1 and v2 write (its version, its settlements, each book, each series'
/// slot, each margin account) and remove (each series' v0 value, the release's position maps),
/// on the state `before` them and `after`.
fn options_keys(
    before: &BTreeMap<Vec<u8>, Vec<u8>>,
    after: &BTreeMap<Vec<u8>, Vec<u8>>,
) -> Vec<Vec<u8>> {
    let prefixes = [
        pallet_options::Books::<Runtime>::final_prefix().to_vec(),
        pallet_options::SeriesSlot::<Runtime>::final_prefix().to_vec(),
        SeriesBookV0::final_prefix().to_vec(),
        pallet_options::Accounts::<Runtime>::final_prefix().to_vec(),
        options_v1::Positions::<Runtime>::final_prefix().to_vec(),
        options_v1::AccountSeries::<Runtime>::final_prefix().to_vec(),
        options_v1::OpenAccounts::<Runtime>::final_prefix().to_vec(),
    ];
    let mut keys = vec![
        StorageVersion::storage_key::<Options>().to_vec(),
        pallet_options::Settlements::<Runtime>::hashed_key().to_vec(),
    ];
    keys.extend(
        before
            .keys()
            .chain(after.keys())
            .filter(|k| prefixes.iter().any(|p| k.starts_with(p)))
            .cloned(),
    );
    keys
}

#[test]
fn this_runtime_is_the_release_plus_one() {
    assert_eq!(VERSION.spec_version, RELEASE_SPEC_VERSION + 1);
}

#[test]
fn the_migration_changes_only_its_own_keys_and_keeps_every_balance_and_position() {
    dev_ext().execute_with(|| {
        release_chain();
        let listings = StockCount::get().unwrap();
        let before = state();

        let weight = perpetua_runtime::Executive::execute_on_runtime_upgrade();
        let after = state();

        // The three keys the migration names, and nothing else.
        let mut changed: Vec<Vec<u8>> = before
            .keys()
            .chain(after.keys())
            .filter(|k| before.get(*k) != after.get(*k))
            .cloned()
            .collect();
        changed.sort();
        changed.dedup();
        let mut expected = vec![
            StockCount::hashed_key().to_vec(),
            CounterForStocks::hashed_key().to_vec(),
            version_key(),
        ];
        expected.extend(options_keys(&before, &after));
        expected.sort();
        expected.dedup();
        assert_eq!(changed, expected);
        assert_eq!(after.get(StockCount::hashed_key().as_slice()), None);
        assert_eq!(
            after.get(CounterForStocks::hashed_key().as_slice()),
            Some(&listings.encode())
        );
        assert_eq!(Equities::on_chain_storage_version(), 1);
        assert_eq!(pallet_equities::Stocks::<Runtime>::count(), listings);
        assert_eq!(Options::on_chain_storage_version(), 2);
        // Every position in its margin account, nothing left in the release's maps.
        assert!(options_v1::Positions::<Runtime>::iter().next().is_none());
        assert!(options_v1::AccountSeries::<Runtime>::iter()
            .next()
            .is_none());
        assert!(options_v1::OpenAccounts::<Runtime>::iter().next().is_none());
        // Twelve books of twelve series, every series where it was.
        assert_eq!(pallet_options::Settlements::<Runtime>::get().len(), 12);
        assert_eq!(pallet_options::Books::<Runtime>::iter().count(), 12);
        assert_eq!(pallet_options::SeriesBook::<Runtime>::iter().count(), 144);
        assert!(SeriesBookV0::iter().next().is_none());
        // Charged: the listings read, the counter and the old count written.
        assert!(weight.ref_time() > 0);
        check_invariants();
    });
}

#[test]
fn the_first_block_of_the_new_code_migrates_and_the_chain_goes_on() {
    dev_ext().execute_with(|| {
        let n = release_chain();
        let listings = StockCount::get().unwrap();
        let mut positions: Vec<_> = options_v1::Positions::<Runtime>::iter().collect();
        positions.sort_by_key(|(who, id, _)| (who.clone(), *id));
        let margin: Vec<_> = options_v1::Accounts::<Runtime>::iter()
            .map(|(s, who, a)| (s, who, a.collateral, a.epoch))
            .collect();
        let pools: Vec<_> = pallet_pool::Pools::<Runtime>::iter().collect();

        // The block after the code changed: `initialize_block` sees a new spec version.
        start_block_at(n + 1, OPEN + 30_000);
        assert_eq!(Equities::on_chain_storage_version(), 1);
        assert_eq!(pallet_equities::Stocks::<Runtime>::count(), listings);
        assert!(StockCount::get().is_none());
        let last = frame_system::LastRuntimeUpgrade::<Runtime>::get().unwrap();
        assert_eq!(last.spec_version.0, VERSION.spec_version);
        finish_block();
        check_invariants();
        // Funding accrues lazily: the records an upgrade must not touch are those of the last
        // block of the release.
        let mut moved: Vec<_> = pallet_options::Positions::<Runtime>::iter().collect();
        moved.sort_by_key(|(who, id, _)| (who.clone(), *id));
        assert_eq!(moved, positions);
        assert_eq!(
            pallet_options::Accounts::<Runtime>::iter()
                .map(|(s, who, a)| (s, who, a.collateral, a.epoch))
                .collect::<Vec<_>>(),
            margin
        );
        assert_eq!(
            pallet_pool::Pools::<Runtime>::iter().collect::<Vec<_>>(),
            pools
        );

        // The next block runs no migration again, and trading goes on.
        start_block_at(n + 2, OPEN + 33_000);
        assert_eq!(System::block_number(), n + 2);
        apply_signed(Alice, feed(100_000, 400)).unwrap().unwrap();
        apply_signed(Bob, feed(100_000, 400)).unwrap().unwrap();
        trade_at_quote(Dave, -10, OPEN + 33_000);
        finish_block();
        check_invariants();
    });
}

/// The migrations' own `pre_upgrade` / `post_upgrade` checks and every pallet's `try_state`
/// after them, as try-runtime runs them (`cargo test --features try-runtime`).
#[cfg(feature = "try-runtime")]
#[test]
fn try_runtime_upgrade_checks_pass() {
    dev_ext().execute_with(|| {
        release_chain();
        perpetua_runtime::Executive::try_runtime_upgrade(
            frame_support::traits::UpgradeCheckSelect::All,
        )
        .expect("pre_upgrade, the migration, post_upgrade and try_state all pass");
        assert_eq!(Equities::on_chain_storage_version(), 1);
    });
}
