use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use perpetua_primitives::{Inflow, PoolLedger, PriceError, Tranche};
use sp_runtime::{traits::BadOrigin, Perbill};

const DAY: u64 = 24 * 60 * 60 * 1000;

fn create(asset: AssetId) {
    assert_ok!(Pool::create_pool(
        RuntimeOrigin::root(),
        asset,
        PoolParams::default()
    ));
}
fn info() -> PoolInfo {
    Pools::<Test>::get(TSLA).unwrap()
}
fn shares(tranche: Tranche, who: AccountId) -> Balance {
    Assets::balance(info().tranche(tranche).1, who)
}
fn tsla(who: AccountId) -> Balance {
    Assets::balance(TSLA, who)
}
fn later(ms: u64) {
    pallet_timestamp::Now::<Test>::mutate(|t| *t += ms);
}
fn check() {
    assert_ok!(Pool::do_try_state());
}
fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| {
            if let RuntimeEvent::Pool(e) = r.event {
                Some(e)
            } else {
                None
            }
        })
        .collect()
}

#[test]
fn creating_a_pool_issues_two_share_tokens() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        let i = info();
        assert_eq!((i.main_share, i.insurance_share), (1_000_000, 1_000_001));
        assert_eq!(
            pallet_assets::Metadata::<Test>::get(i.main_share)
                .symbol
                .to_vec(),
            b"pTSLA".to_vec()
        );
        assert_eq!(
            pallet_assets::Metadata::<Test>::get(i.insurance_share)
                .symbol
                .to_vec(),
            b"iTSLA".to_vec()
        );
        assert_eq!(
            pallet_assets::Metadata::<Test>::get(i.main_share).decimals,
            6
        );
        assert_noop!(
            Pool::create_pool(RuntimeOrigin::root(), TSLA, PoolParams::default()),
            Error::<Test>::PoolExists
        );
        assert_noop!(
            Pool::create_pool(RuntimeOrigin::root(), 77, PoolParams::default()),
            Error::<Test>::UnknownAsset
        );
        assert_noop!(
            Pool::create_pool(RuntimeOrigin::signed(ALICE), USDX, PoolParams::default()),
            BadOrigin
        );
        let bad = PoolParams {
            fee_to_main: Perbill::from_percent(80),
            ..Default::default()
        };
        assert_noop!(
            Pool::create_pool(RuntimeOrigin::root(), USDX, bad),
            Error::<Test>::InvalidParams
        );
        check();
    });
}

#[test]
fn deposits_and_withdrawals_round_trip_with_exact_share_maths() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        // First deposit: one share per unit.
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            3_000_000,
            0
        ));
        assert_eq!(shares(Tranche::Main, ALICE), 3_000_000);
        // The book gains 1,000,001 units: 10% to insurance's NAV (no insurance LPs yet, but the
        // split is on NAV), main NAV = 3,000,000 + 900,001.
        MockBook::set(Ok(1_000_001));
        let (main_nav, _) = Pool::navs(TSLA).unwrap();
        assert_eq!(main_nav, 3_900_001);
        // Bob's 1,000,000 buys floor(1e6 * 3e6 / 3_900_001) shares: rounded down, for the pool.
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Main,
            1_000_000,
            0
        ));
        let bob = shares(Tranche::Main, BOB);
        assert_eq!(bob, 769_230);
        assert!(bob * 3_900_001 <= 1_000_000 * 3_000_000);
        // After the cooldown, Bob redeems: floor(769_230 * 4_900_001 / 3_769_230) less 0.1%
        // (rounded up) - never more than he put in.
        MockBook::set(Ok(1_000_001));
        later(DAY);
        let before = tsla(BOB);
        assert_ok!(Pool::withdraw(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Main,
            bob,
            0
        ));
        let gross = 769_230u128 * 4_900_001 / 3_769_230;
        let fee = (gross * 1_000_000).div_ceil(1_000_000_000);
        assert_eq!(tsla(BOB) - before, gross - fee);
        assert!(tsla(BOB) - before < 1_000_000);
        assert_eq!(shares(Tranche::Main, BOB), 0);
        // The fee and the rounding stayed with Alice.
        assert_eq!(info().main, 4_000_000 - (gross - fee));
        check();
    });
}

