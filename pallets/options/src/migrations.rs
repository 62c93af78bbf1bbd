//! Storage migrations, one module per storage version (docs/UPGRADES.md).
//!
//! A migration is an `UncheckedOnRuntimeUpgrade` wrapped in `VersionedMigration`, so that it
//! runs once, only on a chain at the version it starts from, and bumps the version in the same
//! block. Its `pre_upgrade` / `post_upgrade` checks run under `try-runtime`, and the pallet's
//! `try_state` after them.

use crate::*;
use frame_support::{
    migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};

/// v0 -> v1: the series move from one storage value each (`SeriesBook`, removed) into one
/// value per settlement's book (`Books`, in `SettlementSeries` order, with `SeriesSlot`), so
/// that the block hook reads and writes a book once instead of each series; `Settlements`
/// (new) lists the markets' settlement assets, so that walking them is one read.
pub mod v1 {
    use super::*;

    /// The v0 store of series, one value each, removed by this migration.
    #[frame_support::storage_alias]
    pub type SeriesBook<T: Config> = StorageMap<Pallet<T>, Twox64Concat, SeriesId, Series>;

    /// The unversioned step; use [`MigrateV0ToV1`].
    pub struct GroupBooks<T>(core::marker::PhantomData<T>);

    impl<T: Config> UncheckedOnRuntimeUpgrade for GroupBooks<T> {
        fn on_runtime_upgrade() -> Weight {
            // Bounded: at most `MaxMarkets` markets, fewer settlements, and at most
            // `MaxSeriesPerSettlement` series in each.
            let markets = NextMarketId::<T>::get();
            let mut settlements: alloc::vec::Vec<AssetId> = alloc::vec::Vec::new();
            for id in 0..markets {
                if let Some(market) = Markets::<T>::get(id) {
                    if !settlements.contains(&market.settlement) {
                        settlements.push(market.settlement);
                    }
                }
            }
            let (mut reads, mut writes) = (u64::from(markets).saturating_add(1), 1u64);
            for settlement in &settlements {
                let mut book = BoundedVec::<(SeriesId, Series), T::MaxSeriesPerSettlement>::new();
                for id in SettlementSeries::<T>::get(settlement) {
                    reads = reads.saturating_add(1);
                    let Some(series) = SeriesBook::<T>::take(id) else {
                        continue;
                    };
                    let slot = book.len() as u32;
                    // Fits: `SettlementSeries` has the same bound.
                    if book.try_push((id, series)).is_ok() {
                        SeriesSlot::<T>::insert(id, (*settlement, slot));
                    }
                    writes = writes.saturating_add(2);
                }
                Books::<T>::insert(settlement, book);
                reads = reads.saturating_add(1);
                writes = writes.saturating_add(1);
            }
            Settlements::<T>::put(BoundedVec::truncate_from(settlements));
            T::DbWeight::get().reads_writes(reads, writes)
        }

        #[cfg(feature = "try-runtime")]
        fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
            ensure!(
                Settlements::<T>::get().is_empty(),
                "v0: settlements present"
            );
            let series: alloc::vec::Vec<(SeriesId, Series)> = SeriesBook::<T>::iter().collect();
            Ok(series.encode())
        }

        #[cfg(feature = "try-runtime")]
        fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
            let before = alloc::vec::Vec::<(SeriesId, Series)>::decode(&mut &state[..])
                .map_err(|_| sp_runtime::TryRuntimeError::Other("v1: undecodable pre-state"))?;
            ensure!(
                SeriesBook::<T>::iter().next().is_none(),
                "v1: SeriesBook left behind"
            );
            for (id, series) in before {
                ensure!(
                    crate::SeriesBook::<T>::get(id) == Some(series),
                    "v1: a series changed in the move"
                );
            }
            let settlements = Settlements::<T>::get();
            for id in 0..NextMarketId::<T>::get() {
                let market = Markets::<T>::get(id).ok_or("v1: a market id without a market")?;
                ensure!(
                    settlements.contains(&market.settlement),
                    "v1: a market's settlement is not listed"
                );
            }
            Ok(())
        }
    }

    /// Runs [`GroupBooks`] on a chain at storage version 0 and sets version 1.
    pub type MigrateV0ToV1<T> =
        VersionedMigration<0, 1, GroupBooks<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;
}

