//! # pallet-validator-set
//!
//! Who validates. Governance adds and removes validators here; pallet-session enacts the set at
//! a session change, and hands the new Aura and GRANDPA keys to those pallets. A validator
//! registers its keys itself first (`author_rotateKeys` on its node, then `session.setKeys`);
//! an account without keys cannot be added, and a set that would fall below
//! [`Config::MinValidators`] validators with keys is never planned.
//!
//! The pallet is pallet-session's [`SessionManager`](pallet_session::SessionManager) (which set
//! the next session gets) and its
//! [`EstimateNextSessionRotation`](frame_support::traits::EstimateNextSessionRotation), and it
//! ends sessions itself in its block hook (pallet-session's `ShouldEndSession` is
//! [`RotatedByValidatorSet`]: never): a session lasts [`SessionLength`] blocks, a storage value
//! governance can change, and the block it changes in is charged the rotation's measured
//! weight, not pallet-session's whole block. The session logic is in `session.rs`.
//!
//! The set at genesis is pallet-session's genesis keys: this pallet copies it when it builds
//! (it is declared after pallet-session), so the chain spec names the validators once.
//!
//! See the README for calls, storage, invariants, errors and measured cost.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use session::RotatedByValidatorSet;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
mod session;
#[cfg(test)]
mod tests;
pub mod weights;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use frame_support::pallet_prelude::*;
    use frame_system::pallet_prelude::*;

    /// The in-code storage version.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config:
        frame_system::Config
        + pallet_session::Config<ValidatorId = <Self as frame_system::Config>::AccountId>
    {
        /// The overarching event type.
        #[allow(deprecated)]
        type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
        /// Who may add and remove validators and set the session length.
        type AdminOrigin: EnsureOrigin<<Self as frame_system::Config>::RuntimeOrigin>;
        /// Most validators the set may hold (Aura's and GRANDPA's `MaxAuthorities` must be at
        /// least this).
        #[pallet::constant]
        type MaxValidators: Get<u32>;
        /// Fewest validators with keys a planned set may hold.
        #[pallet::constant]
        type MinValidators: Get<u32>;
        /// Shortest session, in blocks.
        #[pallet::constant]
        type MinSessionLength: Get<BlockNumberFor<Self>>;
        /// Longest session, in blocks.
        #[pallet::constant]
        type MaxSessionLength: Get<BlockNumberFor<Self>>;
        /// Weights of this pallet's calls.
        type WeightInfo: WeightInfo;
    }

    /// The validators wanted from the next planned session on, in the order they were added.
    #[pallet::storage]
    pub type Validators<T: Config> =
        StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

    /// Whether [`Validators`] changed since pallet-session last asked for a set.
    #[pallet::storage]
    pub type Changed<T: Config> = StorageValue<_, bool, ValueQuery>;

    /// How many blocks a session lasts.
    #[pallet::storage]
    pub type SessionLength<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

    /// The block the current session started at.
    #[pallet::storage]
    pub type SessionStart<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

    #[pallet::genesis_config]
    pub struct GenesisConfig<T: Config> {
        /// Blocks per session.
        pub session_length: BlockNumberFor<T>,
    }

    /// The shortest session.
    impl<T: Config> Default for GenesisConfig<T> {
        fn default() -> Self {
            Self {
                session_length: T::MinSessionLength::get(),
            }
        }
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            assert!(
                Pallet::<T>::check_session_length(self.session_length).is_ok(),
                "genesis session length out of bounds"
            );
            SessionLength::<T>::put(self.session_length);
            let genesis_set = pallet_session::Validators::<T>::get();
            let set = BoundedVec::<_, T::MaxValidators>::try_from(genesis_set)
                .expect("genesis has at most MaxValidators validators");
            Validators::<T>::put(set);
        }
    }

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// `who` joins the set planned at the next session change, and validates from the one
        /// after it.
        ValidatorAdded { who: T::AccountId },
        /// `who` leaves the set planned at the next session change.
        ValidatorRemoved { who: T::AccountId },
        /// pallet-session was given a new set for `session`.
        SetPlanned { session: u32, validators: u32 },
        /// The wanted set has fewer than `MinValidators` validators with keys; the current set
        /// stays and the plan is retried at the next session change.
        PlanDeferred { session: u32, with_keys: u32 },
        /// Sessions last `blocks` blocks from the next session on.
        SessionLengthSet { blocks: BlockNumberFor<T> },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The account is already in the set.
        AlreadyValidator,
        /// The account is not in the set.
        NotValidator,
        /// The set holds `MaxValidators` validators.
        TooManyValidators,
        /// Removing the validator would leave fewer than `MinValidators`.
        TooFewValidators,
        /// The account has not registered session keys (`session.setKeys`).
        NoSessionKeys,
        /// The session length is below `MinSessionLength`.
        SessionTooShort,
        /// The session length is above `MaxSessionLength`.
        SessionTooLong,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        /// Ends the session when it is due (`session.rs`).
        fn on_initialize(now: BlockNumberFor<T>) -> Weight {
            Self::rotate_if_due(now)
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Adds `who` to the set. It must have registered session keys; it validates from the
        /// second session change on.
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::add_validator())]
        pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(
                pallet_session::NextKeys::<T>::contains_key(&who),
                Error::<T>::NoSessionKeys
            );
            Validators::<T>::try_mutate(|set| -> DispatchResult {
                ensure!(!set.contains(&who), Error::<T>::AlreadyValidator);
                set.try_push(who.clone())
                    .map_err(|_| Error::<T>::TooManyValidators)?;
                Ok(())
            })?;
            Changed::<T>::put(true);
            Self::deposit_event(Event::ValidatorAdded { who });
            Ok(())
        }

        /// Removes `who` from the set; it stops validating at the second session change.
        #[pallet::call_index(1)]
        #[pallet::weight(<T as Config>::WeightInfo::remove_validator())]
        pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Validators::<T>::try_mutate(|set| -> DispatchResult {
                let at = set
                    .iter()
                    .position(|v| *v == who)
                    .ok_or(Error::<T>::NotValidator)?;
                ensure!(
                    set.len() as u32 > T::MinValidators::get(),
                    Error::<T>::TooFewValidators
                );
                set.remove(at);
                Ok(())
            })?;
            Changed::<T>::put(true);
            Self::deposit_event(Event::ValidatorRemoved { who });
            Ok(())
        }

        /// Sessions last `blocks` blocks, from the session after the current one ends (the
        /// current one ends `blocks` after it started, or at once if that is past).
        #[pallet::call_index(2)]
        #[pallet::weight(<T as Config>::WeightInfo::set_session_length())]
        pub fn set_session_length(
            origin: OriginFor<T>,
            blocks: BlockNumberFor<T>,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::check_session_length(blocks)?;
            SessionLength::<T>::put(blocks);
            Self::deposit_event(Event::SessionLengthSet { blocks });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// A session length within the configured bounds.
        pub fn check_session_length(blocks: BlockNumberFor<T>) -> Result<(), Error<T>> {
            ensure!(
                blocks >= T::MinSessionLength::get(),
                Error::<T>::SessionTooShort
            );
            ensure!(
                blocks <= T::MaxSessionLength::get(),
                Error::<T>::SessionTooLong
            );
            Ok(())
        }

        /// The set has no duplicates and at least `MinValidators` validators, and the session
        /// length is within bounds.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let set = Validators::<T>::get();
            for (i, v) in set.iter().enumerate() {
                ensure!(!set[..i].contains(v), "a validator is in the set twice");
            }
            ensure!(
                set.len() as u32 >= T::MinValidators::get(),
                "fewer validators than MinValidators"
            );
            ensure!(
                Self::check_session_length(SessionLength::<T>::get()).is_ok(),
                "session length out of bounds"
            );
            Ok(())
        }
    }
}