#[test]
fn an_early_withdrawal_pays_the_higher_fee() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            1_000_000,
            0
        ));
        later(DAY - 1);
        assert_ok!(Pool::withdraw(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            100_000,
            0
        ));
        assert!(events().contains(&Event::Withdrawn {
            asset: TSLA,
            tranche: Tranche::Main,
            who: ALICE,
            shares: 100_000,
            amount: 99_000,
            fee: 1_000
        }));
        later(1);
        assert_ok!(Pool::withdraw(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            100_000,
            0
        ));
        // 901,000 (the 1,000 fee stayed) backs 900,000 shares: 100,000 shares are worth
        // 100,111; the 0.1% fee is rounded up to 101.
        assert!(matches!(
            events().last(),
            Some(Event::Withdrawn {
                amount: 100_010,
                fee: 101,
                ..
            })
        ));
        check();
    });
}

#[test]
fn slippage_limits_and_share_errors() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        assert_noop!(
            Pool::deposit(RuntimeOrigin::signed(ALICE), USDX, Tranche::Main, 1, 0),
            Error::<Test>::UnknownPool
        );
        assert_noop!(
            Pool::deposit(RuntimeOrigin::signed(ALICE), TSLA, Tranche::Main, 0, 0),
            Error::<Test>::ZeroAmount
        );
        assert_noop!(
            Pool::deposit(
                RuntimeOrigin::signed(ALICE),
                TSLA,
                Tranche::Main,
                1_000,
                1_001
            ),
            Error::<Test>::Slippage
        );
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            1_000_000,
            0
        ));
        assert_noop!(
            Pool::withdraw(RuntimeOrigin::signed(BOB), TSLA, Tranche::Main, 1, 0),
            Error::<Test>::InsufficientShares
        );
        assert_noop!(
            Pool::withdraw(
                RuntimeOrigin::signed(ALICE),
                TSLA,
                Tranche::Main,
                1_000,
                1_000
            ),
            Error::<Test>::Slippage
        );
        // The book cannot be valued: no NAV, no flows.
        MockBook::set(Err(PriceError::Stale));
        assert_noop!(
            Pool::deposit(RuntimeOrigin::signed(BOB), TSLA, Tranche::Main, 1_000, 0),
            Error::<Test>::BookUnpriceable
        );
        // NAV above realised capital: the tranche cannot pay out unrealised gains.
        MockBook::set(Ok(10_000_000));
        later(DAY);
        assert_noop!(
            Pool::withdraw(
                RuntimeOrigin::signed(ALICE),
                TSLA,
                Tranche::Main,
                1_000_000,
                0
            ),
            Error::<Test>::TrancheCash
        );
        check();
    });
}

#[test]
fn losses_hit_insurance_before_main_and_a_wiped_tranche_gets_a_new_token() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            5_000_000,
            0
        ));
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Insurance,
            1_000_000,
            0
        ));
        let old_ins = info().insurance_share;
        // A trader's profit of 600,000: all from insurance.
        assert_eq!(Pool::pay(TSLA, &CHARLIE, 600_000), Ok(0));
        assert_eq!((info().main, info().insurance), (5_000_000, 400_000));
        // 1,000,000 more: 400,000 from insurance, 600,000 from main.
        assert_eq!(Pool::pay(TSLA, &CHARLIE, 1_000_000), Ok(0));
        assert_eq!((info().main, info().insurance), (4_400_000, 0));
        assert!(events().contains(&Event::Paid {
            asset: TSLA,
            to: CHARLIE,
            from_insurance: 400_000,
            from_main: 600_000,
            shortfall: 0
        }));
        // Insurance is gone: its old shares are frozen, a new token takes its place.
        let new_ins = info().insurance_share;
        assert_ne!(new_ins, old_ins);
        assert!(events().contains(&Event::TrancheWipedOut {
            asset: TSLA,
            tranche: Tranche::Insurance,
            old_share: old_ins,
            new_share: new_ins
        }));
        assert_eq!(
            pallet_assets::Asset::<Test>::get(old_ins).unwrap().status,
            pallet_assets::AssetStatus::Frozen
        );
        check();
        // A loss larger than both: what is left is paid and the rest reported, never below zero.
        assert_eq!(Pool::pay(TSLA, &CHARLIE, 5_000_000), Ok(600_000));
        assert_eq!((info().main, info().insurance), (0, 0));
        assert_eq!(tsla(Pool::account(TSLA)), 0);
        check();
        // New LPs start afresh at one share per unit.
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Main,
            1_000,
            0
        ));
        assert_eq!(Assets::balance(info().main_share, BOB), 1_000);
        check();
    });
}