/// v1 -> v2: a margin account holds its positions (`Accounts`' value gains `positions`), so
/// a trade reads and writes its trader once: `Positions` (one value per trader and series),
/// `AccountSeries` (the series list) and `OpenAccounts` (an index, now derived from the
/// accounts) are removed.
pub mod v2 {
    use super::*;

    /// A v1 margin account: collateral and epoch only.
    #[derive(Encode, Decode, Clone, PartialEq, Eq, Debug)]
    pub struct OldMarginAccount {
        /// Settlement-asset collateral, base units.
        pub collateral: Balance,
        /// Corporate-action epoch.
        pub epoch: u32,
    }

    /// The v1 margin accounts, without positions.
    #[frame_support::storage_alias]
    pub type Accounts<T: Config> = StorageDoubleMap<
        Pallet<T>,
        Twox64Concat,
        AssetId,
        Blake2_128Concat,
        <T as frame_system::Config>::AccountId,
        OldMarginAccount,
    >;

    /// The v1 positions, one value per (trader, series); removed.
    #[frame_support::storage_alias]
    pub type Positions<T: Config> = StorageDoubleMap<
        Pallet<T>,
        Blake2_128Concat,
        <T as frame_system::Config>::AccountId,
        Twox64Concat,
        SeriesId,
        Position,
    >;

    /// The v1 series lists, per (trader, settlement); removed.
    #[frame_support::storage_alias]
    pub type AccountSeries<T: Config> = StorageDoubleMap<
        Pallet<T>,
        Blake2_128Concat,
        <T as frame_system::Config>::AccountId,
        Twox64Concat,
        AssetId,
        BoundedVec<SeriesId, <T as Config>::MaxPositions>,
        ValueQuery,
    >;

    /// The v1 open-account index, per (settlement, trader); removed.
    #[frame_support::storage_alias]
    pub type OpenAccounts<T: Config> = StorageDoubleMap<
        Pallet<T>,
        Twox64Concat,
        AssetId,
        Blake2_128Concat,
        <T as frame_system::Config>::AccountId,
        (),
    >;

    /// What the checks compare: every account's collateral and epoch, every position.
    #[cfg(feature = "try-runtime")]
    type Snapshot<A> = (
        alloc::vec::Vec<(AssetId, A, Balance, u32)>,
        alloc::vec::Vec<(A, SeriesId, Position)>,
    );

    /// The unversioned step; use [`MigrateV1ToV2`].
    pub struct AccountsHoldPositions<T>(core::marker::PhantomData<T>);

    impl<T: Config> UncheckedOnRuntimeUpgrade for AccountsHoldPositions<T> {
        fn on_runtime_upgrade() -> Weight {
            // One pass over the margin accounts (every position has one: the ledger gives a
            // trader an account before its first position), then the old maps are cleared.
            // Linear in the accounts and positions: a young chain's few thousand fit in a
            // block; a chain with far more would run it as a multi-block migration.
            let (mut reads, mut writes) = (0u64, 0u64);
            crate::Accounts::<T>::translate::<OldMarginAccount, _>(|settlement, who, old| {
                reads = reads.saturating_add(2);
                writes = writes.saturating_add(2);
                let mut positions = BoundedVec::new();
                for id in AccountSeries::<T>::take(&who, settlement) {
                    reads = reads.saturating_add(1);
                    writes = writes.saturating_add(1);
                    if let Some(p) = Positions::<T>::take(&who, id) {
                        // Fits: `AccountSeries` has the same bound.
                        let _ = positions.try_push((id, p));
                    }
                }
                Some(MarginAccount {
                    collateral: old.collateral,
                    epoch: old.epoch,
                    positions,
                })
            });
            // Anything the ledger's invariants say cannot exist (a position without a series
            // list entry) would be dropped here; `post_upgrade` checks nothing was.
            for cleared in [
                Positions::<T>::clear(u32::MAX, None).unique,
                AccountSeries::<T>::clear(u32::MAX, None).unique,
                OpenAccounts::<T>::clear(u32::MAX, None).unique,
            ] {
                reads = reads.saturating_add(cleared.into());
                writes = writes.saturating_add(cleared.into());
            }
            T::DbWeight::get().reads_writes(reads, writes)
        }

