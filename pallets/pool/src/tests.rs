use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Hooks};
use perpetua_primitives::{Inflow, PoolLedger, PriceError, Tranche};
use sp_runtime::{traits::BadOrigin, Perbill};

const DAY: u64 = 24 * 60 * 60 * 1000;

/// The tests use a 10% share of ordinary results for insurance, to exercise the rule's split
/// (the default is none: see `insurance_takes_no_ordinary_result_by_default`).
fn params() -> PoolParams {
    PoolParams {
        min_flow: 1_000,
        insurance_share: Perbill::from_percent(10),
        ..Default::default()
    }
}
fn create(asset: AssetId) {
    assert_ok!(Pool::create_pool(RuntimeOrigin::root(), asset, params()));
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
/// The invariants, and the exact equality this mock allows (nobody sends the pool tokens
/// outside the ledger unless a test says so).
fn check() {
    assert_ok!(Pool::do_try_state());
}
fn check_exact() {
    check();
    assert_eq!(tsla(Pool::account(TSLA)), Pool::recorded(TSLA, &info()));
}
/// Ends the block (the receivable moves) and starts the next: queued flows execute in its
/// `on_initialize`.
fn next_block() {
    check();
    Pool::on_finalize(System::block_number());
    check();
    let n = System::block_number() + 1;
    System::set_block_number(n);
    later(3_000);
    Pool::on_initialize(n);
    check();
}
fn deposit(who: AccountId, tranche: Tranche, amount: Balance) {
    assert_ok!(Pool::deposit(
        RuntimeOrigin::signed(who),
        TSLA,
        tranche,
        amount,
        0
    ));
    next_block();
}
fn withdraw(who: AccountId, tranche: Tranche, shares: Balance) {
    assert_ok!(Pool::withdraw(
        RuntimeOrigin::signed(who),
        TSLA,
        tranche,
        shares,
        0
    ));
    next_block();
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
fn creating_a_pool_issues_two_share_tokens_and_params_name_their_bound() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        let i = info();
        assert_eq!((i.main_share, i.insurance_share), (1_000_000, 1_000_001));
        let symbol = |id| pallet_assets::Metadata::<Test>::get(id).symbol.to_vec();
        assert_eq!(symbol(i.main_share), b"pTSLA".to_vec());
        assert_eq!(symbol(i.insurance_share), b"iTSLA".to_vec());
        assert_eq!(
            pallet_assets::Metadata::<Test>::get(i.main_share).decimals,
            6
        );
        assert_noop!(
            Pool::create_pool(RuntimeOrigin::root(), TSLA, params()),
            Error::<Test>::PoolExists
        );
        assert_noop!(
            Pool::create_pool(RuntimeOrigin::root(), 77, params()),
            Error::<Test>::UnknownAsset
        );
        assert_noop!(
            Pool::create_pool(RuntimeOrigin::signed(ALICE), USDX, params()),
            BadOrigin
        );
        let cases = [
            (
                PoolParams {
                    fee_to_main: Perbill::from_percent(80),
                    ..params()
                },
                Error::<Test>::FeeSharesAboveWhole,
            ),
            (
                PoolParams {
                    min_liquidity_ratio: sp_runtime::FixedU128::from_rational(1, 2),
                    ..params()
                },
                Error::<Test>::LiquidityRatioBelowOne,
            ),
            (
                PoolParams {
                    early_withdrawal_fee: Perbill::zero(),
                    ..params()
                },
                Error::<Test>::EarlyFeeBelowFee,
            ),
            (
                PoolParams {
                    early_withdrawal_fee: Perbill::from_percent(11),
                    ..params()
                },
                Error::<Test>::WithdrawalFeeTooHigh,
            ),
            (
                PoolParams {
                    insurance_share: Perbill::from_percent(51),
                    ..params()
                },
                Error::<Test>::InsuranceShareTooHigh,
            ),
            (
                PoolParams {
                    min_flow: 0,
                    ..params()
                },
                Error::<Test>::ZeroMinFlow,
            ),
        ];
        for (bad, err) in cases {
            let err = sp_runtime::DispatchError::from(err);
            assert_noop!(Pool::create_pool(RuntimeOrigin::root(), USDX, bad), err);
            assert_noop!(Pool::set_params(RuntimeOrigin::root(), TSLA, bad), err);
        }
        check();
    });
}

#[test]
fn flows_execute_at_the_start_of_the_next_block_with_exact_share_maths() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        // The request escrows the funds; nothing is priced in the block it was made.
        let before = tsla(ALICE);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            TSLA,
            Tranche::Main,
            3_000_000,
            0
        ));
        assert_eq!(tsla(ALICE), before - 3_000_000);
        assert_eq!(shares(Tranche::Main, ALICE), 0);
        assert_eq!(info().queued_deposits, 3_000_000);
        next_block();
        // First deposit: one share per unit.
        assert_eq!(shares(Tranche::Main, ALICE), 3_000_000);
        assert_eq!(info().main, 3_000_000);
        // The book gains 1,000,001 units: main's share by the one rule is 900,001 (insurance
        // has no LPs: its 100,000 belongs to the protocol's shares once someone buys in).
        MockBook::set(Ok(1_000_001));
        let (main_nav, ins_nav) = Pool::navs(TSLA).unwrap();
        assert_eq!((main_nav, ins_nav), (3_900_001, 100_000));
        // Bob's 1,000,000 buys floor(1e6 * 3e6 / 3_900_001) shares: rounded down, for the pool.
        deposit(BOB, Tranche::Main, 1_000_000);
        let bob = shares(Tranche::Main, BOB);
        assert_eq!(bob, 769_230);
        // After the cooldown, Bob redeems: floor(769_230 * 4_900_001 / 3_769_230) less 0.1%
        // (rounded up) - never more than he put in.
        later(DAY);
        let before = tsla(BOB);
        withdraw(BOB, Tranche::Main, bob);
        let gross = 769_230u128 * 4_900_001 / 3_769_230;
        let fee = (gross * 1_000_000).div_ceil(1_000_000_000);
        assert_eq!(tsla(BOB) - before, gross - fee);
        assert!(tsla(BOB) - before < 1_000_000);
        assert_eq!(shares(Tranche::Main, BOB), 0);
        // Bob holds no shares: his cooldown record is gone (no unbounded growth).
        assert!(!LastDeposit::<Test>::contains_key((
            TSLA,
            Tranche::Main,
            BOB
        )));
        assert_eq!(info().main, 4_000_000 - (gross - fee));
        check_exact();
    });
}

