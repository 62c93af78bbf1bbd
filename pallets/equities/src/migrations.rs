//! Storage migrations, one module per storage version (docs/UPGRADES.md).
//!
//! A migration is an `UncheckedOnRuntimeUpgrade` wrapped in `VersionedMigration`, so that it
//! runs once, only on a chain at the version it starts from, and bumps the version in the same
//! block. Its `pre_upgrade` / `post_upgrade` checks run under `try-runtime` (the runtime's
//! upgrade test), and the pallet's `try_state` after them.

use crate::*;
use frame_support::{
    migrations::VersionedMigration, pallet_prelude::*, traits::UncheckedOnRuntimeUpgrade,
};

/// v0 -> v1: `Stocks` becomes a `CountedStorageMap`; the separate `StockCount` value, which had
/// to be kept equal to the number of listings by a second writer, is removed and its number
/// becomes the map's own counter.
pub mod v1 {
    use super::*;

    /// The v0 count of listings, removed by this migration.
    #[frame_support::storage_alias]
    pub type StockCount<T: Config> = StorageValue<Pallet<T>, u32, ValueQuery>;

    /// The unversioned step; use [`MigrateV0ToV1`].
    pub struct CountListings<T>(core::marker::PhantomData<T>);

    impl<T: Config> UncheckedOnRuntimeUpgrade for CountListings<T> {
        fn on_runtime_upgrade() -> Weight {
            // The counter is the number of entries (bounded by `MaxStocks`), so a v0 chain whose
            // count had drifted from its listings is repaired rather than carried over.
            let listings = Stocks::<T>::initialize_counter();
            StockCount::<T>::kill();
            T::DbWeight::get().reads_writes(u64::from(listings).saturating_add(1), 2)
        }

        #[cfg(feature = "try-runtime")]
        fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, sp_runtime::TryRuntimeError> {
            let count = StockCount::<T>::get();
            let listings = Stocks::<T>::iter_keys().count() as u32;
            ensure!(
                count == listings,
                "v0: StockCount differs from the listings"
            );
            Ok(count.encode())
        }

        #[cfg(feature = "try-runtime")]
        fn post_upgrade(state: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
            let before = u32::decode(&mut &state[..])
                .map_err(|_| sp_runtime::TryRuntimeError::Other("v1: undecodable pre-state"))?;
            ensure!(
                Stocks::<T>::count() == before,
                "v1: the counter is not the v0 count"
            );
            ensure!(!StockCount::<T>::exists(), "v1: StockCount left behind");
            Ok(())
        }
    }

    /// Runs [`CountListings`] on a chain at storage version 0 and sets version 1.
    pub type MigrateV0ToV1<T> = VersionedMigration<
        0,
        1,
        CountListings<T>,
        Pallet<T>,
        <T as frame_system::Config>::DbWeight,
    >;
}

#[cfg(test)]
mod tests {
    use super::v1;
    use crate::{mock::*, *};
    use frame_support::{
        assert_ok,
        traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
        BoundedVec,
    };

    /// The v1 counter, as its storage key names it.
    #[frame_support::storage_alias]
    type CounterForStocks<T: Config> = StorageValue<Pallet<T>, u32>;

    /// Lists `ticker` on exchange 1 with the mock's custodian.
    fn list(ticker: &[u8]) {
        assert_ok!(Equities::list_stock(
            RuntimeOrigin::root(),
            BoundedVec::truncate_from(ticker.to_vec()),
            BoundedVec::truncate_from(b"Company".to_vec()),
            6,
            0,
            CUSTODIAN,
            None,
            1,
        ));
    }

    /// The chain as a v0 runtime left it, with `listings` in all: the count in `StockCount`,
    /// no counter, storage version 0.
    fn v0_chain(count: u32) -> u32 {
        list(b"NVDA");
        let listings = Stocks::<Test>::iter_keys().count() as u32;
        CounterForStocks::<Test>::kill();
        v1::StockCount::<Test>::put(count);
        StorageVersion::new(0).put::<Equities>();
        listings
    }

    #[test]
    fn v1_moves_the_count_into_the_map_once() {
        new_test_ext().execute_with(|| {
            let listings = v0_chain(2);
            assert_eq!(listings, 2);
            assert_eq!(Equities::on_chain_storage_version(), 0);

            let weight = v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
            assert_eq!(Equities::on_chain_storage_version(), 1);
            assert_eq!(Stocks::<Test>::count(), 2);
            assert!(!v1::StockCount::<Test>::exists());
            // Charged: each listing's key, the old count and the version read; the counter,
            // the old count and the version written.
            let db = <Test as frame_system::Config>::DbWeight::get();
            assert_eq!(weight, db.reads_writes(2 + 2, 3));
            assert_ok!(Equities::do_try_state());

            // At v1 it does nothing but read the version: a second listing counts from the
            // migrated counter.
            let again = v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
            assert_eq!(again, db.reads(1));
            assert_eq!(Stocks::<Test>::count(), 2);
            list(b"AAPL");
            assert_eq!(Stocks::<Test>::count(), 3);
            assert_ok!(Equities::do_try_state());
        });
    }

    #[test]
    fn v1_counts_the_listings_not_a_drifted_count() {
        new_test_ext().execute_with(|| {
            // A v0 count that had drifted (the bug the one-writer map removes) is not carried
            // over: the counter is the number of listings.
            let listings = v0_chain(7);
            v1::MigrateV0ToV1::<Test>::on_runtime_upgrade();
            assert_eq!(Stocks::<Test>::count(), listings);
            assert_ok!(Equities::do_try_state());
        });
    }

    #[cfg(feature = "try-runtime")]
    #[test]
    fn v1_checks_before_and_after() {
        new_test_ext().execute_with(|| {
            v0_chain(2);
            assert_ok!(v1::MigrateV0ToV1::<Test>::try_on_runtime_upgrade(true));
            assert_eq!(Stocks::<Test>::count(), 2);
        });
        new_test_ext().execute_with(|| {
            // pre_upgrade refuses a v0 chain whose count had drifted: the upgrade's operator
            // learns of it before enacting.
            v0_chain(7);
            assert!(v1::MigrateV0ToV1::<Test>::try_on_runtime_upgrade(true).is_err());
        });
    }
}