        #[cfg(feature = "try-runtime")]
        fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
            let accounts = Accounts::<T>::iter()
                .map(|(s, who, a)| (s, who, a.collateral, a.epoch))
                .collect();
            let positions = Positions::<T>::iter().collect();
            let snapshot: Snapshot<T::AccountId> = (accounts, positions);
            Ok(snapshot.encode())
        }

        #[cfg(feature = "try-runtime")]
        fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
            let (accounts, positions) = Snapshot::<T::AccountId>::decode(&mut &state[..])
                .map_err(|_| sp_runtime::TryRuntimeError::Other("v2: undecodable pre-state"))?;
            ensure!(
                Positions::<T>::iter().next().is_none()
                    && AccountSeries::<T>::iter().next().is_none()
                    && OpenAccounts::<T>::iter().next().is_none(),
                "v2: old position storage left behind"
            );
            ensure!(
                crate::Accounts::<T>::iter().count() == accounts.len(),
                "v2: the number of accounts changed"
            );
            for (settlement, who, collateral, epoch) in accounts {
                let a = crate::Accounts::<T>::get(settlement, &who);
                ensure!(
                    a.collateral == collateral && a.epoch == epoch,
                    "v2: an account's collateral or epoch changed"
                );
            }
            ensure!(
                crate::Positions::<T>::iter().count() == positions.len(),
                "v2: the number of positions changed"
            );
            for (who, id, p) in positions {
                ensure!(
                    crate::Positions::<T>::get(&who, id) == Some(p),
                    "v2: a position changed in the move"
                );
            }
            Ok(())
        }
    }

    /// Runs [`AccountsHoldPositions`] on a chain at storage version 1 and sets version 2.
    pub type MigrateV1ToV2<T> = VersionedMigration<
        1,
        2,
        AccountsHoldPositions<T>,
        Pallet<T>,
        <T as frame_system::Config>::DbWeight,
    >;
}

#[cfg(test)]
mod tests {
    use super::{v1, v2};
    use crate::{mock::*, *};
    use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
    use perpetua_primitives::CryptoIndex;

    /// Puts the series back as a v0 runtime kept them: one value each, no books, no slots, no
    /// settlements, storage version 0.
    fn to_v0() {
        let all: Vec<(SeriesId, Series)> = SeriesBook::<Test>::iter().collect();
        for (id, series) in &all {
            v1::SeriesBook::<Test>::insert(id, series);
        }
        let _ = Books::<Test>::clear(u32::MAX, None);
        let _ = SeriesSlot::<Test>::clear(u32::MAX, None);
        Settlements::<Test>::kill();
        StorageVersion::new(0).put::<Options>();
    }

    #[test]
    fn v1_groups_the_series_into_books_once_and_keeps_every_series() {
        new_test_ext().execute_with(|| {
            // Two BTC markets on TSLA list the same call and put, the second a put more; Bob
            // trades one so a series has a book to keep.
            for _ in 0..2 {
                let market =
                    Options::do_create_market(CryptoIndex::Btc, TSLA, MarketParams::default())
                        .unwrap();
                for kind in [OptionKind::Call, OptionKind::Put] {
                    Options::do_list_series(market, p(100_000), kind).unwrap();
                }
            }
            Options::do_list_series(1, p(90_000), OptionKind::Put).unwrap();
            Options::deposit(RuntimeOrigin::signed(BOB), TSLA, 1_000 * TSLA_UNIT).unwrap();
            Options::do_trade(&BOB, 4, 2, None, TradeMode::Trader).unwrap();
            let before: Vec<(SeriesId, Series)> = SeriesBook::<Test>::iter().collect();
            assert_eq!(before.len(), 5);
            assert_eq!(before[4].1.long, 2);

            to_v0();
            assert_eq!(SeriesBook::<Test>::get(4), None);
            v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
            assert_eq!(Options::on_chain_storage_version(), 1);
            assert_eq!(SeriesBook::<Test>::iter().collect::<Vec<_>>(), before);
            assert!(v1::SeriesBook::<Test>::iter().next().is_none());
            assert_eq!(Settlements::<Test>::get().into_inner(), vec![TSLA]);
            assert_eq!(SeriesSlot::<Test>::get(4), Some((TSLA, 4)));

            // A second run (the version is 1 now) changes nothing.
            let books = Books::<Test>::get(TSLA);
            v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
            assert_eq!(Books::<Test>::get(TSLA), books);
        });
    }