#[test]
fn an_early_withdrawal_pays_the_higher_fee() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        later(DAY - 3_001);
        withdraw(ALICE, Tranche::Main, 100_000);
        assert!(events().contains(&Event::Withdrawn {
            asset: TSLA,
            tranche: Tranche::Main,
            who: ALICE,
            shares: 100_000,
            amount: 99_000,
            fee: 1_000
        }));
        later(DAY);
        withdraw(ALICE, Tranche::Main, 100_000);
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
        check_exact();
    });
}

#[test]
fn bad_requests_are_refused_with_named_errors_and_bad_fills_are_refunded_whole() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        let d = |who, amount, min| {
            Pool::deposit(RuntimeOrigin::signed(who), TSLA, Tranche::Main, amount, min)
        };
        assert_noop!(
            Pool::deposit(RuntimeOrigin::signed(ALICE), USDX, Tranche::Main, 1_000, 0),
            Error::<Test>::UnknownPool
        );
        assert_noop!(d(ALICE, 0, 0), Error::<Test>::ZeroAmount);
        assert_noop!(d(ALICE, 999, 0), Error::<Test>::BelowMinimumFlow);
        deposit(ALICE, Tranche::Main, 1_000_000);
        assert_noop!(
            Pool::withdraw(RuntimeOrigin::signed(BOB), TSLA, Tranche::Main, 1_000, 0),
            Error::<Test>::InsufficientShares
        );
        assert_noop!(
            Pool::withdraw(RuntimeOrigin::signed(ALICE), TSLA, Tranche::Main, 999, 0),
            Error::<Test>::BelowMinimumFlow
        );
        // A fill worse than the limit is refunded whole at execution.
        let before = tsla(BOB);
        assert_ok!(d(BOB, 1_000, 1_001));
        next_block();
        assert_eq!(tsla(BOB), before);
        assert!(events().iter().any(|e| matches!(
            e,
            Event::RequestRefunded {
                who: BOB,
                reason: FlowRefusal::Slippage,
                ..
            }
        )));
        // NAV above realised capital: the tranche cannot pay out unrealised gains; the
        // shares come back.
        MockBook::set(Ok(10_000_000));
        later(DAY);
        withdraw(ALICE, Tranche::Main, 1_000_000);
        assert_eq!(shares(Tranche::Main, ALICE), 1_000_000);
        assert!(events().iter().any(|e| matches!(
            e,
            Event::RequestRefunded {
                who: ALICE,
                reason: FlowRefusal::TrancheCash,
                ..
            }
        )));
        // The book cannot be valued: the request waits at the head, nothing is refunded.
        MockBook::set(Err(PriceError::Stale));
        assert_ok!(d(BOB, 5_000, 0));
        next_block();
        next_block();
        assert_eq!(Queue::<Test>::get(TSLA).len(), 1);
        MockBook::set(Ok(0));
        next_block();
        assert!(Queue::<Test>::get(TSLA).is_empty());
        assert!(shares(Tranche::Main, BOB) > 0);
        check_exact();
    });
}

/// Issue 12, item 6 (second half): a queued withdrawal whose payment fails must not burn the
/// shares without paying. The settlement asset is frozen when the withdrawal executes: the
/// whole execution is undone and the shares come back.
#[test]
fn a_withdrawal_whose_payment_fails_keeps_the_shares() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        deposit(BOB, Tranche::Main, 1_000_000);
        later(DAY);
        assert_ok!(Pool::withdraw(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Main,
            400_000,
            0
        ));
        assert_ok!(Assets::freeze_asset(
            RuntimeOrigin::signed(ALICE),
            TSLA.into()
        ));
        next_block();
        assert_ok!(Assets::thaw_asset(
            RuntimeOrigin::signed(ALICE),
            TSLA.into()
        ));
        assert_eq!(shares(Tranche::Main, BOB), 1_000_000);
        assert_eq!(Pool::supply(info().main_share), 2_000_000);
        assert_eq!(info().main, 2_000_000);
        assert!(events().iter().any(|e| matches!(
            e,
            Event::RequestRefunded {
                who: BOB,
                reason: FlowRefusal::Other,
                ..
            }
        )));
        check_exact();
    });
}