#[test]
fn bad_debt_is_absorbed_by_insurance_and_beyond_capital_reported() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            5_000_000,
            0
        ));
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Insurance,
            1_000_000,
            0
        ));
        // A bankrupt trader leaves 1,000,000 unpaid: insurance makes main whole for its 90%.
        assert_eq!(Pool::absorb_loss(TSLA, 1_000_000), 0);
        assert_eq!((info().main, info().insurance), (5_900_000, 100_000));
        // Far beyond capital: reported for auto-deleveraging.
        assert_eq!(Pool::absorb_loss(TSLA, 10_000_000), 4_000_000);
        assert_eq!(info().insurance, 0);
        check();
    });
}

#[test]
fn inflows_are_split_between_tranches_and_protocol() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        // No LPs at all: the protocol takes it (nobody to credit).
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Fee));
        assert_eq!(tsla(999), 1_000);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            1_000_000,
            0
        ));
        // No insurance LPs: insurance's part goes to main.
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Fee));
        assert_eq!((info().main, info().insurance), (1_000_900, 0));
        assert_eq!(tsla(999), 1_100);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Insurance,
            1_000_000,
            0
        ));
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Fee));
        assert_eq!((info().main, info().insurance), (1_001_500, 1_000_300));
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Gain));
        assert_eq!((info().main, info().insurance), (1_002_400, 1_000_400));
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Penalty));
        assert_eq!((info().main, info().insurance), (1_002_400, 1_001_400));
        assert_eq!(tsla(999), 1_200);
        check();
    });
}

#[test]
fn risk_limits_refuse_what_they_should() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            3_000_000,
            0
        ));
        // Capital 3,000,000 backs at most 2,000,000 of required margin (ratio 1.5).
        assert_ok!(Pool::set_required_margin(TSLA, 2_000_000, true));
        assert_noop!(
            Pool::set_required_margin(TSLA, 2_000_001, true),
            Error::<Test>::LiquidityLimit
        );
        // Shrinking (or a forced update) is always accepted.
        assert_ok!(Pool::set_required_margin(TSLA, 2_500_000, false));
        assert_ok!(Pool::set_required_margin(TSLA, 1_000_000, false));
        // A withdrawal leaving less than 1.5 x 1,000,000 is refused.
        later(DAY);
        assert_noop!(
            Pool::withdraw(
                RuntimeOrigin::signed(ALICE),
                TSLA,
                Tranche::Main,
                1_600_000,
                0
            ),
            Error::<Test>::LiquidityLimit
        );
        assert_ok!(Pool::withdraw(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            1_400_000,
            0
        ));
        // Net delta: at most 50% of capital.
        let cap = info().capital();
        assert_ok!(Pool::check_net_delta(TSLA, cap / 2));
        assert_noop!(
            Pool::check_net_delta(TSLA, cap / 2 + 1),
            Error::<Test>::NetDeltaLimit
        );
        // A closed pool takes no new risk, but settles.
        assert_ok!(Pool::set_open(RuntimeOrigin::root(), TSLA, false));
        assert!(!Pool::is_open(TSLA));
        assert_noop!(
            Pool::set_required_margin(TSLA, 1_000_001, true),
            Error::<Test>::PoolClosed
        );
        assert_ok!(Pool::set_required_margin(TSLA, 0, false));
        assert_noop!(
            Pool::set_required_margin(USDX, 1, true),
            Error::<Test>::UnknownPool
        );
        check();
    });
}

