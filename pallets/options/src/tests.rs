use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok};
use perpetua_primitives::{CryptoIndex, PriceError};
use sp_runtime::{
    traits::{BadOrigin, One, Zero},
    FixedPointNumber, Perbill,
};

const CALL: SeriesId = 0;
const PUT: SeriesId = 1;
const FAR: Moment = START + 86_400_000;

fn setup() {
    assert_ok!(Options::create_market(
        RuntimeOrigin::root(),
        CryptoIndex::Btc,
        TSLA,
        MarketParams::default()
    ));
    assert_ok!(Options::list_series(
        RuntimeOrigin::root(),
        0,
        p(100_000),
        OptionKind::Call
    ));
    assert_ok!(Options::list_series(
        RuntimeOrigin::root(),
        0,
        p(100_000),
        OptionKind::Put
    ));
    assert_ok!(Options::deposit(
        RuntimeOrigin::signed(BOB),
        TSLA,
        1_000 * TSLA_UNIT
    ));
    assert_ok!(Options::deposit(
        RuntimeOrigin::signed(CAROL),
        TSLA,
        1_000 * TSLA_UNIT
    ));
}

fn collateral(who: AccountId) -> Balance {
    Accounts::<Test>::get(TSLA, who).collateral
}

fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| {
            if let RuntimeEvent::Options(e) = r.event {
                Some(e)
            } else {
                None
            }
        })
        .collect()
}

fn pool_events() -> Vec<pallet_pool::Event<Test>> {
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

fn limit(x: f64) -> FixedU128 {
    FixedU128::from_inner((x * 1e18) as u128)
}

fn f(x: FixedU128) -> f64 {
    x.into_inner() as f64 / 1e18
}

/// The whole TSLA of traders' collateral, the pool's capital and the protocol: conserved to the
/// unit by every trade, funding payment and settlement.
fn system_tsla() -> Balance {
    let pool = pallet_pool::Pools::<Test>::get(TSLA).unwrap();
    TotalCollateral::<Test>::get(TSLA) + pool.main + pool.insurance + protocol_balance(TSLA)
}

fn last_traded() -> (FixedU128, Balance, i128) {
    events()
        .into_iter()
        .rev()
        .find_map(|e| match e {
            Event::Traded {
                price,
                fee,
                realised,
                ..
            } => Some((price, fee, realised)),
            _ => None,
        })
        .unwrap()
}

#[test]
fn a_call_life_cycle_funding_then_a_profit_paid_in_tsla() {
    new_test_ext().execute_with(|| {
        setup();
        let total = system_tsla();
        // Bob buys 10 BTC calls (0.01 BTC each) at no more than 12 USD a contract.
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            CALL,
            10,
            limit(12.0),
            START + 60_000
        ));
        let (price, fee, _) = last_traded();
        // The theoretical price of an ATM everlasting call is K/u per BTC: ~11.10 USD a contract,
        // moved up by the pool's exposure: 1 + 0.2 * 10 / (2 * 4,400 contracts of liquidity).
        let tv = time_value(100_000.0, 100_000.0, 0.6, 86_400.0) / 100.0;
        let liquidity = 11_000.0 * 400.0 / 1_000.0;
        let expected = tv * (1.0 + 0.2 * 10.0 / (2.0 * liquidity));
        assert!(
            (f(price) - expected).abs() < 1e-9 * expected,
            "{} vs {expected}",
            f(price)
        );
        // Fee: 0.03% of 10,000 USD of notional = 3 USD (below 12.5% of premium), plus the
        // latency fee: 0.05% of the contracts' delta and vega exposure, in TSLA at 400 USD.
        let q = valuation::quote_at(
            &SeriesBook::<Test>::get(CALL).unwrap(),
            &Markets::<Test>::get(0).unwrap(),
            Fixed::from_integer(100_000).unwrap(),
            Fixed::from_rational(6, 10).unwrap(),
        )
        .unwrap();
        let g = |x: Fixed| x.into_inner() as f64 / 1e18;
        let exposure = 0.1 * (g(q.delta).abs() * 100_000.0 + g(q.vega).abs() * 0.6);
        let want = (3.0 + 0.0005 * exposure) / 400.0 * 1e12;
        assert!((fee as f64 - want).abs() <= 2.0, "fee {fee} vs {want}");
        // The delta part dominates: about 0.05% of half the notional.
        assert!(0.0005 * exposure > 2.0 && 0.0005 * exposure < 4.0);
        assert_eq!(Positions::<Test>::get(BOB, CALL).unwrap().size, 10);
        assert_eq!(system_tsla(), total);

        // One hour of blocks: funding accrues every block into the series' index.
        let capital = Pool::capital(TSLA) as f64 / 1e12;
        for _ in 0..1200 {
            next_block();
        }
        // Bob touches his account: funding settles from his collateral to the pool.
        let before = collateral(BOB);
        assert_ok!(Options::withdraw(RuntimeOrigin::signed(BOB), TSLA, 1));
        let paid = events()
            .into_iter()
            .find_map(|e| match e {
                Event::FundingSettled {
                    who: BOB, amount, ..
                } => Some(amount),
                _ => None,
            })
            .unwrap();
        assert_eq!(before - collateral(BOB), paid as u128 + 1);
        // dF = (mark - intrinsic) dt / T per contract, in TSLA at 400 USD, over 3,600 s.
        let mark = tv * (1.0 + 0.2 * 10.0 / (capital * 400.0 / 1_000.0));
        let want = 10.0 * mark * 3_600.0 / 86_400.0 / 400.0 * 1e12;
        assert!(
            (paid as f64 - want).abs() < 1e-6 * want,
            "funding {paid} vs {want}"
        );
        // ...and the pool received exactly that, as a gain.
        assert!(pool_events().contains(&pallet_pool::Event::Received {
            asset: TSLA,
            kind: perpetua_primitives::Inflow::Gain,
            amount: paid as u128,
            to_claims: 0,
            to_main: paid as u128,
            to_insurance: 0,
            to_protocol: 0,
        }));
        assert_eq!(Funding::<Test>::get(TSLA).paid_by_traders, paid as u128);

        // BTC rises 10%: Bob closes at a profit, paid in TSLA by the pool's main tranche
        // (insurance takes no part of ordinary results, gains or losses).
        MockPrices::set(BTC, Ok(p(110_000)));
        let insurance = pallet_pool::Pools::<Test>::get(TSLA).unwrap().insurance;
        let before = collateral(BOB);
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            CALL,
            -10,
            limit(0.0),
            FAR
        ));
        let (exit, fee, realised) = last_traded();
        let entry = f(price);
        let profit_usd = (f(exit) - entry) * 10.0;
        assert!(realised > 0);
        assert!(((realised as f64) / 1e12 - profit_usd / 400.0).abs() < 1e-9 * profit_usd);
        assert_eq!(collateral(BOB), before + realised as u128 - fee);
        // The fee came in first (30% of its split part to insurance; its latency part goes to
        // the tranches like a result, none to insurance); main paid the profit.
        let fee_part = System::events()
            .into_iter()
            .rev()
            .find_map(|r| match r.event {
                RuntimeEvent::Pool(pallet_pool::Event::Received {
                    kind: perpetua_primitives::Inflow::Fee,
                    amount,
                    ..
                }) => Some(amount),
                _ => None,
            })
            .unwrap();
        assert!(fee_part < fee, "{fee_part} of {fee}");
        let fee_to_insurance = Perbill::from_percent(30).mul_floor(fee_part);
        assert_eq!(
            pallet_pool::Pools::<Test>::get(TSLA).unwrap().insurance,
            insurance + fee_to_insurance
        );
        assert!(Positions::<Test>::get(BOB, CALL).is_none());
        assert!(!OpenAccounts::<Test>::contains_key(TSLA, BOB));
        // Conserved to the unit, but for the one unit Bob withdrew to settle his funding.
        assert_eq!(system_tsla(), total - 1);
    });
}