/// Issue 12, item 6: dust requests cannot fill the queue, and one account cannot hold more
/// than `MaxRequestsPerAccount` places in it; a flooder gets every unit back.
#[test]
fn a_queue_flood_is_bounded_and_costs_the_flooder_nothing_but_is_refused() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        set_market_open(false);
        let before = tsla(CHARLIE);
        assert_noop!(
            Pool::deposit(RuntimeOrigin::signed(CHARLIE), TSLA, Tranche::Main, 1, 0),
            Error::<Test>::BelowMinimumFlow
        );
        for _ in 0..2 {
            assert_ok!(Pool::deposit(
                RuntimeOrigin::signed(CHARLIE),
                TSLA,
                Tranche::Main,
                1_000,
                0
            ));
        }
        assert_noop!(
            Pool::deposit(
                RuntimeOrigin::signed(CHARLIE),
                TSLA,
                Tranche::Main,
                1_000,
                0
            ),
            Error::<Test>::TooManyRequests
        );
        // Others still get in.
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Main,
            50_000,
            0
        ));
        assert_eq!(PendingRequests::<Test>::get(TSLA, CHARLIE), 2);
        // Closed all weekend: nothing executes, everything stays escrowed.
        next_block();
        assert_eq!(Queue::<Test>::get(TSLA).len(), 3);
        // Charlie cancels one; the rest execute at the open.
        let id = Queue::<Test>::get(TSLA)[0].id;
        assert_ok!(Pool::cancel_request(
            RuntimeOrigin::signed(CHARLIE),
            TSLA,
            id
        ));
        assert_noop!(
            Pool::cancel_request(
                RuntimeOrigin::signed(BOB),
                TSLA,
                Queue::<Test>::get(TSLA)[0].id
            ),
            Error::<Test>::NotRequester
        );
        assert_noop!(
            Pool::cancel_request(RuntimeOrigin::signed(CHARLIE), TSLA, id),
            Error::<Test>::UnknownRequest
        );
        set_market_open(true);
        next_block();
        assert!(Queue::<Test>::get(TSLA).is_empty());
        assert_eq!(PendingRequests::<Test>::iter().count(), 0);
        assert_eq!(tsla(CHARLIE), before - 1_000);
        assert_eq!(shares(Tranche::Main, CHARLIE), 1_000);
        check_exact();
    });
}

#[test]
fn flows_wait_for_the_open_and_a_fresh_price() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        later(DAY);
        set_market_open(false);
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
        assert_eq!(info().queued_deposits, 500_000);
        next_block();
        assert_eq!(Queue::<Test>::get(TSLA).len(), 2);
        // Monday: open, but the price is not fresh yet.
        set_market_open(true);
        set_fresh(false);
        next_block();
        assert_eq!(Queue::<Test>::get(TSLA).len(), 2);
        // A fresh post-open price (the book gained 100,000 over the weekend).
        set_fresh(true);
        MockBook::set(Ok(100_000));
        next_block();
        assert!(Queue::<Test>::get(TSLA).is_empty());
        assert!(QueuedPools::<Test>::get().is_empty());
        // Bob bought at the Monday NAV: 1,000,000 + 90,000 for 1,000,000 shares.
        assert_eq!(shares(Tranche::Main, BOB), 500_000 * 1_000_000 / 1_090_000);
        assert_eq!(info().queued_deposits, 0);
        check_exact();
    });
}

/// Issue 12, item 1, at the ledger: one trader's profit paid and another's equal loss
/// received leave both tranches exactly where they were (the old ledger took the profit from
/// insurance and gave 90% of the loss to main).
#[test]
fn a_flat_book_leaves_both_tranches_where_they_were() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 5_000_000);
        deposit(BOB, Tranche::Insurance, 1_000_000);
        let start = (info().main, info().insurance);
        for amount in [600_000, 1, 999, 123_457] {
            assert_eq!(Pool::pay(TSLA, &CHARLIE, amount), Ok(0));
            assert_ok!(Pool::receive(TSLA, &POT, amount, Inflow::Gain));
            assert_eq!((info().main, info().insurance), start);
        }
        // An outflow splits by the same rule as an inflow: 10% from insurance.
        assert_eq!(Pool::pay(TSLA, &CHARLIE, 1_000_000), Ok(0));
        assert_eq!((info().main, info().insurance), (4_100_000, 900_000));
        assert!(events().contains(&Event::Paid {
            asset: TSLA,
            to: CHARLIE,
            from_main: 900_000,
            from_insurance: 100_000,
            shortfall: 0
        }));
        check_exact();
    });
}

/// Issue 12, item 5: a tranche whose capital reaches zero keeps its shareholders while the
/// book still owes it value; a tranche with shares and no value refuses new money until its
/// capital is gone too, then retires the old token.
#[test]
fn a_tranche_at_zero_capital_is_not_wiped_out_while_it_has_value() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 5_000_000);
        deposit(BOB, Tranche::Insurance, 1_000_000);
        let old_ins = info().insurance_share;
        // Profits of 10,000,000 paid: insurance pays its 1,000,000, main the rest of what it
        // can; 4,000,000 cannot be paid.
        assert_eq!(Pool::pay(TSLA, &CHARLIE, 10_000_000), Ok(4_000_000));
        assert_eq!((info().main, info().insurance), (0, 0));
        assert_eq!(info().insurance_share, old_ins);
        // The book owes the pool 2,000,000 (traders' open losses): insurance's NAV is 200,000.
        MockBook::set(Ok(2_000_000));
        assert_eq!(Pool::navs(TSLA).unwrap(), (1_800_000, 200_000));
        // A new insurance LP buys in at that NAV: Bob's shares keep their value.
        deposit(CHARLIE, Tranche::Insurance, 100_000);
        assert_eq!(
            shares(Tranche::Insurance, CHARLIE),
            100_000 * 1_000_000 / 200_000
        );
        assert_eq!(info().insurance_share, old_ins);
        // Now the book owes traders: main has shares, no capital and a loss to bear. New
        // money would pay it: refused, and refunded whole.
        MockBook::set(Ok(-1_000_000));
        let before = tsla(CHARLIE);
        deposit(CHARLIE, Tranche::Main, 10_000);
        assert_eq!(tsla(CHARLIE), before);
        assert!(events().iter().any(|e| matches!(
            e,
            Event::RequestRefunded {
                who: CHARLIE,
                reason: FlowRefusal::TrancheUnderwater,
                ..
            }
        )));
        // The book is flat again: main's old shares are worth nothing and are retired.
        MockBook::set(Ok(0));
        let old_main = info().main_share;
        deposit(CHARLIE, Tranche::Main, 10_000);
        assert_ne!(info().main_share, old_main);
        assert_eq!(
            pallet_assets::Asset::<Test>::get(old_main).unwrap().status,
            pallet_assets::AssetStatus::Frozen
        );
        assert_eq!(shares(Tranche::Main, CHARLIE), 10_000);
        check_exact();
    });
}

