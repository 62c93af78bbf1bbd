//! Benchmarks: each call at its worst case, a set one short of `MaxValidators`.

use super::*;
use codec::Decode;
use frame_benchmarking::v2::*;
use frame_support::{traits::Get, BoundedVec};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use sp_runtime::traits::TrailingZeroInput;

/// A set of `n` validators, and `who`'s session keys registered.
fn setup<T: Config>(n: u32, who: &T::AccountId) {
    let set: alloc::vec::Vec<T::AccountId> = (0..n).map(|i| account("validator", i, 0)).collect();
    Validators::<T>::put(BoundedVec::truncate_from(set));
    let keys = T::Keys::decode(&mut TrailingZeroInput::zeroes()).expect("zero keys decode");
    pallet_session::NextKeys::<T>::insert(who, keys);
}

#[benchmarks]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn add_validator() {
        let who: T::AccountId = account("candidate", 0, 0);
        setup::<T>(T::MaxValidators::get().saturating_sub(1), &who);
        #[extrinsic_call]
        _(RawOrigin::Root, who.clone());
        assert!(Validators::<T>::get().contains(&who));
    }

    #[benchmark]
    fn remove_validator() {
        let max = T::MaxValidators::get();
        let who: T::AccountId = account("validator", max.saturating_sub(1), 0);
        setup::<T>(max, &who);
        #[extrinsic_call]
        _(RawOrigin::Root, who.clone());
        assert!(!Validators::<T>::get().contains(&who));
    }

    #[benchmark]
    fn set_session_length() {
        let blocks = T::MaxSessionLength::get();
        #[extrinsic_call]
        _(RawOrigin::Root, blocks);
        assert_eq!(SessionLength::<T>::get(), blocks);
    }

    /// A session change with `v` validators wanted, all with keys and all queued: the plan,
    /// the queue and the session handlers (Aura's and GRANDPA's authorities in the runtime).
    #[benchmark]
    fn rotate_session(v: Linear<1, { T::MaxValidators::get() }>) {
        let set: alloc::vec::Vec<T::AccountId> =
            (0..v).map(|i| account("validator", i, 0)).collect();
        let keys = T::Keys::decode(&mut TrailingZeroInput::zeroes()).expect("zero keys decode");
        for who in &set {
            pallet_session::NextKeys::<T>::insert(who, keys.clone());
        }
        pallet_session::QueuedKeys::<T>::put(
            set.iter()
                .map(|w| (w.clone(), keys.clone()))
                .collect::<alloc::vec::Vec<_>>(),
        );
        Validators::<T>::put(BoundedVec::truncate_from(set));
        Changed::<T>::put(true);
        let length = T::MinSessionLength::get();
        SessionLength::<T>::put(length);
        SessionStart::<T>::put(BlockNumberFor::<T>::from(0u32));
        frame_system::Pallet::<T>::set_block_number(length);
        let index = pallet_session::CurrentIndex::<T>::get();
        #[block]
        {
            Pallet::<T>::rotate_if_due(length);
        }
        assert_eq!(pallet_session::CurrentIndex::<T>::get(), index + 1);
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