#[test]
fn a_short_put_receives_funding_and_pays_its_loss() {
    new_test_ext().execute_with(|| {
        setup();
        let total = system_tsla();
        // Carol sells 5 puts for at least 10 USD a contract.
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(CAROL),
            PUT,
            -5,
            limit(10.0),
            FAR
        ));
        assert_eq!(Positions::<Test>::get(CAROL, PUT).unwrap().size, -5);
        for _ in 0..600 {
            next_block();
        }
        let before = collateral(CAROL);
        assert_ok!(Options::withdraw(RuntimeOrigin::signed(CAROL), TSLA, 1));
        let received = events()
            .into_iter()
            .find_map(|e| match e {
                Event::FundingSettled {
                    who: CAROL, amount, ..
                } => Some(amount),
                _ => None,
            })
            .unwrap();
        // Shorts are paid funding by the pool.
        assert!(received < 0);
        assert_eq!(collateral(CAROL), before + received.unsigned_abs() - 1);
        assert_eq!(
            Funding::<Test>::get(TSLA).paid_to_traders,
            received.unsigned_abs()
        );
        // BTC falls 10%: the put is worth more; Carol buys back at a loss paid to the pool.
        MockPrices::set(BTC, Ok(p(90_000)));
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(CAROL),
            PUT,
            5,
            limit(1_000.0),
            FAR
        ));
        let (_, _, realised) = last_traded();
        assert!(realised < 0);
        assert_eq!(system_tsla(), total - 1);
    });
}