#[test]
fn a_tranche_with_shares_capital_and_no_value_refuses_deposits() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        // The book owes traders more than main holds.
        MockBook::set(Ok(-2_000_000));
        let before = tsla(BOB);
        deposit(BOB, Tranche::Main, 10_000);
        assert_eq!(tsla(BOB), before);
        assert!(events().iter().any(|e| matches!(
            e,
            Event::RequestRefunded {
                who: BOB,
                reason: FlowRefusal::TrancheUnderwater,
                ..
            }
        )));
        check_exact();
    });
}

/// Issue 12, item 5 (no LPs): inflows to a pool with no LPs are still the pool's (it is the
/// counterparty of open positions): they belong to the protocol as shares, and a later LP
/// buys in at NAV instead of taking them for free.
#[test]
fn value_without_lps_belongs_to_the_protocol_as_shares() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        assert_ok!(Pool::receive(TSLA, &POT, 1_000_000, Inflow::Gain));
        assert_eq!((info().main, info().insurance), (900_000, 100_000));
        assert_eq!(shares(Tranche::Main, Protocol::get()), 900_000);
        assert_eq!(shares(Tranche::Insurance, Protocol::get()), 100_000);
        deposit(ALICE, Tranche::Main, 900_000);
        assert_eq!(shares(Tranche::Main, ALICE), 900_000);
        // An empty tranche whose book share is positive: the protocol gets shares for it
        // before the first LP buys in.
        create(USDX);
        MockBook::set(Ok(1_000));
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(ALICE),
            USDX,
            Tranche::Main,
            9_000,
            0
        ));
        next_block();
        let usdx = Pools::<Test>::get(USDX).unwrap();
        assert_eq!(Assets::balance(usdx.main_share, Protocol::get()), 900);
        assert_eq!(Assets::balance(usdx.main_share, ALICE), 9_000);
        check();
    });
}

#[test]
fn inflows_split_by_kind() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        deposit(BOB, Tranche::Insurance, 1_000_000);
        let protocol = tsla(999);
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Fee));
        assert_eq!((info().main, info().insurance), (1_000_600, 1_000_300));
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Gain));
        assert_eq!((info().main, info().insurance), (1_001_500, 1_000_400));
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Penalty));
        assert_eq!((info().main, info().insurance), (1_001_500, 1_001_400));
        assert_eq!(tsla(999), protocol + 100);
        check_exact();
    });
}

/// A pool of 5,000,000 in main and 1,000,000 in insurance that then paid out all of it and
/// owes a claim of `owed` more (none if 0).
fn pool_owing(owed: Balance) {
    create(TSLA);
    deposit(ALICE, Tranche::Main, 5_000_000);
    deposit(BOB, Tranche::Insurance, 1_000_000);
    if owed > 0 {
        assert_eq!(Pool::pay(TSLA, &POT, 6_000_000 + owed), Ok(owed));
        Pool::record_claim(TSLA, &CHARLIE, owed);
    }
}

/// Everything the ledger and the three token accounts say, to compare two runs: tranches,
/// claims' cash, (NAVs, capital), and the pot's, protocol's and pool account's tokens.
type PoolState = (
    (Balance, Balance),
    Option<Balance>,
    ((Balance, Balance), Balance),
    [Balance; 3],
);
fn pool_state() -> PoolState {
    (
        (info().main, info().insurance),
        Deficits::<Test>::get(TSLA).map(|d| d.reserve),
        (Pool::navs(TSLA).unwrap(), Pool::capital(TSLA)),
        [tsla(POT), tsla(Protocol::get()), tsla(Pool::account(TSLA))],
    )
}

/// A trade's fee, latency fee and loss reach the pool in one receipt: it leaves the tranches,
/// the claims' reserve, the pool's and the protocol's tokens exactly where the same inflows
/// received one by one leave them, with a deficit the first parts pay off and without one.
#[test]
fn one_receipt_of_several_inflows_is_the_same_as_each_received_alone() {
    let parts = [
        (Inflow::Fee, 1_234_567),
        (Inflow::LatencyFee, 0),
        (Inflow::LatencyFee, 333_333),
        (Inflow::Gain, 987_654),
        (Inflow::Penalty, 55_555),
    ];
    for owed in [0, 1_500_000, 10_000_000] {
        let run = |together: bool| {
            new_test_ext().execute_with(|| {
                pool_owing(owed);
                if together {
                    assert_ok!(Pool::receive_all(TSLA, &POT, &parts));
                } else {
                    for (kind, amount) in parts {
                        assert_ok!(Pool::receive(TSLA, &POT, amount, kind));
                    }
                }
                check_exact();
                let received = events()
                    .into_iter()
                    .filter(|e| matches!(e, Event::Received { .. }))
                    .count();
                (pool_state(), received)
            })
        };
        let (one_by_one, together) = (run(false), run(true));
        assert_eq!(together, one_by_one, "owed {owed}");
        // Each non-zero part is reported with its own split.
        assert_eq!(together.1, 4);
    }
}

