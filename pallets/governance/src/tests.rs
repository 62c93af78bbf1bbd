use crate::{mock::*, ChangeId, EnactmentDelay, Error, Event, NextChangeId, Pending};
use frame_support::{assert_noop, assert_ok, weights::Weight};
use sp_runtime::{traits::Hash, DispatchError};

/// Runs `f` on a fresh chain, then checks the pallet's invariants.
fn test(f: impl FnOnce()) {
    new_test_ext().execute_with(|| {
        f();
        crate::Pallet::<Test>::do_try_state().expect("try_state");
    });
}

fn proposer() -> RuntimeOrigin {
    RuntimeOrigin::signed(1)
}

/// A `Root` call whose effect is easy to see: account 9's balance set to `amount`.
fn mint(amount: u128) -> RuntimeCall {
    RuntimeCall::Balances(pallet_balances::Call::force_set_balance {
        who: 9,
        new_free: amount,
    })
}

fn schedule(call: RuntimeCall) -> ChangeId {
    let id = NextChangeId::<Test>::get();
    assert_ok!(Governance::schedule(proposer(), Box::new(call)));
    id
}

fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::Governance(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[test]
fn a_change_applies_after_the_delay_and_not_before() {
    test(|| {
        let call = mint(500);
        let hash = <Test as frame_system::Config>::Hashing::hash_of(&call);
        let id = schedule(call);
        assert!(events().contains(&Event::Scheduled {
            id,
            call_hash: hash,
            enact_at: 1 + DELAY
        }));
        run_to(DELAY);
        assert_eq!(Balances::free_balance(9), 0);
        assert!(Pending::<Test>::contains_key(id));
        run_to(1 + DELAY);
        assert_eq!(Balances::free_balance(9), 500);
        assert!(events().contains(&Event::Enacted { id, result: Ok(()) }));
        assert!(!Pending::<Test>::contains_key(id));
    });
}

/// Nobody but the proposer origin can schedule; the proposer cannot skip the delay by calling
/// the admin call itself, and nobody can enact a change early or twice.
#[test]
fn the_delay_cannot_be_skipped() {
    test(|| {
        assert_noop!(
            Governance::schedule(RuntimeOrigin::signed(2), Box::new(mint(1))),
            DispatchError::BadOrigin
        );
        assert_noop!(
            Balances::force_set_balance(proposer(), 9, 1),
            DispatchError::BadOrigin
        );
        let call = mint(7);
        let id = schedule(call.clone());
        assert_noop!(
            Governance::enact(proposer(), id, Box::new(call.clone())),
            DispatchError::BadOrigin
        );
        run_to(1 + DELAY);
        assert_eq!(Balances::free_balance(9), 7);
        // Spent: even `Root` cannot replay it.
        assert_noop!(
            Governance::enact(RuntimeOrigin::root(), id, Box::new(call)),
            Error::<Test>::NotPending
        );
    });
}

/// `Root` (the scheduler, or sudo on a dev chain) cannot swap a pending change's call.
#[test]
fn a_pending_change_dispatches_only_its_own_call() {
    test(|| {
        let id = schedule(mint(7));
        assert_noop!(
            Governance::enact(RuntimeOrigin::root(), id, Box::new(mint(7_000))),
            Error::<Test>::CallMismatch
        );
    });
}

#[test]
fn a_vetoed_change_never_applies() {
    test(|| {
        let id = schedule(mint(500));
        assert_noop!(Governance::veto(proposer(), id), DispatchError::BadOrigin);
        assert_ok!(Governance::veto(RuntimeOrigin::signed(3), id));
        assert!(events().contains(&Event::Vetoed { id }));
        assert_noop!(
            Governance::veto(RuntimeOrigin::signed(3), id),
            Error::<Test>::NotPending
        );
        run_to(2 + DELAY);
        assert_eq!(Balances::free_balance(9), 0);
        assert!(!events().iter().any(|e| matches!(e, Event::Enacted { .. })));
    });
}

#[test]
fn a_failing_change_is_reported_and_spent() {
    test(|| {
        // Setting the delay out of bounds fails when it is dispatched.
        let id = schedule(RuntimeCall::Governance(crate::Call::set_enactment_delay {
            blocks: 1,
        }));
        run_to(1 + DELAY);
        assert!(events().contains(&Event::Enacted {
            id,
            result: Err(Error::<Test>::DelayTooShort.into())
        }));
        assert!(Pending::<Test>::iter().next().is_none());
        assert_eq!(EnactmentDelay::<Test>::get(), DELAY);
    });
}

/// A call longer than an inline scheduler entry goes through the preimage and still applies.
#[test]
fn a_long_call_applies_through_its_preimage() {
    test(|| {
        let remark = RuntimeCall::System(frame_system::Call::remark {
            remark: vec![7; 2_000],
        });
        let id = schedule(remark);
        run_to(1 + DELAY);
        assert!(events().contains(&Event::Enacted { id, result: Ok(()) }));
        let too_long = RuntimeCall::System(frame_system::Call::remark {
            remark: vec![7; 5_000],
        });
        assert_noop!(
            Governance::schedule(proposer(), Box::new(too_long)),
            Error::<Test>::CallTooLong
        );
    });
}

#[test]
fn pending_changes_are_bounded() {
    test(|| {
        for i in 0..3 {
            schedule(mint(i));
        }
        assert_noop!(
            Governance::schedule(proposer(), Box::new(mint(9))),
            Error::<Test>::TooManyPending
        );
        assert_ok!(Governance::veto(RuntimeOrigin::signed(3), 0));
        schedule(mint(9));
    });
}

/// A call heavier than the scheduler can dispatch in one block would sit in its agenda for
/// ever: it is refused when scheduled.
#[test]
fn a_call_the_scheduler_cannot_fit_is_refused() {
    test(|| {
        let remark = RuntimeCall::System(frame_system::Call::remark {
            remark: vec![7; 1_000],
        });
        let weight =
            frame_support::dispatch::GetDispatchInfo::get_dispatch_info(&remark).call_weight;
        MaxCallWeight::set(weight.saturating_sub(Weight::from_parts(1, 0)));
        assert_noop!(
            Governance::schedule(proposer(), Box::new(remark.clone())),
            Error::<Test>::CallTooHeavy
        );
        MaxCallWeight::set(weight);
        schedule(remark);
    });
}

/// The delay changes only through the delay, and only within its bounds.
#[test]
fn the_delay_changes_through_the_delay() {
    test(|| {
        assert_noop!(
            Governance::set_enactment_delay(proposer(), 5),
            DispatchError::BadOrigin
        );
        assert_noop!(
            Governance::set_enactment_delay(RuntimeOrigin::root(), 1_001),
            Error::<Test>::DelayTooLong
        );
        schedule(RuntimeCall::Governance(crate::Call::set_enactment_delay {
            blocks: 50,
        }));
        // A change scheduled meanwhile still waits the old delay.
        run_to(5);
        let id = schedule(mint(1));
        assert_eq!(Pending::<Test>::get(id).unwrap().enact_at, 5 + DELAY);
        run_to(1 + DELAY);
        assert_eq!(EnactmentDelay::<Test>::get(), 50);
        let later = schedule(mint(2));
        assert_eq!(
            Pending::<Test>::get(later).unwrap().enact_at,
            1 + DELAY + 50
        );
    });
}