#[test]
fn the_weekend_haircut_bites_a_friday_night_trade() {
    new_test_ext().execute_with(|| {
        setup();
        // Market open: the base haircut.
        assert_eq!(
            Options::haircut(TSLA),
            Fixed::from_rational(5, 100).unwrap()
        );
        // Friday 21:00 New York, 64 h before Monday's open: 5% + 2% x sqrt(64) = 21%.
        close_until(Some(START + 64 * 3_600_000));
        assert_eq!(
            Options::haircut(TSLA),
            Fixed::from_rational(21, 100).unwrap()
        );
        // Tuesday night, 17.5 h to the open: 5% + 2% x sqrt(17.5).
        close_until(Some(START + 17 * 3_600_000 + 1_800_000));
        let h = Options::haircut(TSLA).into_inner() as f64 / 1e18;
        assert!((h - (0.05 + 0.02 * 17.5f64.sqrt())).abs() < 1e-12, "{h}");
        // Unknown reopening (a halt): the maximum.
        close_until(None);
        close_indefinitely(true);
        assert_eq!(
            Options::haircut(TSLA),
            Fixed::from_rational(40, 100).unwrap()
        );
        close_indefinitely(false);

        // The initial margin of one short call, measured and rolled back.
        let im = frame_support::storage::with_transaction(|| {
            let r = Options::trade(RuntimeOrigin::signed(CAROL), CALL, -1, limit(0.0), FAR);
            let h = Options::health(&CAROL, TSLA).unwrap();
            sp_runtime::TransactionOutcome::Rollback(r.map(|_| h.initial))
        })
        .unwrap();
        // A fresh trader with collateral worth IM / 0.87: enough after a 5% haircut, not 21%.
        const DAVE: AccountId = 5;
        let usd = im.into_inner() as f64 / 1e18 / 0.87;
        let tsla = (usd / 400.0 * 1e12) as u128;
        assert_ok!(Assets::transfer(
            RuntimeOrigin::signed(BOB),
            TSLA.into(),
            DAVE,
            tsla + TSLA_UNIT
        ));
        assert_ok!(Options::deposit(RuntimeOrigin::signed(DAVE), TSLA, tsla));
        close_until(Some(START + 64 * 3_600_000));
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(DAVE), CALL, -1, limit(0.0), FAR),
            Error::<Test>::InsufficientMargin
        );
        // Monday, market open: the same trade passes.
        close_until(None);
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(DAVE),
            CALL,
            -1,
            limit(0.0),
            FAR
        ));
    });
}

#[test]
fn limit_price_and_deadline_are_honoured() {
    new_test_ext().execute_with(|| {
        setup();
        // The fill is ~11.10 USD: a buyer capped at 11 and a seller floored at 12 are refused.
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(BOB), CALL, 10, limit(11.0), FAR),
            Error::<Test>::SlippageExceeded
        );
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(BOB), CALL, -10, limit(12.0), FAR),
            Error::<Test>::SlippageExceeded
        );
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(BOB), CALL, 10, limit(12.0), START - 1),
            Error::<Test>::DeadlineExpired
        );
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            CALL,
            10,
            limit(12.0),
            START
        ));
    });
}

#[test]
fn stale_or_held_prices_stop_trades_and_withdrawals_and_funding_catches_up() {
    new_test_ext().execute_with(|| {
        setup();
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            CALL,
            10,
            limit(12.0),
            FAR
        ));
        // Funding accrues from the trade's time: one block's worth after the next block.
        next_block();
        next_block();
        let f1 = SeriesBook::<Test>::get(CALL).unwrap().funding_index;
        assert!(f1.is_positive());
        // An oracle outage of 100 blocks.
        MockPrices::set(BTC, Err(PriceError::Stale));
        for _ in 0..100 {
            next_block();
        }
        assert_eq!(SeriesBook::<Test>::get(CALL).unwrap().funding_index, f1);
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(BOB), CALL, 1, limit(12.0), FAR),
            Error::<Test>::StalePrice
        );
        assert_noop!(
            Options::withdraw(RuntimeOrigin::signed(BOB), TSLA, 1),
            Error::<Test>::StalePrice
        );
        MockPrices::set(BTC, Err(PriceError::CircuitOpen));
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(BOB), CALL, 1, limit(12.0), FAR),
            Error::<Test>::CircuitOpen
        );
        MockPrices::set(TSLA_KEY, Err(PriceError::Halted));
        MockPrices::set(BTC, Ok(p(100_000)));
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(BOB), CALL, 1, limit(12.0), FAR),
            Error::<Test>::SettlementHalted
        );
        MockPrices::set(TSLA_KEY, Ok(p(400)));
        // Back: the whole 100-block interval accrues at once, as 100 blocks would have.
        let per_block = f1;
        next_block();
        let f2 = SeriesBook::<Test>::get(CALL).unwrap().funding_index;
        let step = f2.into_inner() - f1.into_inner();
        let one = per_block.into_inner();
        // (The curve's depth drifts towards capital meanwhile: equal to 1e-9.)
        assert!(
            (step - 101 * one).abs() <= 101 * one / 1_000_000_000,
            "{step} vs {}",
            101 * one
        );
        // Collateral alone needs no prices.
        assert_ok!(Options::deposit(
            RuntimeOrigin::signed(CAROL),
            TSLA,
            TSLA_UNIT
        ));
        MockPrices::set(BTC, Err(PriceError::Stale));
        assert_ok!(Options::withdraw(
            RuntimeOrigin::signed(CAROL),
            TSLA,
            TSLA_UNIT
        ));
    });
}