/// Issue 19: a block's trades book their inflows at once and pay their cash at the block's
/// end. Within the block every ledger value (tranches, claims' cash, NAV, capital) is what
/// receiving each inflow at once gives, so no LP flow or trade in the block sees the pool
/// without them; at the block's end the three token accounts are exactly where immediate
/// receipts leave them, in one move to the pool and one to the protocol.
#[test]
fn accrued_inflows_count_at_once_and_their_cash_moves_at_the_blocks_end() {
    let trades = [
        [
            (Inflow::Fee, 1_234_567),
            (Inflow::LatencyFee, 333_333),
            (Inflow::Gain, 0),
        ],
        [
            (Inflow::Fee, 7),
            (Inflow::LatencyFee, 1),
            (Inflow::Gain, 987_654),
        ],
        [
            (Inflow::Fee, 50_001),
            (Inflow::LatencyFee, 0),
            (Inflow::Gain, 3),
        ],
    ];
    for owed in [0, 1_500_000] {
        let run = |accrue: bool| {
            new_test_ext().execute_with(|| {
                pool_owing(owed);
                let cash_before = [tsla(POT), tsla(Protocol::get()), tsla(Pool::account(TSLA))];
                System::reset_events();
                for parts in &trades {
                    if accrue {
                        assert_ok!(Pool::accrue_all(TSLA, &POT, parts));
                    } else {
                        assert_ok!(Pool::receive_all(TSLA, &POT, parts));
                    }
                    check();
                }
                let in_block = pool_state();
                if accrue {
                    // No token has moved yet; the pot owes all of it.
                    assert_eq!(in_block.3, cash_before);
                    let total: Balance = trades.iter().flatten().map(|(_, a)| a).sum();
                    assert_eq!(Pool::receivable(TSLA, &POT), total);
                    assert_eq!(Pool::receivable(TSLA, &ALICE), 0);
                }
                next_block();
                assert!(Receivables::<Test>::get(TSLA).is_none());
                check_exact();
                let settled = events()
                    .into_iter()
                    .filter(|e| matches!(e, Event::ReceivableSettled { .. }))
                    .count();
                (in_block.0, in_block.1, in_block.2, pool_state(), settled)
            })
        };
        let (now, later) = (run(false), run(true));
        // The ledger within the block and everything at its end are the same.
        assert_eq!(
            (later.0, later.1, later.2, later.3),
            (now.0, now.1, now.2, now.3),
            "owed {owed}"
        );
        assert_eq!((now.4, later.4), (0, 1));
    }
}

/// Issue 19: paying the pot (a trader's profit) while it owes the pool nets the two: only the
/// difference moves, and the block ends where immediate moves would have left it.
#[test]
fn paying_the_pot_nets_against_what_it_owes() {
    let run = |accrue: bool| {
        new_test_ext().execute_with(|| {
            create(TSLA);
            deposit(ALICE, Tranche::Main, 5_000_000);
            let fee = [(Inflow::Fee, 100_000), (Inflow::Gain, 200_000)];
            let book = |parts: &[(Inflow, Balance)]| {
                if accrue {
                    Pool::accrue_all(TSLA, &POT, parts)
                } else {
                    Pool::receive_all(TSLA, &POT, parts)
                }
            };
            assert_ok!(book(&fee));
            let pool_cash = tsla(Pool::account(TSLA));
            // Less than the pot owes the pool (290,000): no token moves.
            assert_eq!(Pool::pay(TSLA, &POT, 250_000), Ok(0));
            if accrue {
                assert_eq!(tsla(Pool::account(TSLA)), pool_cash);
                assert_eq!(Pool::receivable(TSLA, &POT), 40_000 + 10_000);
            }
            check();
            // More than it owes now: the difference moves.
            assert_eq!(Pool::pay(TSLA, &POT, 100_000), Ok(0));
            if accrue {
                assert_eq!(tsla(Pool::account(TSLA)), pool_cash - 60_000);
                assert_eq!(Pool::receivable(TSLA, &POT), 10_000);
            }
            check();
            // Another account is paid in full, after the receivable moved.
            assert_eq!(Pool::pay(TSLA, &CHARLIE, 30_000), Ok(0));
            assert_eq!(Pool::receivable(TSLA, &POT), 0);
            check();
            assert_ok!(book(&fee));
            next_block();
            check_exact();
            pool_state()
        })
    };
    assert_eq!(run(true), run(false));
}

/// Issue 19, as an attacker: cash leaves the pool account (a claim paid, a queued deposit
/// cancelled, the protocol settling claims) only after the block's receivable reached it, so
/// a claimant paid from this block's inflows is paid in full and nobody is paid from tokens
/// the pool does not hold.
#[test]
fn cash_leaves_the_pool_only_after_the_receivable_reached_it() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        // The pool pays out everything it has and owes Charlie 500,000 more.
        assert_eq!(Pool::pay(TSLA, &POT, 1_500_000), Ok(500_000));
        Pool::record_claim(TSLA, &CHARLIE, 500_000);
        assert_eq!(tsla(Pool::account(TSLA)), 0);
        // A queued deposit of Bob's sits in the pool account.
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Main,
            100_000,
            0
        ));
        let request = Queue::<Test>::get(TSLA)[0].id;
        // This block's trades owe 300,000: all of it is the claims' cash.
        assert_ok!(Pool::accrue_all(TSLA, &POT, &[(Inflow::Gain, 300_000)]));
        assert_eq!(Deficits::<Test>::get(TSLA).unwrap().reserve, 300_000);
        assert_eq!(tsla(Pool::account(TSLA)), 100_000);
        check();
        // Charlie claims in the same block: the cash arrives first, he gets all 300,000 and
        // Bob's escrow is untouched.
        let charlie = tsla(CHARLIE);
        assert_ok!(Pool::claim(RuntimeOrigin::signed(CHARLIE), TSLA));
        assert_eq!(tsla(CHARLIE), charlie + 300_000);
        assert_eq!(tsla(Pool::account(TSLA)), 100_000);
        check_exact();
        // Bob cancels: his escrow comes back whole.
        let bob = tsla(BOB);
        assert_ok!(Pool::cancel_request(
            RuntimeOrigin::signed(BOB),
            TSLA,
            request
        ));
        assert_eq!(tsla(BOB), bob + 100_000);
        next_block();
        check_exact();
    });
    // The protocol pays toward claims from its account only with its share of the block's
    // fees in hand.
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        let protocol = tsla(Protocol::get());
        assert_ok!(Pool::accrue_all(TSLA, &POT, &[(Inflow::Fee, 1_000)]));
        assert_eq!(Pool::receivable(TSLA, &POT), 1_000);
        // The pool pays the pot everything (netting the 900 the pot owes it) and owes more.
        assert_eq!(Pool::pay(TSLA, &POT, 2_000_000), Ok(999_100));
        Pool::record_claim(TSLA, &CHARLIE, 999_100);
        assert_eq!(Pool::receivable(TSLA, &POT), 100);
        check();
        assert_ok!(Pool::settle_deficit(
            RuntimeOrigin::root(),
            TSLA,
            protocol + 100
        ));
        assert_eq!(Deficits::<Test>::get(TSLA).unwrap().reserve, protocol + 100);
        assert_eq!(
            (tsla(Protocol::get()), Pool::receivable(TSLA, &POT)),
            (0, 0)
        );
        check_exact();
        next_block();
        check_exact();
    });
}

