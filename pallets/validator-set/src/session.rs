//! What pallet-session asks of the validator set: the set for a new session and when the next
//! one is expected. The pallet also ends sessions itself: pallet-session's own block hook
//! charges a whole block's weight in every block a session changes in (so that block could
//! carry no transaction), while this pallet's hook charges what a rotation costs, measured
//! (`rotate_session(v)`).

use crate::{Changed, Config, Event, Pallet, SessionLength, SessionStart, Validators, WeightInfo};
use alloc::vec::Vec;
use frame_support::{
    pallet_prelude::Weight,
    traits::{EstimateNextSessionRotation, Get},
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, Permill};
use sp_staking::SessionIndex;

impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
    /// The wanted set, if it changed since the last plan and enough of it has keys.
    /// pallet-session drops members without keys itself; a set it would shrink below
    /// `MinValidators` is not handed over, so a chain never plans a session nobody can author.
    fn new_session(session: SessionIndex) -> Option<Vec<T::AccountId>> {
        if !Changed::<T>::get() {
            return None;
        }
        let wanted = Validators::<T>::get();
        let with_keys = wanted
            .iter()
            .filter(|v| pallet_session::NextKeys::<T>::contains_key(*v))
            .count() as u32;
        if with_keys < T::MinValidators::get() {
            log::warn!(
                target: "runtime::validator-set",
                "session {session}: only {with_keys} of the wanted validators have keys; keeping the current set"
            );
            Self::deposit_event(Event::PlanDeferred { session, with_keys });
            return None;
        }
        Changed::<T>::put(false);
        Self::deposit_event(Event::SetPlanned {
            session,
            validators: with_keys,
        });
        Some(wanted.into_inner())
    }

    /// Genesis sessions take pallet-session's genesis keys.
    fn new_session_genesis(_: SessionIndex) -> Option<Vec<T::AccountId>> {
        None
    }

    fn end_session(_: SessionIndex) {}

    fn start_session(_: SessionIndex) {
        SessionStart::<T>::put(frame_system::Pallet::<T>::block_number());
    }
}

impl<T: Config> Pallet<T> {
    /// The block the current session is due to end at.
    pub fn session_end() -> BlockNumberFor<T> {
        SessionStart::<T>::get().saturating_add(SessionLength::<T>::get())
    }
}

/// pallet-session's `ShouldEndSession`: never. [`Pallet`]'s block hook rotates sessions.
pub struct RotatedByValidatorSet;
impl<B> pallet_session::ShouldEndSession<B> for RotatedByValidatorSet {
    fn should_end_session(_: B) -> bool {
        false
    }
}

impl<T: Config> Pallet<T> {
    /// Ends the session if it is due: pallet-session rotates the keys and plans the next set.
    /// Returns the weight of the check and, if it rotated, of the rotation at its worst case.
    pub(crate) fn rotate_if_due(now: BlockNumberFor<T>) -> Weight {
        let check = T::DbWeight::get().reads(2);
        if now < Self::session_end() {
            return check;
        }
        pallet_session::Pallet::<T>::rotate_session();
        check.saturating_add(<T as Config>::WeightInfo::rotate_session(
            T::MaxValidators::get(),
        ))
    }
}

impl<T: Config> EstimateNextSessionRotation<BlockNumberFor<T>> for Pallet<T> {
    fn average_session_length() -> BlockNumberFor<T> {
        SessionLength::<T>::get()
    }

    fn estimate_current_session_progress(now: BlockNumberFor<T>) -> (Option<Permill>, Weight) {
        let elapsed = now.saturating_sub(SessionStart::<T>::get());
        let length = SessionLength::<T>::get();
        let progress = Permill::from_rational(elapsed.min(length), length);
        (Some(progress), T::DbWeight::get().reads(2))
    }

    fn estimate_next_session_rotation(
        _now: BlockNumberFor<T>,
    ) -> (Option<BlockNumberFor<T>>, Weight) {
        (Some(Self::session_end()), T::DbWeight::get().reads(2))
    }
}