#[test]
fn every_error_path() {
    new_test_ext().execute_with(|| {
        let params = MarketParams::default();
        assert_noop!(
            Options::create_market(RuntimeOrigin::signed(BOB), CryptoIndex::Btc, TSLA, params),
            BadOrigin
        );
        assert_noop!(
            Options::create_market(RuntimeOrigin::root(), CryptoIndex::Btc, 42, params),
            Error::<Test>::NoPool
        );
        // Each bound with its own error.
        let refused = |bad: MarketParams, e: Error<Test>| {
            assert_noop!(
                Options::create_market(RuntimeOrigin::root(), CryptoIndex::Btc, TSLA, bad),
                e
            );
        };
        refused(
            MarketParams {
                funding_period_secs: 10,
                ..params
            },
            Error::<Test>::FundingPeriodOutOfRange,
        );
        refused(
            MarketParams {
                maintenance_shock: Perbill::from_percent(50),
                ..params
            },
            Error::<Test>::MaintenanceAboveInitial,
        );
        refused(
            MarketParams {
                contract_size: FixedU128::zero(),
                ..params
            },
            Error::<Test>::ZeroContractSize,
        );
        refused(
            MarketParams {
                curve_max_skew: FixedU128::one(),
                ..params
            },
            Error::<Test>::SkewLimitOutOfRange,
        );
        refused(
            MarketParams {
                max_open_interest: 0,
                ..params
            },
            Error::<Test>::ZeroOpenInterestCap,
        );
        refused(
            MarketParams {
                funding_cap: Perbill::zero(),
                ..params
            },
            Error::<Test>::ZeroFundingCap,
        );
        assert_noop!(
            Options::deposit(RuntimeOrigin::signed(BOB), TSLA, 1),
            Error::<Test>::UnknownMarket
        );
        setup();
        assert_noop!(
            Options::list_series(RuntimeOrigin::root(), 0, p(100_000), OptionKind::Call),
            Error::<Test>::DuplicateSeries
        );
        assert_noop!(
            Options::list_series(RuntimeOrigin::root(), 9, p(1), OptionKind::Call),
            Error::<Test>::UnknownMarket
        );
        assert_noop!(
            Options::list_series(
                RuntimeOrigin::root(),
                0,
                FixedU128::zero(),
                OptionKind::Call
            ),
            Error::<Test>::InvalidParams
        );
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(BOB), 99, 1, limit(1e6), FAR),
            Error::<Test>::UnknownSeries
        );
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(BOB), CALL, 0, limit(1e6), FAR),
            Error::<Test>::ZeroSize
        );
        assert_noop!(
            Options::deposit(RuntimeOrigin::signed(BOB), TSLA, 0),
            Error::<Test>::ZeroAmount
        );
        assert_noop!(
            Options::withdraw(RuntimeOrigin::signed(BOB), TSLA, 0),
            Error::<Test>::ZeroAmount
        );
        assert_noop!(
            Options::withdraw(RuntimeOrigin::signed(BOB), TSLA, 1_001 * TSLA_UNIT),
            Error::<Test>::InsufficientCollateral
        );
        // Equity below the initial margin after a withdrawal.
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            CALL,
            -100,
            limit(0.0),
            FAR
        ));
        assert_noop!(
            Options::withdraw(RuntimeOrigin::signed(BOB), TSLA, 999 * TSLA_UNIT),
            Error::<Test>::InsufficientMargin
        );
        // Too big for the collateral.
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(CAROL), CALL, -3_000, limit(0.0), FAR),
            Error::<Test>::InsufficientMargin
        );
        // Open interest cap.
        let capped = MarketParams {
            max_open_interest: 150,
            ..params
        };
        assert_ok!(Options::update_market(
            RuntimeOrigin::root(),
            0,
            capped,
            true
        ));
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(CAROL), CALL, 51, limit(1e6), FAR),
            Error::<Test>::OpenInterestCap
        );
        assert_ok!(Options::update_market(
            RuntimeOrigin::root(),
            0,
            params,
            true
        ));
        // Contract size and funding period cannot change under open positions.
        let resized = MarketParams {
            contract_size: FixedU128::one(),
            ..params
        };
        assert_noop!(
            Options::update_market(RuntimeOrigin::root(), 0, resized, true),
            Error::<Test>::ImmutableParams
        );
        // Delisted: no new risk, but reducing is allowed.
        assert_ok!(Options::set_series_active(
            RuntimeOrigin::root(),
            CALL,
            false
        ));
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(CAROL), CALL, 1, limit(1e6), FAR),
            Error::<Test>::SeriesInactive
        );
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            CALL,
            10,
            limit(1e6),
            FAR
        ));
        assert_ok!(Options::set_series_active(
            RuntimeOrigin::root(),
            CALL,
            true
        ));
        // Too many positions (MaxPositions = 4).
        for k in [90_000u64, 95_000, 105_000, 110_000] {
            assert_ok!(Options::list_series(
                RuntimeOrigin::root(),
                0,
                p(k),
                OptionKind::Call
            ));
        }
        for s in 2..5 {
            assert_ok!(Options::trade(
                RuntimeOrigin::signed(CAROL),
                s,
                1,
                limit(1e6),
                FAR
            ));
        }
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(CAROL),
            5,
            1,
            limit(1e6),
            FAR
        ));
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(CAROL), CALL, 1, limit(1e6), FAR),
            Error::<Test>::TooManyPositions
        );
        // The pool closed to new risk.
        assert_ok!(pallet_pool::Pallet::<Test>::set_open(
            RuntimeOrigin::root(),
            TSLA,
            false
        ));
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(BOB), PUT, 1, limit(1e6), FAR),
            Error::<Test>::PoolClosed
        );
        assert_noop!(
            Options::set_haircut(
                RuntimeOrigin::root(),
                TSLA,
                HaircutParams {
                    base: Perbill::from_percent(50),
                    per_sqrt_hour: Perbill::zero(),
                    max: Perbill::from_percent(10),
                }
            ),
            Error::<Test>::InvalidParams
        );
    });
}

