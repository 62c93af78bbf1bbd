use crate::{mock::*, Changed, Error, Event, SessionLength, Validators};
use frame_support::{
    assert_noop, assert_ok,
    traits::{EstimateNextSessionRotation, Hooks},
};
use sp_runtime::{DispatchError, Permill};

/// Runs `f` on a fresh chain, then checks the pallet's invariants.
fn test(f: impl FnOnce()) {
    new_test_ext().execute_with(|| {
        f();
        crate::Pallet::<Test>::do_try_state().expect("try_state");
    });
}

fn root() -> RuntimeOrigin {
    RuntimeOrigin::root()
}

fn set_keys(who: u64) {
    assert_ok!(Session::set_keys(
        RuntimeOrigin::signed(who),
        keys(who),
        vec![]
    ));
}

fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| match r.event {
            RuntimeEvent::ValidatorSet(e) => Some(e),
            _ => None,
        })
        .collect()
}

#[test]
fn genesis_takes_the_sessions_keys() {
    test(|| {
        assert_eq!(Validators::<Test>::get().into_inner(), vec![1, 2, 3]);
        assert_eq!(Authorities::get(), vec![1, 2, 3]);
        assert_eq!(SessionLength::<Test>::get(), SESSION);
        assert!(!Changed::<Test>::get());
    });
}

#[test]
fn sessions_end_every_session_length_blocks() {
    test(|| {
        run_to(SESSION - 1);
        assert_eq!(Session::current_index(), 0);
        run_to(SESSION);
        assert_eq!(Session::current_index(), 1);
        run_to(3 * SESSION);
        assert_eq!(Session::current_index(), 3);
        // Nothing changed: no set was planned.
        assert!(!events()
            .iter()
            .any(|e| matches!(e, Event::SetPlanned { .. })));
    });
}

#[test]
fn an_added_validator_authors_from_the_second_session_change() {
    test(|| {
        assert_noop!(
            ValidatorSet::add_validator(root(), 4),
            Error::<Test>::NoSessionKeys
        );
        set_keys(4);
        assert_ok!(ValidatorSet::add_validator(root(), 4));
        assert_noop!(
            ValidatorSet::add_validator(root(), 4),
            Error::<Test>::AlreadyValidator
        );
        // The first change plans session 2 with 4 in it; session 1 is the one planned before.
        run_to(SESSION);
        assert_eq!(Authorities::get(), vec![1, 2, 3]);
        assert!(events().contains(&Event::SetPlanned {
            session: 2,
            validators: 4
        }));
        run_to(2 * SESSION - 1);
        assert_eq!(Authorities::get(), vec![1, 2, 3]);
        run_to(2 * SESSION);
        assert_eq!(Authorities::get(), vec![1, 2, 3, 4]);
        assert_eq!(pallet_session::Validators::<Test>::get(), vec![1, 2, 3, 4]);
    });
}

#[test]
fn a_removed_validator_leaves_at_the_second_session_change() {
    test(|| {
        assert_ok!(ValidatorSet::remove_validator(root(), 2));
        assert_noop!(
            ValidatorSet::remove_validator(root(), 2),
            Error::<Test>::NotValidator
        );
        // Two left: MinValidators.
        assert_noop!(
            ValidatorSet::remove_validator(root(), 3),
            Error::<Test>::TooFewValidators
        );
        run_to(SESSION);
        assert_eq!(Authorities::get(), vec![1, 2, 3]);
        run_to(2 * SESSION);
        assert_eq!(Authorities::get(), vec![1, 3]);
    });
}

#[test]
fn the_set_is_bounded() {
    test(|| {
        for v in 4..=5 {
            set_keys(v);
            assert_ok!(ValidatorSet::add_validator(root(), v));
        }
        set_keys(6);
        assert_noop!(
            ValidatorSet::add_validator(root(), 6),
            Error::<Test>::TooManyValidators
        );
    });
}