#[test]
fn flows_wait_for_the_open_and_execute_then() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            1_000_000,
            0
        ));
        later(DAY);
        // Friday evening: the market is closed.
        set_market_open(false);
        let bob_before = tsla(BOB);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Main,
            500_000,
            0
        ));
        assert_ok!(Pool::withdraw(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            200_000,
            0
        ));
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(CHARLIE),
            TSLA,
            Tranche::Insurance,
            300_000,
            0
        ));
        // Funds and shares are escrowed; nothing is priced yet.
        assert_eq!(tsla(BOB), bob_before - 500_000);
        assert_eq!(shares(Tranche::Main, BOB), 0);
        assert_eq!(info().queued_deposits, 800_000);
        assert_eq!(Queue::<Test>::get(TSLA).len(), 3);
        check();
        // Charlie changes his mind.
        assert_noop!(
            Pool::cancel_request(RuntimeOrigin::signed(BOB), TSLA, 2),
            Error::<Test>::NotRequester
        );
        assert_ok!(Pool::cancel_request(
            RuntimeOrigin::signed(CHARLIE),
            TSLA,
            2
        ));
        assert_noop!(
            Pool::cancel_request(RuntimeOrigin::signed(CHARLIE), TSLA, 2),
            Error::<Test>::UnknownRequest
        );
        check();
        // Blocks pass while closed: nothing executes.
        Pool::on_initialize(2);
        assert_eq!(Queue::<Test>::get(TSLA).len(), 2);
        // Monday: open, but the price is not fresh yet.
        set_market_open(true);
        set_fresh(false);
        Pool::on_initialize(3);
        assert_eq!(Queue::<Test>::get(TSLA).len(), 2);
        // A fresh post-open price (the book gained 100,000 over the weekend).
        set_fresh(true);
        MockBook::set(Ok(100_000));
        Pool::on_initialize(4);
        assert!(Queue::<Test>::get(TSLA).is_empty());
        assert!(QueuedPools::<Test>::get().is_empty());
        // Bob bought at the Monday NAV: 1,000,000 + 90,000 for 1,000,000 shares.
        assert_eq!(shares(Tranche::Main, BOB), 500_000 * 1_000_000 / 1_090_000);
        assert_eq!(info().queued_deposits, 0);
        check();
    });
}

#[test]
fn a_queued_flow_that_cannot_execute_is_refunded() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            1_000_000,
            0
        ));
        set_market_open(false);
        let before = tsla(BOB);
        // Bob wants at least 1,000,000 shares for 1,000,000: the NAV moves against him.
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Main,
            1_000_000,
            1_000_000
        ));
        for _ in 0..3 {
            assert_ok!(Pool::deposit(
                RuntimeOrigin::signed(CHARLIE),
                TSLA,
                Tranche::Main,
                1,
                0
            ));
        }
        assert_noop!(
            Pool::deposit(RuntimeOrigin::signed(CHARLIE), TSLA, Tranche::Main, 1, 0),
            Error::<Test>::QueueFull
        );
        set_market_open(true);
        MockBook::set(Ok(500_000));
        assert_ok!(Pool::process_queue(RuntimeOrigin::signed(CHARLIE), 10));
        assert_eq!(tsla(BOB), before);
        assert!(events().iter().any(|e| matches!(
            e,
            Event::RequestRefunded {
                who: BOB,
                reason: FlowRefusal::Slippage,
                ..
            }
        )));
        check();
    });
}

#[test]
fn surplus_is_swept_to_insurance_and_splits_rescale_the_ledger() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            1_000_000,
            0
        ));
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Insurance,
            500_000,
            0
        ));
        assert_noop!(
            Pool::sweep_surplus(RuntimeOrigin::root(), TSLA),
            Error::<Test>::NoSurplus
        );
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(CHARLIE),
            TSLA.into(),
            Pool::account(TSLA),
            777
        ));
        check();
        assert_ok!(Pool::sweep_surplus(RuntimeOrigin::root(), TSLA));
        assert_eq!(info().insurance, 500_777);
        <Pool as perpetua_primitives::CorporateActionHandler<AccountId>>::on_split(TSLA, 3, 1);
        assert_eq!((info().main, info().insurance), (3_000_000, 1_502_331));
    });
}