/// The pool's book is valued at what unwinding the traders' net position along the curve at
/// the index would pay them: a trade along the curve moves the entry sum and that value alike,
/// so the book's value does not move with trades; only with the index.
#[test]
fn the_pool_book_is_valued_along_the_curve_at_the_index() {
    new_test_ext().execute_with(|| {
        setup();
        // The curve's depth: the pool's capital, averaged over time.
        let capital = || {
            <pallet_pool::Pallet<Test> as perpetua_primitives::PoolLedger<AccountId>>::depth(TSLA)
        };
        assert_eq!(Options::book_value(TSLA, capital()), Ok(Default::default()));
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            CALL,
            10,
            limit(12.0),
            FAR
        ));
        // Bob paid the curve's price: unwinding would give it back. The book is flat to
        // rounding (the fee went to the pool's capital, not to the book).
        // (The curve's cost is rounded up for the trader: a few units of the 12th decimal.)
        let v = Options::book_value(TSLA, capital()).unwrap().value;
        assert!(v.abs() <= 1_000, "{v}");
        // BTC +10%: the book owes the unwind value of 10 calls at the new index less what Bob
        // paid.
        MockPrices::set(BTC, Ok(p(110_000)));
        let v = Options::book_value(TSLA, capital()).unwrap().value;
        let tv = time_value(110_000.0, 100_000.0, 0.6, 86_400.0) / 100.0;
        let theo = 10_000.0 / 100.0 + tv;
        let l = capital() as f64 / 1e12 * 400.0 / 1_100.0;
        // The curve skews the time value only: 10 * theo + tv * k * 10^2 / 2L.
        let unwind = theo * 10.0 + tv * 0.2 * 100.0 / (2.0 * l);
        let entry = f(Positions::<Test>::get(BOB, CALL).unwrap().entry);
        let owed = (unwind - entry * 10.0) / 400.0 * 1e12;
        assert!(((-v) as f64 - owed).abs() < 1e-6 * owed, "{v} vs {owed}");
        // A deeper pool would pay less to unwind: the depth is the caller's to give.
        let deeper = Options::book_value(TSLA, capital() * 2).unwrap().value;
        assert!(deeper > v);
        // The pool's NAV: main bears the book's loss (insurance takes no part of ordinary
        // results).
        let (main_nav, ins_nav) = pallet_pool::Pallet::<Test>::navs(TSLA).unwrap();
        let info = pallet_pool::Pools::<Test>::get(TSLA).unwrap();
        assert_eq!(ins_nav, info.insurance);
        assert_eq!(main_nav, info.main - (-v) as u128);
        MockPrices::set(BTC_VOL, Err(PriceError::Stale));
        assert!(Options::book_value(TSLA, capital()).is_err());
    });
}