/// A validator that purges its keys cannot shrink the next session below `MinValidators`: the
/// current set stays until enough of the wanted set has keys.
#[test]
fn a_set_without_enough_keys_is_not_planned() {
    test(|| {
        set_keys(4);
        assert_ok!(ValidatorSet::add_validator(root(), 4));
        assert_ok!(ValidatorSet::remove_validator(root(), 1));
        assert_ok!(ValidatorSet::remove_validator(root(), 2));
        // Wanted: 3 and 4. Both drop their keys before the session changes.
        assert_ok!(Session::purge_keys(RuntimeOrigin::signed(3)));
        assert_ok!(Session::purge_keys(RuntimeOrigin::signed(4)));
        run_to(SESSION);
        assert!(events().contains(&Event::PlanDeferred {
            session: 2,
            with_keys: 0
        }));
        assert!(Changed::<Test>::get());
        run_to(3 * SESSION);
        // The wanted set was never planned: 1 and 2, who kept their keys, still author. (3
        // left: pallet-session drops a validator whose keys are purged.)
        assert_eq!(Authorities::get(), vec![1, 2]);
        // Keys back: the next change plans the wanted set.
        set_keys(3);
        set_keys(4);
        run_to(4 * SESSION);
        assert!(events().contains(&Event::SetPlanned {
            session: 5,
            validators: 2
        }));
        run_to(5 * SESSION);
        assert_eq!(Authorities::get(), vec![3, 4]);
    });
}

#[test]
fn only_the_admin_changes_the_set() {
    test(|| {
        set_keys(4);
        let signed = RuntimeOrigin::signed(1);
        assert_noop!(
            ValidatorSet::add_validator(signed.clone(), 4),
            DispatchError::BadOrigin
        );
        assert_noop!(
            ValidatorSet::remove_validator(signed.clone(), 2),
            DispatchError::BadOrigin
        );
        assert_noop!(
            ValidatorSet::set_session_length(signed, 20),
            DispatchError::BadOrigin
        );
    });
}

#[test]
fn the_session_length_is_bounded_and_applies_to_the_running_session() {
    test(|| {
        assert_noop!(
            ValidatorSet::set_session_length(root(), 4),
            Error::<Test>::SessionTooShort
        );
        assert_noop!(
            ValidatorSet::set_session_length(root(), 1_001),
            Error::<Test>::SessionTooLong
        );
        run_to(SESSION);
        assert_eq!(Session::current_index(), 1);
        assert_ok!(ValidatorSet::set_session_length(root(), 30));
        run_to(SESSION + 29);
        assert_eq!(Session::current_index(), 1);
        run_to(SESSION + 30);
        assert_eq!(Session::current_index(), 2);
    });
}

#[test]
fn the_next_rotation_is_estimated_from_the_session_start() {
    test(|| {
        run_to(SESSION + 3);
        let (at, _) = ValidatorSet::estimate_next_session_rotation(SESSION + 3);
        assert_eq!(at, Some(2 * SESSION));
        let (progress, _) = ValidatorSet::estimate_current_session_progress(SESSION + 3);
        assert_eq!(progress, Some(Permill::from_percent(30)));
        assert_eq!(ValidatorSet::average_session_length(), SESSION);
    });
}

/// The block a session changes in is charged the rotation's worst case, not a whole block;
/// other blocks the two values the check reads.
#[test]
fn the_block_hook_charges_the_rotation_it_makes() {
    use crate::WeightInfo;
    test(|| {
        let reads = <<Test as frame_system::Config>::DbWeight as frame_support::traits::Get<
            frame_support::weights::RuntimeDbWeight,
        >>::get()
        .reads(2);
        run_to(SESSION - 1);
        System::set_block_number(SESSION - 1);
        assert_eq!(ValidatorSet::on_initialize(SESSION - 1), reads);
        assert_eq!(Session::current_index(), 0);
        System::set_block_number(SESSION);
        let rotation = ValidatorSet::on_initialize(SESSION);
        assert_eq!(Session::current_index(), 1);
        assert_eq!(rotation, reads + <() as WeightInfo>::rotate_session(5));
        // pallet-session's own hook never rotates.
        assert_eq!(
            Session::on_initialize(2 * SESSION),
            frame_support::weights::Weight::zero()
        );
    });
}
