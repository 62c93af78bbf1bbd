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

#[cfg(test)]
mod tests {
    use super::v1;
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
}
