//! # pallet-governance
//!
//! Admin changes with a delay. The chain's admin powers (risk parameters, listings, oracle
//! operators, the validator set, runtime upgrades) are `Root` calls. Outside the development
//! chain nobody holds `Root`: the technical committee reaches it only through this pallet.
//! A committee motion calls [`Pallet::schedule`] with the change; pallet-scheduler dispatches
//! it as `Root` [`EnactmentDelay`] blocks later. Until then the change is public (a
//! [`Pending`] entry, the scheduler's agenda and the preimage) and a committee majority can
//! [`Pallet::veto`] it. LPs and traders who do not like a change have the delay to leave.
//!
//! The delay itself changes only through the delay ([`Pallet::set_enactment_delay`] is
//! `Root`). The logic is in `enactment.rs`.
//!
//! See the README for calls, storage, invariants, errors and measured cost.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod enactment;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;
pub use weights::WeightInfo;

/// Identifies a scheduled change.
pub type ChangeId = u32;

/// A change waiting for its enactment block.
#[derive(
    codec::Encode,
    codec::Decode,
    codec::MaxEncodedLen,
    codec::DecodeWithMemTracking,
    Clone,
    PartialEq,
    Eq,
    Debug,
    scale_info::TypeInfo,
)]
pub struct PendingChange<BlockNumber, Hash> {
    /// Hash of the call that will be dispatched as `Root`.
    pub call_hash: Hash,
    /// The block it is dispatched at.
    pub enact_at: BlockNumber,
    /// The call's declared weight, charged to the scheduler's block.
    pub weight: frame_support::weights::Weight,
}

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::boxed::Box;
    use frame_support::{
        dispatch::{GetDispatchInfo, PostDispatchInfo},
        pallet_prelude::*,
        traits::{
            schedule::v3::Named as ScheduleNamed, QueryPreimage, StorePreimage,
            UnfilteredDispatchable,
        },
    };
    use frame_system::pallet_prelude::*;
    use sp_runtime::traits::Dispatchable;

    /// The in-code storage version.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: frame_system::Config {
        /// The overarching event type.
        #[allow(deprecated)]
        type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
        /// The runtime's call: what a change dispatches.
        type RuntimeCall: Parameter
            + Dispatchable<RuntimeOrigin = Self::RuntimeOrigin, PostInfo = PostDispatchInfo>
            + UnfilteredDispatchable<RuntimeOrigin = Self::RuntimeOrigin>
            + GetDispatchInfo
            + From<Call<Self>>
            + From<frame_system::Call<Self>>;
        /// The origin the scheduler dispatches with (the runtime's `OriginCaller`).
        type PalletsOrigin: From<frame_system::RawOrigin<Self::AccountId>>;
        /// pallet-scheduler.
        type Scheduler: ScheduleNamed<
            BlockNumberFor<Self>,
            <Self as Config>::RuntimeCall,
            Self::PalletsOrigin,
            Hasher = Self::Hashing,
        >;
        /// pallet-preimage: holds a scheduled call too long to sit in the agenda.
        type Preimages: QueryPreimage<H = Self::Hashing> + StorePreimage;
        /// Who may schedule a change (a committee supermajority).
        type ProposeOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Who may veto a pending change (a committee majority).
        type VetoOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Shortest enactment delay, in blocks.
        #[pallet::constant]
        type MinDelay: Get<BlockNumberFor<Self>>;
        /// Longest enactment delay, in blocks.
        #[pallet::constant]
        type MaxDelay: Get<BlockNumberFor<Self>>;
        /// Most changes pending at once.
        #[pallet::constant]
        type MaxPending: Get<u32>;
        /// Longest encoded call a change may carry, in bytes.
        #[pallet::constant]
        type MaxCallLen: Get<u32>;
        /// Heaviest call a change may carry: the scheduler must fit it in one block.
        #[pallet::constant]
        type MaxCallWeight: Get<Weight>;
        /// The scheduler's worst case for adding a named task (a full agenda), charged on top
        /// of [`WeightInfo::schedule`], which is measured on an empty one.
        type ScheduleWeight: Get<Weight>;
        /// The scheduler's worst case for cancelling a named task.
        type CancelWeight: Get<Weight>;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
    }

    /// Blocks between a change being scheduled and being dispatched.
    #[pallet::storage]
    pub type EnactmentDelay<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

    /// The id the next scheduled change gets.
    #[pallet::storage]
    pub type NextChangeId<T: Config> = StorageValue<_, ChangeId, ValueQuery>;

    /// Changes scheduled and neither enacted nor vetoed.
    #[pallet::storage]
    pub type Pending<T: Config> =
        CountedStorageMap<_, Twox64Concat, ChangeId, PendingChange<BlockNumberFor<T>, T::Hash>>;

    #[pallet::genesis_config]
    pub struct GenesisConfig<T: Config> {
        /// The enactment delay, in blocks.
        pub enactment_delay: BlockNumberFor<T>,
    }

    /// The shortest delay.
    impl<T: Config> Default for GenesisConfig<T> {
        fn default() -> Self {
            Self {
                enactment_delay: T::MinDelay::get(),
            }
        }
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            assert!(
                Pallet::<T>::check_delay(self.enactment_delay).is_ok(),
                "genesis enactment delay out of bounds"
            );
            EnactmentDelay::<T>::put(self.enactment_delay);
        }
    }

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// Change `id` will dispatch the call hashed `call_hash` as `Root` at `enact_at`.
        Scheduled {
            id: ChangeId,
            call_hash: T::Hash,
            enact_at: BlockNumberFor<T>,
        },
        /// Change `id` was vetoed; it will not apply.
        Vetoed { id: ChangeId },
        /// Change `id` was dispatched, with this result.
        Enacted {
            id: ChangeId,
            result: DispatchResult,
        },
        /// Changes scheduled from now on wait `blocks` blocks.
        EnactmentDelaySet { blocks: BlockNumberFor<T> },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// `MaxPending` changes are already pending.
        TooManyPending,
        /// No pending change has this id (it was enacted, vetoed or never scheduled).
        NotPending,
        /// The call is not the one the change was scheduled with.
        CallMismatch,
        /// The call's encoding is longer than `MaxCallLen`.
        CallTooLong,
        /// The call's weight is above `MaxCallWeight`.
        CallTooHeavy,
        /// The delay is below `MinDelay`.
        DelayTooShort,
        /// The delay is above `MaxDelay`.
        DelayTooLong,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Schedules `call` to be dispatched as `Root` after the enactment delay.
        #[pallet::call_index(0)]
        #[pallet::weight(
            T::WeightInfo::schedule(call.encoded_size() as u32)
                .saturating_add(T::ScheduleWeight::get())
        )]
        pub fn schedule(
            origin: OriginFor<T>,
            call: Box<<T as Config>::RuntimeCall>,
        ) -> DispatchResult {
            T::ProposeOrigin::ensure_origin(origin)?;
            Self::do_schedule(*call).map(|_| ())
        }

        /// Vetoes pending change `id`.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::veto().saturating_add(T::CancelWeight::get()))]
        pub fn veto(origin: OriginFor<T>, id: ChangeId) -> DispatchResult {
            T::VetoOrigin::ensure_origin(origin)?;
            Self::do_veto(id)
        }

        /// Dispatches pending change `id` as `Root`: the scheduler calls this at the change's
        /// enactment block. It runs once; the call must be the one scheduled.
        #[pallet::call_index(2)]
        #[pallet::weight(
            T::WeightInfo::enact(call.encoded_size() as u32)
                .saturating_add(call.get_dispatch_info().call_weight)
        )]
        #[allow(clippy::useless_conversion)]
        pub fn enact(
            origin: OriginFor<T>,
            id: ChangeId,
            call: Box<<T as Config>::RuntimeCall>,
        ) -> DispatchResultWithPostInfo {
            ensure_root(origin)?;
            Self::do_enact(id, *call)
        }

        /// Changes scheduled after this wait `blocks` blocks. `Root`: the delay changes only
        /// through the delay.
        #[pallet::call_index(3)]
        #[pallet::weight(T::WeightInfo::set_enactment_delay())]
        pub fn set_enactment_delay(
            origin: OriginFor<T>,
            blocks: BlockNumberFor<T>,
        ) -> DispatchResult {
            ensure_root(origin)?;
            Self::check_delay(blocks)?;
            EnactmentDelay::<T>::put(blocks);
            Self::deposit_event(Event::EnactmentDelaySet { blocks });
            Ok(())
        }
    }
}