    /// Puts the margin accounts back as a v1 runtime kept them: collateral and epoch in
    /// `Accounts`, each position a value of its own, the series lists, the open-account index,
    /// storage version 1.
    fn to_v1() {
        let all: Vec<(AssetId, AccountId, AccountOf<Test>)> = Accounts::<Test>::iter().collect();
        for (settlement, who, account) in &all {
            let open = OpenAccounts::<Test>::contains_key(*settlement, who);
            v2::Accounts::<Test>::insert(
                settlement,
                who,
                v2::OldMarginAccount {
                    collateral: account.collateral,
                    epoch: account.epoch,
                },
            );
            let ids: Vec<SeriesId> = account.series().collect();
            for (id, p) in account.positions.iter() {
                v2::Positions::<Test>::insert(who, id, p);
            }
            if !ids.is_empty() {
                v2::AccountSeries::<Test>::insert(
                    who,
                    settlement,
                    frame_support::BoundedVec::truncate_from(ids),
                );
            }
            if open {
                v2::OpenAccounts::<Test>::insert(settlement, who, ());
            }
        }
        StorageVersion::new(1).put::<Options>();
    }

    #[test]
    fn v2_moves_every_position_into_its_margin_account_once() {
        new_test_ext().execute_with(|| {
            let market =
                Options::do_create_market(CryptoIndex::Btc, TSLA, MarketParams::default()).unwrap();
            for strike in [100_000, 90_000] {
                for kind in [OptionKind::Call, OptionKind::Put] {
                    Options::do_list_series(market, p(strike), kind).unwrap();
                }
            }
            // Bob holds three positions, Carol one; the LP has collateral and no position.
            for who in [BOB, CAROL, LP] {
                Options::deposit(RuntimeOrigin::signed(who), TSLA, 1_000 * TSLA_UNIT).unwrap();
            }
            for (id, size) in [(0, 2), (3, -1), (1, 1)] {
                Options::do_trade(&BOB, id, size, None, TradeMode::Trader).unwrap();
            }
            Options::do_trade(&CAROL, 3, 4, None, TradeMode::Trader).unwrap();
            let accounts: Vec<_> = Accounts::<Test>::iter().collect();
            let positions: Vec<_> = Positions::<Test>::iter().collect();
            assert_eq!(accounts.len(), 3);
            assert_eq!(positions.len(), 4);
            assert_eq!(AccountSeries::<Test>::get(BOB, TSLA), vec![0, 3, 1]);

            to_v1();
            assert_eq!(v2::Positions::<Test>::iter().count(), 4);
            assert_eq!(v2::OpenAccounts::<Test>::iter().count(), 2);
            v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
            assert_eq!(Options::on_chain_storage_version(), 2);
            let mut after: Vec<_> = Accounts::<Test>::iter().collect();
            let mut before = accounts.clone();
            after.sort_by_key(|(s, w, _)| (*s, *w));
            before.sort_by_key(|(s, w, _)| (*s, *w));
            assert_eq!(after, before);
            assert_eq!(AccountSeries::<Test>::get(BOB, TSLA), vec![0, 3, 1]);
            assert!(v2::Positions::<Test>::iter().next().is_none());
            assert!(v2::AccountSeries::<Test>::iter().next().is_none());
            assert!(v2::OpenAccounts::<Test>::iter().next().is_none());
            assert!(OpenAccounts::<Test>::contains_key(TSLA, BOB));
            assert!(!OpenAccounts::<Test>::contains_key(TSLA, LP));

            // A second run (the version is 2 now) changes nothing.
            v2::MigrateV1ToV2::<Test>::on_runtime_upgrade();
            assert_eq!(Accounts::<Test>::iter().count(), 3);
            assert_eq!(Positions::<Test>::iter().count(), 4);
        });
    }
}