#[test]
fn funding_rounds_in_the_pools_favour() {
    // Owed by a trader: up; owed to a trader: toward zero.
    let third = Fixed::from_rational(1, 3).unwrap(); // 0.333... TSLA
    assert_eq!(valuation::tokens_to_units_for_pool(third, 0), Ok(1));
    assert_eq!(
        valuation::tokens_to_units_for_pool(third.checked_neg().unwrap(), 0),
        Ok(0)
    );
    assert_eq!(
        valuation::tokens_to_units_for_pool(Fixed::from_integer(-2).unwrap(), 0),
        Ok(-2)
    );
    assert_eq!(
        valuation::tokens_to_units_for_pool(third, 12),
        Ok(333_333_333_334)
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Trade {
            carol: bool,
            series: SeriesId,
            size: i128,
        },
        Blocks(u32),
        MoveBtc(i64),
        Withdraw {
            carol: bool,
            amount: u128,
        },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (any::<bool>(), 0u32..2, -30i128..30).prop_map(|(carol, series, size)| Op::Trade {
                carol,
                series,
                size
            }),
            (1u32..40).prop_map(Op::Blocks),
            (-8i64..8).prop_map(Op::MoveBtc),
            (any::<bool>(), 1u128..50).prop_map(|(carol, amount)| Op::Withdraw { carol, amount }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, .. ProptestConfig::default() })]

        /// Over random trades, blocks, price moves and withdrawals: every invariant holds after
        /// every block, no TSLA appears or disappears (what traders hold as collateral, the
        /// pool's tranches and the protocol's fees change only by what leaves through
        /// withdrawals), and the funding ledger equals the funding settled, to the unit.
        #[test]
        fn funds_are_conserved_over_random_sequences(ops in proptest::collection::vec(op(), 1..40)) {
            new_test_ext().execute_with(|| {
                setup();
                let start = system_tsla();
                let mut withdrawn = 0u128;
                let mut btc = 100_000i64;
                for op in ops {
                    match op {
                        Op::Trade { carol, series, size } => {
                            if size != 0 {
                                let who = if carol { CAROL } else { BOB };
                                let _ = Options::trade(RuntimeOrigin::signed(who), series, size, limit(if size > 0 { 1e9 } else { 0.0 }), FAR);
                            }
                        },
                        Op::Blocks(n) => {
                            for _ in 0..n {
                                next_block();
                            }
                        },
                        Op::MoveBtc(pct) => {
                            btc = btc * (100 + pct) / 100;
                            MockPrices::set(BTC, Ok(p(btc as u64)));
                        },
                        Op::Withdraw { carol, amount } => {
                            let who = if carol { CAROL } else { BOB };
                            let amount = amount * TSLA_UNIT;
                            if Options::withdraw(RuntimeOrigin::signed(who), TSLA, amount).is_ok() {
                                withdrawn += amount;
                            }
                        },
                    }
                    prop_assert_eq!(system_tsla() + withdrawn, start);
                    prop_assert!(Options::do_try_state().is_ok());
                    prop_assert!(Pool::do_try_state().is_ok());
                }
                let (mut paid, mut received) = (0u128, 0u128);
                for e in events() {
                    if let Event::FundingSettled { amount, .. } = e {
                        if amount > 0 { paid += amount as u128 } else { received += amount.unsigned_abs() }
                    }
                }
                let ledger = Funding::<Test>::get(TSLA);
                prop_assert_eq!(ledger.paid_by_traders, paid);
                prop_assert_eq!(ledger.paid_to_traders, received);
                Ok(())
            })?;
        }
    }
}

#[test]
fn a_quote_says_exactly_what_the_trade_then_does() {
    new_test_ext().execute_with(|| {
        setup();
        next_block();
        let q = Options::quote(&BOB, CALL, 5).expect("priced");
        assert_eq!(q.error, None);
        assert_eq!(q.health_before, None);
        assert_eq!(q.position, 5);
        // The quote changed nothing.
        assert!(Positions::<Test>::get(BOB, CALL).is_none());
        assert_eq!(collateral(BOB), 1_000 * TSLA_UNIT);
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            CALL,
            5,
            q.price,
            FAR
        ));
        let (price, fee, _) = last_traded();
        assert_eq!((price, fee), (q.price, q.fee));
        let after = q.health_after.expect("valued");
        let h = Options::health(&BOB, TSLA).unwrap();
        assert_eq!(after.initial, valuation::to_i(h.initial));
        assert_eq!(after.equity, valuation::to_i(h.equity));

        // A trade too big for the margin: priced, with the error it would fail with.
        assert_ok!(Options::withdraw(
            RuntimeOrigin::signed(CAROL),
            TSLA,
            999 * TSLA_UNIT
        ));
        let q = Options::quote(&CAROL, CALL, 50).expect("priced");
        assert_eq!(q.error.as_deref(), Some("InsufficientMargin"));
        let after = q.health_after.unwrap();
        assert!(after.equity < after.initial);
        assert_noop!(
            Options::trade(RuntimeOrigin::signed(CAROL), CALL, 50, limit(1e12), FAR),
            Error::<Test>::InsufficientMargin
        );
        // Reducing is never refused for margin.
        let q = Options::quote(&BOB, CALL, -2).expect("priced");
        assert_eq!((q.error, q.position), (None, 3));
        assert!(q.health_before.is_some());
        // Without collateral: still a price and a fee, and the reason.
        let q = Options::quote(&LP, PUT, 1).expect("priced");
        assert_eq!(q.error.as_deref(), Some("InsufficientCollateral"));
        assert!(q.price > FixedU128::zero() && q.fee > 0);
        // Unpriceable: the named error.
        MockPrices::set(BTC, Err(PriceError::Stale));
        assert_eq!(Options::quote(&BOB, CALL, 1), Err("StalePrice".into()));
        assert_eq!(Options::quote(&BOB, 99, 1), Err("UnknownSeries".into()));
        assert_eq!(Options::quote(&BOB, CALL, 0), Err("ZeroSize".into()));
    });
}

