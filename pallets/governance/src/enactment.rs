//! Scheduling, vetoing and enacting changes. [`Pending`] is written only here.

use crate::{
    ChangeId, Config, EnactmentDelay, Error, Event, NextChangeId, Pallet, Pending, PendingChange,
    WeightInfo,
};
use alloc::boxed::Box;
use codec::Encode;
use frame_support::{
    dispatch::{DispatchResultWithPostInfo, GetDispatchInfo, PostDispatchInfo},
    ensure,
    traits::{
        schedule::{v3::Named as ScheduleNamed, DispatchTime, HARD_DEADLINE},
        Get, StorePreimage, UnfilteredDispatchable,
    },
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    traits::{BlakeTwo256, Hash, Saturating},
    ArithmeticError, DispatchError, DispatchResult,
};

/// The scheduler's name for change `id`.
pub fn task_name(id: ChangeId) -> [u8; 32] {
    BlakeTwo256::hash_of(&(b"perpetua/governance", id)).0
}

impl<T: Config> Pallet<T> {
    /// A delay within the configured bounds.
    pub fn check_delay(blocks: BlockNumberFor<T>) -> Result<(), Error<T>> {
        ensure!(blocks >= T::MinDelay::get(), Error::<T>::DelayTooShort);
        ensure!(blocks <= T::MaxDelay::get(), Error::<T>::DelayTooLong);
        Ok(())
    }

    /// Schedules `call` for `Root` after the delay; returns the change's id.
    pub(crate) fn do_schedule(call: <T as Config>::RuntimeCall) -> Result<ChangeId, DispatchError> {
        ensure!(
            Pending::<T>::count() < T::MaxPending::get(),
            Error::<T>::TooManyPending
        );
        ensure!(
            call.encoded_size() as u32 <= T::MaxCallLen::get(),
            Error::<T>::CallTooLong
        );
        let weight = call.get_dispatch_info().call_weight;
        ensure!(
            weight.all_lte(T::MaxCallWeight::get()),
            Error::<T>::CallTooHeavy
        );

        let id = NextChangeId::<T>::get();
        NextChangeId::<T>::put(id.checked_add(1).ok_or(ArithmeticError::Overflow)?);
        let call_hash = T::Hashing::hash_of(&call);
        let now = frame_system::Pallet::<T>::block_number();
        let enact_at = now.saturating_add(EnactmentDelay::<T>::get());

        let enact: <T as Config>::RuntimeCall = crate::Call::<T>::enact {
            id,
            call: Box::new(call),
        }
        .into();
        // Priority within the hard deadline: a change applies at its announced block even if
        // the block's scheduler weight is spent.
        T::Scheduler::schedule_named(
            task_name(id),
            DispatchTime::At(enact_at),
            None,
            HARD_DEADLINE,
            frame_system::RawOrigin::Root.into(),
            T::Preimages::bound(enact)?,
        )?;
        Pending::<T>::insert(
            id,
            PendingChange {
                call_hash,
                enact_at,
                weight,
            },
        );
        Self::deposit_event(Event::Scheduled {
            id,
            call_hash,
            enact_at,
        });
        Ok(id)
    }

    /// Cancels pending change `id`. A change the scheduler no longer holds (it could not be
    /// dispatched) is only removed.
    pub(crate) fn do_veto(id: ChangeId) -> DispatchResult {
        ensure!(Pending::<T>::contains_key(id), Error::<T>::NotPending);
        let task = task_name(id);
        if T::Scheduler::next_dispatch_time(task).is_ok() {
            T::Scheduler::cancel_named(task)?;
        }
        Pending::<T>::remove(id);
        Self::deposit_event(Event::Vetoed { id });
        Ok(())
    }

    /// Dispatches pending change `id` as `Root`, once. A failing call is reported in
    /// [`Event::Enacted`]; the change is spent either way.
    pub(crate) fn do_enact(
        id: ChangeId,
        call: <T as Config>::RuntimeCall,
    ) -> DispatchResultWithPostInfo {
        let change = Pending::<T>::get(id).ok_or(Error::<T>::NotPending)?;
        ensure!(
            T::Hashing::hash_of(&call) == change.call_hash,
            Error::<T>::CallMismatch
        );
        Pending::<T>::remove(id);
        let len = call.encoded_size() as u32;
        let declared = call.get_dispatch_info().call_weight;
        let outcome = call.dispatch_bypass_filter(frame_system::RawOrigin::Root.into());
        let (used, result) = match outcome {
            Ok(post) => (post.calc_actual_weight(&call_info(declared)), Ok(())),
            Err(e) => (
                e.post_info.calc_actual_weight(&call_info(declared)),
                Err(e.error),
            ),
        };
        Self::deposit_event(Event::Enacted { id, result });
        Ok(PostDispatchInfo {
            actual_weight: Some(T::WeightInfo::enact(len).saturating_add(used)),
            pays_fee: frame_support::dispatch::Pays::Yes,
        })
    }

    /// Every pending change has an issued id, is due no earlier than now and sits in the
    /// scheduler's agenda at its block; the counter matches; the delay is within bounds.
    pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
        let next = NextChangeId::<T>::get();
        let now = frame_system::Pallet::<T>::block_number();
        let mut count = 0u32;
        for (id, change) in Pending::<T>::iter() {
            ensure!(id < next, "a pending change has an id not yet issued");
            ensure!(
                change.enact_at >= now,
                "a pending change is past its enactment block"
            );
            ensure!(
                T::Scheduler::next_dispatch_time(task_name(id)) == Ok(change.enact_at),
                "a pending change is not in the scheduler's agenda at its block"
            );
            count = count.saturating_add(1);
        }
        ensure!(count == Pending::<T>::count(), "the pending counter is off");
        ensure!(
            count <= T::MaxPending::get(),
            "more changes pending than MaxPending"
        );
        Self::check_delay(EnactmentDelay::<T>::get())
            .map_err(|_| "enactment delay out of bounds")?;
        Ok(())
    }
}

/// The dispatch info `calc_actual_weight` needs: only the declared weight matters.
fn call_info(weight: frame_support::weights::Weight) -> frame_support::dispatch::DispatchInfo {
    frame_support::dispatch::DispatchInfo {
        call_weight: weight,
        ..Default::default()
    }
}