/// Issue 19: a receivable that cannot move at the block's end (the asset frozen) stays owed,
/// counted by the ledger, is charged to the next block's `on_initialize`, and moves at the
/// next block's end: nothing is lost or paid twice.
#[test]
fn a_receivable_that_cannot_move_waits_for_the_next_blocks_end() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        let cash = [tsla(POT), tsla(Protocol::get()), tsla(Pool::account(TSLA))];
        assert_ok!(Pool::accrue_all(TSLA, &POT, &[(Inflow::Fee, 10_000)]));
        let main = info().main;
        assert_ok!(Assets::freeze_asset(
            RuntimeOrigin::signed(ALICE),
            TSLA.into()
        ));
        Pool::on_finalize(System::block_number());
        assert!(events()
            .iter()
            .any(|e| matches!(e, Event::ReceivableDeferred { asset: TSLA, .. })));
        assert_eq!(Pool::receivable(TSLA, &POT), 10_000);
        assert_eq!(
            [tsla(POT), tsla(Protocol::get()), tsla(Pool::account(TSLA))],
            cash
        );
        check();
        System::set_block_number(System::block_number() + 1);
        let quiet = {
            let n = System::block_number();
            Pool::on_initialize(n)
        };
        assert!(quiet.ref_time() >= <() as crate::WeightInfo>::settle_receivable().ref_time());
        assert_ok!(Assets::thaw_asset(
            RuntimeOrigin::signed(ALICE),
            TSLA.into()
        ));
        next_block();
        assert_eq!(Pool::receivable(TSLA, &POT), 0);
        assert_eq!(info().main, main);
        assert_eq!(
            [tsla(POT), tsla(Protocol::get()), tsla(Pool::account(TSLA))],
            [cash[0] - 10_000, cash[1] + 1_000, cash[2] + 9_000]
        );
        check_exact();
    });
}

/// Issue 19: a corporate action of the settlement stock starts with the block's receivable
/// moved (`prepare`), so a split finds the pool account equal to its ledger and takes nothing
/// off the tranches as reaped dust.
#[test]
fn a_split_finds_the_receivable_moved() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        assert_ok!(Pool::accrue_all(TSLA, &POT, &[(Inflow::Gain, 300_000)]));
        let main = info().main;
        assert_ok!(<Pool as perpetua_primitives::CorporateActionHandler<
            AccountId,
        >>::prepare(TSLA));
        assert_eq!(Pool::receivable(TSLA, &POT), 0);
        split_pool(2, 1);
        assert_eq!(info().main, main * 2);
        check_exact();
        next_block();
        check_exact();
    });
}

/// Issue 12, item 4: bad debt is not a deficit (the pool owes nobody for it); insurance bears
/// it first.
#[test]
fn bad_debt_falls_on_insurance_and_opens_no_deficit() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 5_000_000);
        deposit(BOB, Tranche::Insurance, 1_000_000);
        // A bankrupt trader leaves 1,000,000 unpaid: insurance makes main whole for its 90%.
        assert_eq!(Pool::absorb_loss(TSLA, 1_000_000), 0);
        assert_eq!((info().main, info().insurance), (5_900_000, 100_000));
        // Far beyond insurance: main bears the rest of its share; still no deficit.
        assert_eq!(Pool::absorb_loss(TSLA, 10_000_000), 8_900_000);
        assert_eq!(info().insurance, 0);
        assert!(Deficits::<Test>::get(TSLA).is_none());
        assert_eq!(Pool::insolvency(TSLA), 0);
        check_exact();
    });
}

/// Issue 12, item 4: what the pool cannot pay is a claim, paid first from the next inflows;
/// the admin can settle it from the protocol account.
#[test]
fn a_real_shortfall_is_a_claim_paid_from_the_next_inflows() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        assert_eq!(Pool::pay(TSLA, &POT, 1_500_000), Ok(500_000));
        Pool::record_claim(TSLA, &CHARLIE, 500_000);
        assert_eq!(
            Deficits::<Test>::get(TSLA).unwrap(),
            DeficitLedger {
                owed: 500_000,
                reserve: 0,
                ..Default::default()
            }
        );
        // The pool's equity is 500,000 below zero: deleveraging territory.
        assert_eq!(Pool::insolvency(TSLA), 500_000);
        // Main has shares and no value: NAV counts the claim as a liability.
        assert_eq!(Pool::navs(TSLA).unwrap(), (0, 0));
        assert_noop!(
            Pool::claim(RuntimeOrigin::signed(CHARLIE), TSLA),
            Error::<Test>::NothingToClaim
        );
        // A trader's loss comes in: it pays claims first.
        assert_ok!(Pool::receive(TSLA, &POT, 300_000, Inflow::Gain));
        assert_eq!(info().main, 0);
        assert_eq!(Pool::insolvency(TSLA), 200_000);
        assert_noop!(
            Pool::claim(RuntimeOrigin::signed(BOB), TSLA),
            Error::<Test>::NothingToClaim
        );
        let before = tsla(CHARLIE);
        assert_ok!(Pool::claim(RuntimeOrigin::signed(CHARLIE), TSLA));
        assert_eq!(tsla(CHARLIE), before + 300_000);
        assert_eq!(Claims::<Test>::get(TSLA, CHARLIE), Some(200_000));
        check_exact();
        // The admin settles the rest from the protocol account.
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(ALICE),
            TSLA.into(),
            Protocol::get(),
            1_000_000
        ));
        assert_noop!(
            Pool::settle_deficit(RuntimeOrigin::signed(ALICE), TSLA, 1),
            BadOrigin
        );
        assert_ok!(Pool::settle_deficit(
            RuntimeOrigin::root(),
            TSLA,
            10_000_000
        ));
        assert_eq!(Deficits::<Test>::get(TSLA).unwrap().reserve, 200_000);
        assert_ok!(Pool::claim(RuntimeOrigin::signed(CHARLIE), TSLA));
        assert!(Deficits::<Test>::get(TSLA).is_none());
        assert_eq!(tsla(CHARLIE), before + 500_000);
        assert_noop!(
            Pool::settle_deficit(RuntimeOrigin::root(), TSLA, 1),
            Error::<Test>::NoDeficit
        );
        // Inflows go to the tranches again.
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Gain));
        assert_eq!(info().main, 900);
        check_exact();
    });
}

