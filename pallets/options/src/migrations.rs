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

/// v0 -> v1: `QuoteKeys` (new) lists the quote key of every listed series, so that the block
/// hook's weight can count the quotes it prices; `Settlements` (new) lists the markets'
/// settlement assets, so that walking them is one read instead of one per market.
pub mod v1 {
    use super::*;

    /// The unversioned step; use [`MigrateV0ToV1`].
    pub struct IndexQuoteKeys<T>(core::marker::PhantomData<T>);

    impl<T: Config> UncheckedOnRuntimeUpgrade for IndexQuoteKeys<T> {
        fn on_runtime_upgrade() -> Weight {
            // Bounded: `AllSeries` holds at most `MaxSeries` ids, each read with its market.
            let ids = AllSeries::<T>::get();
            let mut writes: u64 = 0;
            for id in ids.iter() {
                let Some(series) = SeriesBook::<T>::get(id) else {
                    continue;
                };
                let Some(market) = Markets::<T>::get(series.market) else {
                    continue;
                };
                QuoteKeys::<T>::insert(risk::quote_key(&market, series.strike, series.kind), ());
                writes = writes.saturating_add(2);
            }
            // Bounded: at most `MaxMarkets` markets, their settlements fewer.
            let markets = NextMarketId::<T>::get();
            let mut settlements: alloc::vec::Vec<AssetId> = alloc::vec::Vec::new();
            for id in 0..markets {
                if let Some(market) = Markets::<T>::get(id) {
                    if !settlements.contains(&market.settlement) {
                        settlements.push(market.settlement);
                    }
                }
            }
            Settlements::<T>::put(BoundedVec::truncate_from(settlements));
            let reads = (ids.len() as u64)
                .saturating_mul(2)
                .saturating_add(u64::from(markets))
                .saturating_add(2);
            writes = writes.saturating_add(1);
            T::DbWeight::get().reads_writes(reads, writes)
        }

        #[cfg(feature = "try-runtime")]
        fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
            ensure!(QuoteKeys::<T>::count() == 0, "v0: quote keys present");
            ensure!(
                Settlements::<T>::get().is_empty(),
                "v0: settlements present"
            );
            Ok(alloc::vec::Vec::new())
        }

        #[cfg(feature = "try-runtime")]
        fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
            for id in AllSeries::<T>::get() {
                let series = SeriesBook::<T>::get(id).ok_or("v1: listed series without a book")?;
                let market = Markets::<T>::get(series.market).ok_or("v1: series of no market")?;
                ensure!(
                    QuoteKeys::<T>::contains_key(risk::quote_key(
                        &market,
                        series.strike,
                        series.kind
                    )),
                    "v1: a series' quote key is missing"
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

    /// Runs [`IndexQuoteKeys`] on a chain at storage version 0 and sets version 1.
    pub type MigrateV0ToV1<T> = VersionedMigration<
        0,
        1,
        IndexQuoteKeys<T>,
        Pallet<T>,
        <T as frame_system::Config>::DbWeight,
    >;
}

#[cfg(test)]
mod tests {
    use super::v1;
    use crate::{mock::*, *};
    use frame_support::traits::{
        GetStorageVersion, OnRuntimeUpgrade, StorageVersion, UncheckedOnRuntimeUpgrade,
    };
    use perpetua_primitives::CryptoIndex;

    #[test]
    fn v1_indexes_the_quote_keys_of_listed_series_once() {
        new_test_ext().execute_with(|| {
            // Two BTC markets on TSLA list the same call and put, and the second a put more:
            // five series, three quote keys.
            for _ in 0..2 {
                let market =
                    Options::do_create_market(CryptoIndex::Btc, TSLA, MarketParams::default())
                        .unwrap();
                for kind in [OptionKind::Call, OptionKind::Put] {
                    Options::do_list_series(market, p(100_000), kind).unwrap();
                }
            }
            Options::do_list_series(1, p(90_000), OptionKind::Put).unwrap();
            assert_eq!(AllSeries::<Test>::get().len(), 5);
            let keys = QuoteKeys::<Test>::count();
            assert_eq!(keys, 3);
            // The chain as a v0 runtime left it: no quote keys, storage version 0.
            let _ = QuoteKeys::<Test>::clear(u32::MAX, None);
            Settlements::<Test>::kill();
            StorageVersion::new(0).put::<Options>();
            assert_eq!(QuoteKeys::<Test>::count(), 0);

            v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
            assert_eq!(Options::on_chain_storage_version(), 1);
            assert_eq!(QuoteKeys::<Test>::count(), keys);
            assert_eq!(Settlements::<Test>::get().into_inner(), vec![TSLA]);
            Options::do_try_state().expect("try_state after the migration");

            // A second run (the version is 1 now) changes nothing.
            let _ = QuoteKeys::<Test>::clear(u32::MAX, None);
            v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
            assert_eq!(QuoteKeys::<Test>::count(), 0);
            // The step itself, run again, restores them (for the invariants at the end).
            <v1::IndexQuoteKeys<Test> as UncheckedOnRuntimeUpgrade>::on_runtime_upgrade();
            assert_eq!(QuoteKeys::<Test>::count(), keys);
        });
    }
}