#[test]
fn the_api_reports_series_and_accounts() {
    new_test_ext().execute_with(|| {
        setup();
        assert_ok!(Options::trade(
            RuntimeOrigin::signed(BOB),
            CALL,
            10,
            limit(1e9),
            FAR
        ));
        for _ in 0..20 {
            next_block();
        }
        let s = Options::series_info(CALL).unwrap();
        assert_eq!(
            (s.long, s.short, s.kind, s.active),
            (10, 0, OptionKind::Call, true)
        );
        assert_eq!(s.index_price, Some(p(100_000)));
        let (theo, mark) = (f(s.theoretical.unwrap()), f(s.mark.unwrap()));
        // The pool is short: its mark is above the theoretical price.
        assert!(mark > theo && theo > 0.0, "{mark} {theo}");
        // A day's funding at these prices: (mark - intrinsic) / settlement price (T = 1 day).
        let rate = s.funding_rate_per_day.unwrap().into_inner() as f64 / 1e18;
        assert!((rate - mark / 400.0).abs() < 1e-9 * mark, "{rate} {mark}");
        assert!(s.funding_index > FixedI128::zero());
        assert_eq!(Options::all_series_info().len(), 2);

        let a = Options::account_info(&BOB, TSLA);
        assert_eq!(a.positions.len(), 1);
        assert_eq!(a.positions[0].size, 10);
        assert!(a.positions[0].funding_owed > FixedI128::zero());
        assert!(a.health.is_some() && a.health_error.is_none());
        assert_eq!(a.collateral, collateral(BOB));
        assert_eq!(Options::accounts_info(&BOB).len(), 1);

        MockPrices::set(TSLA_KEY, Err(PriceError::CircuitOpen));
        let a = Options::account_info(&BOB, TSLA);
        assert_eq!(a.health_error.as_deref(), Some("CircuitOpen"));
        assert_eq!(a.positions[0].mark, None);
        assert_eq!(
            Options::series_info(CALL).unwrap().price_error.as_deref(),
            Some("CircuitOpen")
        );
    });
}

#[test]
fn the_api_reports_greeks_and_the_haircut() {
    new_test_ext().execute_with(|| {
        setup();
        let fi = |x: FixedI128| x.into_inner() as f64 / 1e18;
        let call = Options::series_greeks(CALL).unwrap();
        let put = Options::series_greeks(PUT).unwrap();
        let size = f(Markets::<Test>::get(0).unwrap().params.contract_size);
        // Per contract: a call's delta is in (0, contract size), a put's in (-contract size,
        // 0), and at one strike they differ by exactly one contract of the index (put-call
        // parity of everlasting options: the same time value).
        assert!(
            fi(call.delta) > 0.0 && fi(call.delta) < size,
            "{}",
            fi(call.delta)
        );
        assert!(
            fi(put.delta) < 0.0 && fi(put.delta) > -size,
            "{}",
            fi(put.delta)
        );
        // (`setup` lists both at 100,000.)
        assert!((fi(call.delta) - fi(put.delta) - size).abs() < 1e-12);
        assert_eq!(call.gamma, put.gamma);
        assert_eq!(call.vega, put.vega);
        assert!(fi(call.gamma) > 0.0 && fi(call.vega) > 0.0);
        assert_eq!(
            call.volatility,
            MockPrices::implied_vol(CryptoIndex::Btc).unwrap()
        );
        assert_eq!(Options::series_greeks(99), None);
        // The haircut the API reports is the one health applies.
        assert_eq!(
            Options::haircut_info(TSLA),
            valuation::to_u(Options::haircut(TSLA))
        );
        // Unpriceable: no greeks rather than wrong ones.
        MockPrices::set(BTC, Err(PriceError::Stale));
        assert_eq!(Options::series_greeks(CALL), None);
    });
}

/// Each series' dollar delta now, USD, from a fresh quote at the oracle's prices.
fn fresh_dollar_delta(id: SeriesId) -> f64 {
    let series = SeriesBook::<Test>::get(id).unwrap();
    let market = Markets::<Test>::get(series.market).unwrap();
    let prices = Options::market_prices(&market).unwrap();
    let q = valuation::quote_at(&series, &market, prices.spot, prices.vol).unwrap();
    let d = valuation::dollar_delta(&q, prices.spot, series.net(), &market).unwrap();
    d.into_inner() as f64 / 1e18
}

fn book_delta() -> f64 {
    BookDelta::<Test>::get(TSLA).into_inner() as f64 / 1e18
}

/// The stored book delta is the sum of the series' deltas at a fresh valuation.
fn assert_book_delta_is_fresh(series: &[SeriesId]) {
    let fresh: f64 = series.iter().map(|s| fresh_dollar_delta(*s)).sum();
    assert!(
        (book_delta() - fresh).abs() < 1e-6 * fresh.abs().max(1.0),
        "{} {fresh}",
        book_delta()
    );
}

/// Buys `n` contracts of `series` at any price.
fn buy(
    who: AccountId,
    series: SeriesId,
    n: i128,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
    Options::trade(RuntimeOrigin::signed(who), series, n, limit(1e9), FAR)
}