#[test]
fn risk_limits_refuse_what_they_should() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 3_000_000);
        // Capital 3,000,000 backs at most 2,000,000 of required margin (ratio 1.5).
        assert_ok!(Pool::set_required_margin(TSLA, 2_000_000, true));
        assert_noop!(
            Pool::set_required_margin(TSLA, 2_000_001, true),
            Error::<Test>::LiquidityLimit
        );
        assert_ok!(Pool::set_required_margin(TSLA, 2_500_000, false));
        assert_ok!(Pool::set_required_margin(TSLA, 1_000_000, false));
        // A withdrawal leaving less than 1.5 x 1,000,000 is refunded; a smaller one executes.
        later(DAY);
        withdraw(ALICE, Tranche::Main, 1_600_000);
        assert!(events().iter().any(|e| matches!(
            e,
            Event::RequestRefunded {
                reason: FlowRefusal::LiquidityLimit,
                ..
            }
        )));
        withdraw(ALICE, Tranche::Main, 1_400_000);
        assert_eq!(shares(Tranche::Main, ALICE), 1_600_000);
        let cap = info().capital();
        assert_ok!(Pool::check_net_delta(TSLA, cap / 2));
        assert_noop!(
            Pool::check_net_delta(TSLA, cap / 2 + 1),
            Error::<Test>::NetDeltaLimit
        );
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
        check_exact();
    });
}

#[test]
fn surplus_is_swept_to_insurance_and_splits_rescale_the_ledger() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        deposit(BOB, Tranche::Insurance, 500_000);
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
        check_exact();
        // pallet-equities splits the pool account first, then tells the pool.
        let held = Assets::balance(TSLA, Pool::account(TSLA));
        assert_ok!(
            <Assets as frame_support::traits::fungibles::Mutate<_>>::mint_into(
                TSLA,
                &Pool::account(TSLA),
                2 * held
            )
        );
        <Pool as perpetua_primitives::CorporateActionHandler<AccountId>>::on_split(TSLA, 3, 1);
        assert_eq!((info().main, info().insurance), (3_000_000, 1_502_331));
        check_exact();
    });
}

#[test]
fn a_reverse_split_that_reaps_the_pool_accounts_dust_takes_it_off_insurance() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        deposit(BOB, Tranche::Insurance, 500_003);
        check_exact();
        // A 1:10 split of the pool account, of which pallet-assets reaped 3 units of dust
        // (as it does below the minimum balance): the account holds 150,000 where the
        // ledger scales to 150,000 (rounded down per tranche) and a little more before.
        let held = Assets::balance(TSLA, Pool::account(TSLA));
        let after = held / 10 - 1;
        assert_ok!(
            <Assets as frame_support::traits::fungibles::Mutate<_>>::burn_from(
                TSLA,
                &Pool::account(TSLA),
                held - after,
                frame_support::traits::tokens::Preservation::Expendable,
                frame_support::traits::tokens::Precision::Exact,
                frame_support::traits::tokens::Fortitude::Force,
            )
        );
        <Pool as perpetua_primitives::CorporateActionHandler<AccountId>>::on_split(TSLA, 1, 10);
        // Main keeps its exact tenth; insurance bears the unit lost.
        assert_eq!((info().main, info().insurance), (100_000, 49_999));
        assert_eq!(Pool::recorded(TSLA, &info()), after);
        check_exact();
    });
}

#[test]
fn insurance_takes_no_ordinary_result_by_default() {
    new_test_ext().execute_with(|| {
        let params = PoolParams {
            min_flow: 1_000,
            ..Default::default()
        };
        assert_eq!(params.insurance_share, Perbill::zero());
        assert_ok!(Pool::create_pool(RuntimeOrigin::root(), TSLA, params));
        deposit(ALICE, Tranche::Main, 5_000_000);
        deposit(BOB, Tranche::Insurance, 1_000_000);
        assert_eq!(Pool::pay(TSLA, &CHARLIE, 600_000), Ok(0));
        assert_ok!(Pool::receive(TSLA, &POT, 100_000, Inflow::Gain));
        MockBook::set(Ok(-300_000));
        assert_eq!((info().main, info().insurance), (4_500_000, 1_000_000));
        assert_eq!(Pool::navs(TSLA).unwrap(), (4_200_000, 1_000_000));
        // Only bad debt reaches insurance.
        MockBook::set_uncollectible(250_000);
        assert_eq!(Pool::navs(TSLA).unwrap(), (4_200_000, 750_000));
        check_exact();
    });
}

/// The curve's depth follows capital only over `depth_smoothing`: a flow of capital in one
/// block does not move it; a day later it has caught up. A new pool starts at its capital.
#[test]
fn the_curves_depth_follows_capital_slowly() {
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        assert_eq!(Pool::depth(TSLA), 1_000_000);
        deposit(BOB, Tranche::Main, 1_000_000);
        // One block later: a 3-second step of a day's smoothing.
        let d = Pool::depth(TSLA);
        assert!((1_000_000..1_000_100).contains(&d), "{d}");
        // A trader's profit paid now does not move it in this block.
        assert_eq!(Pool::pay(TSLA, &CHARLIE, 500_000), Ok(0));
        assert_eq!(Pool::depth(TSLA), d);
        later(DAY);
        assert_eq!(Pool::depth(TSLA), info().capital());
        // Emptied, the pool keeps its depth (decaying over a day): a fee landing in it does
        // not become the whole curve.
        let capital = info().capital();
        assert_eq!(Pool::pay(TSLA, &CHARLIE, capital), Ok(0));
        assert_ok!(Pool::receive(TSLA, &POT, 1_000, Inflow::Fee));
        assert_eq!(Pool::depth(TSLA), capital);
        check();
    });
}

/// What pallet-equities does to the pool on a split: the pool account split in the declaring
/// call, then the pool told.
fn split_pool(n: u32, d: u32) {
    use frame_support::traits::{
        fungibles::Mutate,
        tokens::{Fortitude, Precision, Preservation},
    };
    let pot = Pool::account(TSLA);
    let held = tsla(pot);
    let new = held * n as u128 / d as u128;
    if new > held {
        Assets::mint_into(TSLA, &pot, new - held).unwrap();
    } else {
        Assets::burn_from(
            TSLA,
            &pot,
            held - new,
            Preservation::Expendable,
            Precision::Exact,
            Fortitude::Force,
        )
        .unwrap();
    }
    <Pool as perpetua_primitives::CorporateActionHandler<AccountId>>::on_split(TSLA, n, d);
}

/// Claims are carried through a split one by one: on touch (a claim paid, a claim added) or by
/// the walk; meanwhile `owed` counts those carried through and the split's `unscaled` the
/// others, and every claim is paid in post-split units.
#[test]
fn a_split_carries_every_claim_through() {
    use perpetua_primitives::CorporateActionHandler;
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        assert_eq!(Pool::pay(TSLA, &POT, 1_900_000), Ok(900_000));
        Pool::record_claim(TSLA, &CHARLIE, 600_001);
        Pool::record_claim(TSLA, &BOB, 299_999);
        // 300,000 comes in: the claims' cash.
        assert_ok!(Pool::receive(TSLA, &POT, 300_000, Inflow::Gain));
        check_exact();
        split_pool(3, 1);
        let d = Deficits::<Test>::get(TSLA).unwrap();
        assert_eq!(d.owed, 0);
        assert_eq!(d.split.as_ref().unwrap().unscaled, 900_000);
        assert_eq!(d.total_owed(), 2_700_000);
        assert_eq!(d.reserve, 900_000);
        check_exact();
        // Charlie claims before the walk reaches him: carried through first, paid post-split.
        let before = tsla(CHARLIE);
        assert_ok!(Pool::claim(RuntimeOrigin::signed(CHARLIE), TSLA));
        assert_eq!(tsla(CHARLIE), before + 900_000);
        assert_eq!(
            Claims::<Test>::get(TSLA, CHARLIE),
            Some(1_800_003 - 900_000)
        );
        check_exact();
        assert!(<Pool as CorporateActionHandler<AccountId>>::pending(TSLA));
        // The walk carries Bob through, once.
        while <Pool as CorporateActionHandler<AccountId>>::pending(TSLA) {
            <Pool as CorporateActionHandler<AccountId>>::process(TSLA, 1);
            check_exact();
        }
        assert_eq!(Claims::<Test>::get(TSLA, BOB), Some(899_997));
        let d = Deficits::<Test>::get(TSLA).unwrap();
        assert_eq!(d.owed, 900_003 + 899_997);
        assert!(d.split.is_none());
        // A new claim after the split is in post-split units.
        Pool::record_claim(TSLA, &BOB, 3);
        assert_eq!(Claims::<Test>::get(TSLA, BOB), Some(900_000));
        check_exact();
    });
}

/// Without pallet-equities (`PlainAssets`), a dividend on the pool's stock cannot be passed on
/// to the share tokens' holders: queued depositors are paid, the rest goes back to the funder
/// at once; nothing stays in the pool account.
#[test]
fn a_dividend_without_a_distributor_goes_back_to_the_funder() {
    use frame_support::traits::fungibles::Mutate;
    use perpetua_primitives::{CorporateActionHandler, DividendTerms};
    new_test_ext().execute_with(|| {
        create(TSLA);
        deposit(ALICE, Tranche::Main, 1_000_000);
        set_market_open(false);
        assert_ok!(Pool::deposit(
            RuntimeOrigin::signed(BOB),
            TSLA,
            Tranche::Main,
            10_000,
            0
        ));
        let pot = Pool::account(TSLA);
        let terms = DividendTerms {
            paid_in: Some(USDX),
            per_share: 3,
            unit: 10,
            funder: CHARLIE,
        };
        // The pot's minimum balance, then its dividend on 1,010,000.
        Assets::mint_into(USDX, &pot, 1).unwrap();
        Assets::mint_into(USDX, &pot, 303_000).unwrap();
        <Pool as CorporateActionHandler<AccountId>>::on_dividend(TSLA, &pot, &terms, 303_000);
        assert_eq!(Assets::balance(USDX, BOB), 3_000);
        assert_eq!(Assets::balance(USDX, CHARLIE), 300_000);
        assert_eq!(Assets::balance(USDX, pot), 1);
        check_exact();
    });
}