/// The attacker splits one directional bet over several series of the same settlement to
/// stay under the pool's delta limit per trade: the limit counts the whole book (each series
/// at its last refresh: the traded one now, the others at this block's hook), so the trade
/// that takes the book past it is refused, and a trade that takes risk off makes room.
#[test]
fn the_delta_limit_counts_every_series_of_the_settlement() {
    new_test_ext().execute_with(|| {
        setup();
        const FAR_CALL: SeriesId = 2;
        assert_ok!(Options::list_series(
            RuntimeOrigin::root(),
            0,
            p(110_000),
            OptionKind::Call
        ));
        let params = pallet_pool::PoolParams {
            max_net_delta: Perbill::from_percent(1),
            ..Default::default()
        };
        assert_ok!(Pool::set_params(RuntimeOrigin::root(), TSLA, params));
        let capital = pallet_pool::Pools::<Test>::get(TSLA).unwrap().capital();
        // The limit in USD at TSLA 400.
        let cap_usd = capital as f64 / TSLA_UNIT as f64 * 400.0 / 100.0;

        // Delta per contract of each call (one contract each to measure it).
        assert_ok!(buy(BOB, CALL, 1));
        assert_ok!(buy(BOB, FAR_CALL, 1));
        let (d_call, d_far) = (fresh_dollar_delta(CALL), fresh_dollar_delta(FAR_CALL));
        assert!(d_call > d_far && d_far > 0.0, "{d_call} {d_far}");
        assert!((book_delta() - d_call - d_far).abs() < 1e-6);

        // 60% of the limit in each series: each alone would fit, both do not.
        let n_call = (0.6 * cap_usd / d_call) as i128;
        let n_far = (0.6 * cap_usd / d_far) as i128;
        assert_ok!(buy(BOB, CALL, n_call));
        let before = collateral(CAROL);
        assert_noop!(
            buy(CAROL, FAR_CALL, n_far),
            pallet_pool::Error::<Test>::NetDeltaLimit
        );
        assert_eq!(collateral(CAROL), before);
        // Long puts take delta off the book: with them, Carol's calls fit.
        let d_put_each = {
            assert_ok!(buy(CAROL, PUT, 1));
            fresh_dollar_delta(PUT)
        };
        assert!(d_put_each < 0.0);
        let n_put = (0.7 * cap_usd / -d_put_each) as i128;
        assert_ok!(buy(CAROL, PUT, n_put));
        assert_ok!(buy(CAROL, FAR_CALL, n_far));
        assert_book_delta_is_fresh(&[CALL, PUT, FAR_CALL]);
        assert!(book_delta().abs() <= cap_usd, "{} {cap_usd}", book_delta());

        // The index moves in the next block: that block's hook (after its feeds) refreshes
        // every series' delta.
        next_block();
        let at_100k = book_delta();
        MockPrices::set(BTC, Ok(p(120_000)));
        next_block();
        // Traders are long gamma: their delta grew with the index.
        assert!(book_delta() > at_100k, "{} {at_100k}", book_delta());
        assert_book_delta_is_fresh(&[CALL, PUT, FAR_CALL]);
    });
}

/// What a trade was charged (no extra collateral here: an empty basket's read is in the
/// trade's own weight).
fn charged(
    r: frame_support::dispatch::DispatchResultWithPostInfo,
) -> frame_support::weights::Weight {
    r.expect("trade")
        .actual_weight
        .expect("a trade reports its weight")
}

/// The market's first trade of a block pays for its shared state (prices, the pool, the
/// ledger totals, the pool's receivable); the block's later trades on it pay only the
/// measured marginal cost. A trade that failed, or a forced close (no fee), brought nothing
/// into the block; a new block starts cold, and another market of the same settlement is cold
/// until it trades.
#[test]
fn a_trade_after_another_in_the_block_is_charged_the_marginal_weight() {
    new_test_ext().execute_with(|| {
        setup();
        let cold = Options::trade_weight(1, false);
        let warm = Options::trade_weight(1, true);
        assert!(warm.ref_time() < cold.ref_time(), "{warm:?} {cold:?}");

        // A failed trade (slippage) leaves the market cold.
        assert!(Options::trade(RuntimeOrigin::signed(BOB), CALL, 1, limit(0.01), FAR).is_err());
        assert!(!Options::traded_this_block(CALL));
        assert_eq!(charged(buy(BOB, CALL, 1)), cold);
        assert!(Options::traded_this_block(PUT));
        assert_eq!(charged(buy(CAROL, PUT, 1)), warm);
        // Bob now holds two positions: the second is charged like `trade(2)` warm.
        assert_eq!(charged(buy(BOB, PUT, 1)), Options::trade_weight(2, true));

        // An ETH market on the same settlement has not traded in this block.
        assert_ok!(Options::create_market(
            RuntimeOrigin::root(),
            CryptoIndex::Eth,
            TSLA,
            MarketParams::default()
        ));
        assert_ok!(Options::list_series(
            RuntimeOrigin::root(),
            1,
            p(4_000),
            OptionKind::Call
        ));
        assert!(!Options::traded_this_block(2));

        next_block();
        assert!(!Options::traded_this_block(CALL));
        // A forced close pays no fee and brings no pool ledger into the block: still cold.
        assert_ok!(Options::do_trade(
            &BOB,
            PUT,
            -1,
            None,
            TradeMode::Liquidation
        ));
        assert!(!Options::traded_this_block(CALL));
        assert_eq!(
            charged(buy(CAROL, CALL, 1)),
            Options::trade_weight(2, false)
        );
        let sell = Options::trade(RuntimeOrigin::signed(BOB), CALL, -1, limit(0.0), FAR);
        // Bob's close leaves him no position (his put was closed above): charged as one.
        assert_eq!(charged(sell), Options::trade_weight(1, true));
        next_block();
    });
}
