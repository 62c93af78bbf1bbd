//! The price layer against the real orml-oracle and the real NYSE calendar.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo, traits::Hooks, BoundedVec};
use pallet_market_calendar::time::days_from_civil;
use perpetua_primitives::{CryptoIndex, OracleKey, Price, PriceError, PriceProvider, PriceStatus};
use sp_runtime::traits::BadOrigin;

const BTC: OracleKey = OracleKey::Crypto(CryptoIndex::Btc);
const STOCK: OracleKey = OracleKey::Asset(TSLA);

fn utc(y: i32, m: u8, d: u8, h: u8, min: u8, s: u8) -> u64 {
    (days_from_civil(y, m, d) * 86_400_000
        + h as i64 * 3_600_000
        + min as i64 * 60_000
        + s as i64 * 1000) as u64
}

/// Ends the current block and starts the next at `ms`.
fn next_block_at(ms: u64) {
    let n = System::block_number();
    Prices::on_finalize(n);
    assert_ok!(Prices::do_try_state());
    System::set_block_number(n + 1);
    pallet_timestamp::Now::<Test>::put(ms);
}

fn p(x: u64) -> Price {
    Price::from_u32(x as u32)
}

fn feed(
    op: AccountId,
    values: Vec<(OracleKey, Price)>,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
    Prices::feed(RuntimeOrigin::signed(op), BoundedVec::truncate_from(values))
}

/// A quorum (OP1 and OP2) feeds the same values in this block.
fn quorum_feed(values: Vec<(OracleKey, Price)>) {
    assert_ok!(feed(OP1, values.clone()));
    assert_ok!(feed(OP2, values));
}

fn events() -> Vec<Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|r| {
            if let RuntimeEvent::Prices(e) = r.event {
                Some(e)
            } else {
                None
            }
        })
        .collect()
}

/// Monday 2026-11-30 15:00 UTC: the NYSE is open.
const MONDAY: u64 = 1_796_050_800_000;

#[test]
fn one_outlier_among_three_cannot_move_the_median() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
        // One operator is not a quorum.
        assert_eq!(Prices::price(BTC), Err(PriceError::Missing));
        assert_ok!(feed(OP2, vec![(BTC, p(100_200))]));
        // Two that agree: their mean, not the higher one.
        assert_eq!(Prices::price(BTC), Ok(p(100_100)));
        // The outlier would be a 10,000% jump; the median of three ignores it.
        assert_ok!(feed(OP3, vec![(BTC, p(10_000_000))]));
        assert_eq!(Prices::price(BTC), Ok(p(100_200)));
        assert_eq!(Prices::status(BTC), PriceStatus::Fresh);
        // And a low outlier likewise.
        next_block_at(MONDAY + 3000);
        assert_ok!(feed(OP3, vec![(BTC, p(1))]));
        assert_eq!(Prices::price(BTC), Ok(p(100_000)));
        assert!(Held::<Test>::get(BTC).is_none());
    });
}

#[test]
fn two_operators_out_of_three_cannot_move_the_price_when_they_disagree() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(BTC, p(100_000))]);
        // Only OP1 (honest) and OP3 (lying by 10%) feed from now on.
        for i in 1..=30u64 {
            next_block_at(MONDAY + i * 3000);
            assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
            assert_ok!(feed(OP3, vec![(BTC, p(110_000))]));
            // No quorum agrees on anything but the honest level: the price never moves.
            if let Ok(price) = Prices::price(BTC) {
                assert_eq!(price, p(100_000));
            }
        }
        // OP2's value aged out, and two that disagree form no price: it goes stale.
        assert_eq!(Prices::price(BTC), Err(PriceError::Stale));
        let q = Prices::quorum_info(BTC);
        assert_eq!((q.operators, q.quorum, q.recent, q.agreeing), (3, 2, 2, 0));
        // A liar that stays within the spread moves the mean by at most half of it.
        next_block_at(MONDAY + 93_000);
        assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
        assert_ok!(feed(OP3, vec![(BTC, p(101_900))]));
        assert_eq!(Prices::price(BTC), Ok(p(100_950)));
    });
}

#[test]
fn a_single_operator_after_an_outage_cannot_set_the_price() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(BTC, p(100_000))]);
        // Ten minutes and more without feeds, then one operator alone.
        let later = MONDAY + 11 * 60_000;
        next_block_at(later);
        assert_ok!(feed(OP1, vec![(BTC, p(130_000))]));
        assert_eq!(Prices::price(BTC), Err(PriceError::Stale));
        assert_eq!(Accepted::<Test>::get(BTC).unwrap().value, p(100_000));
        // Even at a normal level it is not a quorum.
        next_block_at(later + 3000);
        assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
        assert_eq!(Prices::price(BTC), Err(PriceError::Stale));
        // A quorum's jump after the outage is held: the breaker measures against the EMA,
        // which stood still through the outage.
        next_block_at(later + 6000);
        quorum_feed(vec![(BTC, p(70_000))]);
        assert_eq!(Prices::price(BTC), Err(PriceError::CircuitOpen));
        // A third operator confirms it in a later block; the EMA restarts at the new level.
        next_block_at(later + 9000);
        assert_ok!(feed(OP3, vec![(BTC, p(70_000))]));
        assert_eq!(Prices::price(BTC), Ok(p(70_000)));
        assert_eq!(Prices::ema_price(BTC), Ok(p(70_000)));
    });
}

#[test]
fn a_held_jump_is_not_confirmed_by_the_operator_who_opened_it() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(BTC, p(100_000))]);
        // OP1 and OP2 push +30%: OP2's feed formed the quorum median, so OP2 opened the hold.
        next_block_at(MONDAY + 3000);
        quorum_feed(vec![(BTC, p(130_000))]);
        assert_eq!(Prices::price(BTC), Err(PriceError::CircuitOpen));
        assert_eq!(Held::<Test>::get(BTC).unwrap().opened_by, OP2);
        // OP2 again in later blocks (OP1's value still counts): the hold stands.
        for i in 2..=5 {
            next_block_at(MONDAY + i * 3000);
            assert_ok!(feed(OP2, vec![(BTC, p(130_000))]));
            assert_eq!(Prices::price(BTC), Err(PriceError::CircuitOpen));
        }
        // Another operator's round confirms it.
        next_block_at(MONDAY + 18_000);
        assert_ok!(feed(OP1, vec![(BTC, p(129_000))]));
        assert_eq!(Prices::price(BTC), Ok(p(129_500)));
        assert!(events().iter().any(|e| matches!(
            e,
            Event::CircuitConfirmed {
                by_admin: false,
                ..
            }
        )));
        assert!(Held::<Test>::get(BTC).is_none());
    });
}

#[test]
fn an_unchanged_price_fed_by_a_quorum_stays_fresh_for_an_hour_of_blocks() {
    new_test_ext().execute_with(|| {
        let iv = OracleKey::ImpliedVol(CryptoIndex::Btc);
        let v = Price::from_rational(6, 10);
        pallet_timestamp::Now::<Test>::put(MONDAY);
        // Alice and Bob feed 0.6 every 6 s block for an hour.
        for i in 0..600u64 {
            next_block_at(MONDAY + i * 6000);
            quorum_feed(vec![(iv, v)]);
            assert_eq!(Prices::status(iv), PriceStatus::Fresh, "block {i}");
            let point = Accepted::<Test>::get(iv).unwrap();
            assert_eq!(point.timestamp, MONDAY + i * 6000);
        }
        // One operator alone feeding the same value does not keep it fresh.
        let end = MONDAY + 600 * 6000;
        for i in 0..11u64 {
            next_block_at(end + i * 6000);
            assert_ok!(feed(OP1, vec![(iv, v)]));
        }
        assert_eq!(Prices::status(iv), PriceStatus::Stale);
    });
}

#[test]
fn a_feeder_outage_turns_reads_stale_after_the_maximum_age() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(BTC, p(100_000))]);
        next_block_at(MONDAY + 59_999);
        assert_eq!(Prices::price(BTC), Ok(p(100_000)));
        next_block_at(MONDAY + 60_000);
        assert_eq!(Prices::price(BTC), Err(PriceError::Stale));
        assert_eq!(Prices::ema_price(BTC), Err(PriceError::Stale));
        assert_eq!(Prices::status(BTC), PriceStatus::Stale);
        // Never a price: missing.
        assert_eq!(
            Prices::price(OracleKey::Crypto(CryptoIndex::Eth)),
            Err(PriceError::Missing)
        );
    });
}

#[test]
fn a_friday_close_is_valid_all_weekend_and_stale_soon_after_monday_open() {
    new_test_ext().execute_with(|| {
        // Friday 2026-12-04, 15:59:30 New York (20:59:30 UTC): fresh until the 16:00 close.
        let friday = utc(2026, 12, 4, 20, 59, 30);
        pallet_timestamp::Now::<Test>::put(friday);
        quorum_feed(vec![(STOCK, p(400))]);
        assert_eq!(Prices::status(STOCK), PriceStatus::Fresh);
        assert_eq!(
            Accepted::<Test>::get(STOCK).unwrap().fresh_until,
            utc(2026, 12, 4, 21, 0, 0)
        );
        // Saturday and Sunday, with no new feed: the closing price stands.
        for t in [
            utc(2026, 12, 4, 21, 0, 0),
            utc(2026, 12, 5, 12, 0, 0),
            utc(2026, 12, 7, 14, 29, 59),
        ] {
            next_block_at(t);
            assert_eq!(Prices::price(STOCK), Ok(p(400)));
            assert_eq!(Prices::status(STOCK), PriceStatus::ClosedMarket);
        }
        // Monday 09:30 New York = 14:30 UTC; five minutes' grace, then a fresh price is needed.
        next_block_at(utc(2026, 12, 7, 14, 34, 59));
        assert_eq!(Prices::price(STOCK), Ok(p(400)));
        next_block_at(utc(2026, 12, 7, 14, 35, 0));
        assert_eq!(Prices::price(STOCK), Err(PriceError::Stale));
        // A fresh post-open price 25% lower is a gap the breaker holds (the EMA stood still
        // all weekend) until another operator's round confirms it.
        quorum_feed(vec![(STOCK, p(300))]);
        assert_eq!(Prices::price(STOCK), Err(PriceError::CircuitOpen));
        next_block_at(utc(2026, 12, 7, 14, 35, 6));
        assert_ok!(feed(OP3, vec![(STOCK, p(300))]));
        assert_eq!(Prices::price(STOCK), Ok(p(300)));
        assert_eq!(Prices::status(STOCK), PriceStatus::Fresh);
    });
}

#[test]
fn a_pre_market_print_is_not_fresh_at_the_open() {
    new_test_ext().execute_with(|| {
        // Monday 2026-12-07 09:29:50 New York: the market is still closed.
        let pre = utc(2026, 12, 7, 14, 29, 50);
        pallet_timestamp::Now::<Test>::put(pre);
        quorum_feed(vec![(STOCK, p(400))]);
        assert_eq!(Prices::status(STOCK), PriceStatus::ClosedMarket);
        // 09:30:10: open, and the print is usable (grace) but not fresh.
        next_block_at(utc(2026, 12, 7, 14, 30, 10));
        assert_eq!(Prices::price(STOCK), Ok(p(400)));
        assert!(!Prices::is_fresh(STOCK));
        // A print published after the open is.
        quorum_feed(vec![(STOCK, p(401))]);
        assert!(Prices::is_fresh(STOCK));
    });
}

#[test]
fn an_intraday_price_does_not_carry_over_the_close() {
    new_test_ext().execute_with(|| {
        // Friday 13:00 New York: not the closing price.
        let noon = utc(2026, 12, 4, 18, 0, 0);
        pallet_timestamp::Now::<Test>::put(noon);
        quorum_feed(vec![(STOCK, p(400))]);
        next_block_at(noon + 60_000);
        assert_eq!(Prices::price(STOCK), Err(PriceError::Stale));
        next_block_at(utc(2026, 12, 5, 12, 0, 0));
        assert_eq!(Prices::price(STOCK), Err(PriceError::Stale));
        // A price published while closed (Saturday) is valid until Monday's open + grace.
        quorum_feed(vec![(STOCK, p(401))]);
        let point = Accepted::<Test>::get(STOCK).unwrap();
        assert_eq!(point.valid_until, utc(2026, 12, 7, 14, 35, 0));
        // Its unpriced interval still starts at Friday 13:00's in-session price.
        assert_eq!(point.in_session_at, Some(noon));
        next_block_at(utc(2026, 12, 6, 20, 0, 0));
        assert_eq!(Prices::price(STOCK), Ok(p(401)));
    });
}

#[test]
fn the_unpriced_interval_covers_the_whole_closed_period_and_ramps_before_the_close() {
    new_test_ext().execute_with(|| {
        let hours = |t: u64| {
            pallet_timestamp::Now::<Test>::put(t);
            Prices::unpriced_interval(TSLA).map(|ms| ms as f64 / 3_600_000.0)
        };
        // Friday 2026-12-04: a quorum feeds every minute of the session's last two hours.
        let mut t = utc(2026, 12, 4, 19, 0, 0);
        let close = utc(2026, 12, 4, 21, 0, 0);
        let monday_open = utc(2026, 12, 7, 14, 30, 0);
        let weekend = (monday_open - (close - 60_000)) as f64 / 3_600_000.0;
        let mut last = 0.0;
        while t < close {
            next_block_at(t);
            quorum_feed(vec![(STOCK, p(400))]);
            let h = hours(t).unwrap();
            // Never falls while the close approaches; more than an hour out, with a fresh
            // price, nothing is unpriced.
            assert!(h >= last - 1e-9, "{h} after {last}");
            if t < close - 3_600_000 {
                assert_eq!(h, 0.0);
            }
            last = h;
            t += 60_000;
        }
        // At 15:59 most of the weekend is already in; at 16:00 all of it, with no cliff.
        assert!(
            last > weekend * 0.98 && last <= weekend,
            "{last} vs {weekend}"
        );
        let at_close = hours(close).unwrap();
        assert!((at_close - weekend).abs() < 1e-9);
        assert!(
            at_close - last < weekend * 0.02,
            "cliff {last} -> {at_close}"
        );
        // The whole weekend stays in: Friday 16:01 and Monday 09:25 alike.
        let friday_1601 = hours(close + 60_000).unwrap();
        let monday_0925 = hours(monday_open - 5 * 60_000).unwrap();
        assert!(monday_0925 >= friday_1601);
        // After the open and before a fresh price, it keeps growing.
        let monday_0932 = hours(monday_open + 2 * 60_000).unwrap();
        assert!(monday_0932 > monday_0925);
        // The first fresh in-session price ends it.
        next_block_at(monday_open + 2 * 60_000);
        quorum_feed(vec![(STOCK, p(401))]);
        assert_eq!(Prices::unpriced_interval(TSLA), Some(0));
        // BTC trades 24/7: nothing unpriced.
        assert_eq!(Prices::unpriced_interval(99), Some(0));
        // A halted stock: unknown.
        MockStocks::set(TSLA, 0, perpetua_primitives::StockStatus::Halted);
        assert_eq!(Prices::unpriced_interval(TSLA), None);
    });
}

#[test]
fn a_glitch_that_reverts_is_dropped() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(BTC, p(100_000))]);
        next_block_at(MONDAY + 3000);
        quorum_feed(vec![(BTC, p(50_000))]);
        assert_eq!(Prices::price(BTC), Err(PriceError::CircuitOpen));
        next_block_at(MONDAY + 6000);
        quorum_feed(vec![(BTC, p(100_100))]);
        assert_eq!(Prices::price(BTC), Ok(p(100_100)));
        assert!(events().contains(&Event::CircuitRejected {
            key: BTC,
            held: p(50_000),
            by_admin: false
        }));
    });
}

#[test]
fn the_admin_confirms_or_rejects_a_held_price() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(BTC, p(100_000)), (STOCK, p(400))]);
        next_block_at(MONDAY + 3000);
        quorum_feed(vec![(BTC, p(150_000)), (STOCK, p(200))]);
        assert_noop!(
            Prices::confirm_held(RuntimeOrigin::signed(OP1), BTC),
            BadOrigin
        );
        assert_ok!(Prices::confirm_held(RuntimeOrigin::root(), BTC));
        assert_eq!(Prices::price(BTC), Ok(p(150_000)));
        assert_eq!(Prices::ema_price(BTC), Ok(p(150_000)));
        assert_ok!(Prices::reject_held(RuntimeOrigin::root(), STOCK));
        assert_eq!(Prices::price(STOCK), Ok(p(400)));
        assert_noop!(
            Prices::confirm_held(RuntimeOrigin::root(), BTC),
            Error::<Test>::NothingHeld
        );
        assert_noop!(
            Prices::reject_held(RuntimeOrigin::root(), BTC),
            Error::<Test>::NothingHeld
        );
    });
}
#[test]
fn only_operators_feed_well_formed_values_once_per_block() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        assert_noop!(
            feed(STRANGER, vec![(BTC, p(1))]),
            Error::<Test>::NotOperator
        );
        assert_noop!(
            feed(OP1, vec![(OracleKey::Asset(99), p(1))]),
            Error::<Test>::UnknownKey
        );
        assert_noop!(
            feed(OP1, vec![(BTC, Price::zero())]),
            Error::<Test>::ZeroPrice
        );
        assert_noop!(
            feed(
                OP1,
                vec![(BTC, Price::saturating_from_integer(MAX_PRICE + 1))]
            ),
            Error::<Test>::PriceOutOfRange
        );
        let iv = OracleKey::ImpliedVol(CryptoIndex::Btc);
        assert_noop!(
            feed(OP1, vec![(iv, Price::from_rational(1, 100))]),
            Error::<Test>::VolatilityOutOfBounds
        );
        assert_noop!(
            feed(OP1, vec![(iv, p(6))]),
            Error::<Test>::VolatilityOutOfBounds
        );
        assert_noop!(
            feed(OP1, vec![(BTC, p(1)), (BTC, p(2))]),
            Error::<Test>::DuplicateKey
        );
        // A bad key refuses the whole feed: nothing reached the oracle.
        assert_noop!(
            feed(OP1, vec![(BTC, p(1)), (OracleKey::Asset(99), p(1))]),
            Error::<Test>::UnknownKey
        );
        assert!(orml_oracle::RawValues::<Test>::get(OP1, BTC).is_none());
        // Well formed, free for the operator, once per block.
        let info = feed(
            OP1,
            vec![(BTC, p(100_000)), (iv, Price::from_rational(65, 100))],
        )
        .unwrap();
        assert_eq!(info.pays_fee, frame_support::dispatch::Pays::No);
        assert_noop!(
            feed(OP1, vec![(BTC, p(100_000))]),
            Error::<Test>::AlreadyFed
        );
        assert_ok!(feed(
            OP2,
            vec![(BTC, p(100_000)), (iv, Price::from_rational(65, 100))],
        ));
        // orml-oracle's own combined value is never written: pallet-prices is the one median.
        assert!(orml_oracle::Values::<Test>::get(BTC).is_none());
        assert_eq!(
            Prices::implied_vol(CryptoIndex::Btc),
            Ok(Price::from_rational(65, 100))
        );
        next_block_at(MONDAY + 3000);
        assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
    });
}

#[test]
fn a_halted_stock_has_no_usable_price() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(STOCK, p(400))]);
        MockStocks::set(TSLA, 0, perpetua_primitives::StockStatus::Halted);
        assert_eq!(Prices::price(STOCK), Err(PriceError::Halted));
        assert_eq!(Prices::status(STOCK), PriceStatus::Halted);
    });
}

#[test]
fn the_ema_follows_the_formula_once_per_block() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(BTC, p(100))]);
        next_block_at(MONDAY + 3000);
        // EMA starts at the first price and did not move without time passing.
        assert_eq!(Prices::ema_price(BTC), Ok(p(100)));
        quorum_feed(vec![(BTC, p(110))]);
        next_block_at(MONDAY + 6000);
        // Updated once, at the end of the previous block: 3 s after its last update.
        let alpha = 1.0 - (-3000.0f64 / 600_000.0).exp();
        let want = 100.0 + alpha * 10.0;
        let got = Prices::ema_price(BTC).unwrap().into_inner() as f64 / 1e18;
        assert!((got - want).abs() < 1e-12, "ema {got} vs {want}");
        // Many blocks at 110: the EMA converges to it from below, never past it.
        // 2,000 blocks (6,000 s = 10 time constants): within 10 * e^-10 of it.
        for i in 0..2000 {
            quorum_feed(vec![(BTC, p(110))]);
            next_block_at(MONDAY + 9000 + i * 3000);
        }
        let ema = Prices::ema_price(BTC).unwrap();
        assert!(
            ema < p(110) && ema > Price::from_rational(109_999, 1000),
            "{ema:?}"
        );
    });
}

#[test]
fn params_are_checked_and_admin_only() {
    new_test_ext().execute_with(|| {
        let good = PriceParams::default();
        assert_noop!(
            Prices::set_params(RuntimeOrigin::signed(OP1), good),
            BadOrigin
        );
        let refused = |f: &dyn Fn(&mut PriceParams), e: Error<Test>| {
            let mut bad = good;
            f(&mut bad);
            assert_noop!(Prices::set_params(RuntimeOrigin::root(), bad), e);
        };
        refused(&|p| p.crypto_max_age = 0, Error::ZeroMaxAge);
        refused(&|p| p.stock_max_age = 0, Error::ZeroMaxAge);
        refused(&|p| p.ema_period = 0, Error::ZeroEmaPeriod);
        refused(
            &|p| p.breaker_threshold = Perbill::zero(),
            Error::BreakerThreshold,
        );
        refused(&|p| p.quorum_spread = Perbill::zero(), Error::QuorumSpread);
        refused(
            &|p| p.quorum_spread = p.breaker_threshold,
            Error::QuorumSpread,
        );
        refused(&|p| p.min_vol = p.max_vol, Error::VolatilityBounds);
        refused(&|p| p.close_ramp = 25 * 3_600_000, Error::CloseRamp);
        let mut tighter = good;
        tighter.crypto_max_age = 10_000;
        assert_ok!(Prices::set_params(RuntimeOrigin::root(), tighter));
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(BTC, p(100_000))]);
        next_block_at(MONDAY + 10_000);
        assert_eq!(Prices::price(BTC), Err(PriceError::Stale));
    });
}

#[test]
fn deviation_and_ema_step_helpers() {
    assert_eq!(deviation(p(100), p(120)), Perbill::from_percent(20));
    assert_eq!(deviation(p(100), p(80)), Perbill::from_percent(20));
    assert_eq!(deviation(p(100), p(1000)), Perbill::one());
    assert_eq!(deviation(Price::zero(), p(1)), Perbill::one());
    assert_eq!(ema_step(p(100), p(200), 0, 1000), p(100));
    assert_eq!(ema_step(p(100), p(200), u64::MAX, 1000), p(200));
    assert!(ema_step(p(100), p(50), 1000, 1000) > p(50));
}

#[test]
fn a_split_rescales_the_stock_price_and_its_ema() {
    use perpetua_primitives::CorporateActionHandler;
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        quorum_feed(vec![(STOCK, p(300)), (BTC, p(100_000))]);
        <Prices as CorporateActionHandler<AccountId>>::on_split(TSLA, 3, 1);
        assert_eq!(Prices::price(STOCK), Ok(p(100)));
        assert_eq!(Prices::ema_price(STOCK), Ok(p(100)));
        assert_eq!(Prices::price(BTC), Ok(p(100_000)));
        // Pre-split raw values are forgotten: one post-split feed cannot pair with OP2's 300.
        next_block_at(MONDAY + 3000);
        assert_ok!(feed(OP1, vec![(STOCK, p(101))]));
        assert_eq!(Prices::price(STOCK), Ok(p(100)));
        // A post-split quorum is no jump.
        assert_ok!(feed(OP2, vec![(STOCK, p(101))]));
        assert_eq!(Prices::price(STOCK), Ok(p(101)));
    });
}

#[test]
fn feeds_go_first_in_the_block_and_bad_feeds_never_reach_it() {
    use sp_runtime::{
        traits::{DispatchTransaction, TransactionExtension},
        transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
    };
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        let ext = PrioritizeFeeds::<Test>::new();
        let feed_call = RuntimeCall::Prices(Call::feed {
            values: BoundedVec::truncate_from(vec![(BTC, p(100_000))]),
        });
        let info = frame_support::dispatch::DispatchInfo::default();
        let validate = |who: AccountId, call: &RuntimeCall| {
            ext.validate_only(
                RuntimeOrigin::signed(who),
                call,
                &info,
                0,
                TransactionSource::External,
                0,
            )
            .map(|(v, _, _)| v)
        };
        // An operator's feed: the highest priority there is.
        let v = validate(OP1, &feed_call).unwrap();
        assert_eq!(v.priority, u64::MAX);
        // Other calls are untouched.
        let other = RuntimeCall::System(frame_system::Call::remark { remark: vec![] });
        assert_eq!(validate(STRANGER, &other).unwrap().priority, 0);
        // A stranger's feed, or a second feed in a block, never reaches a block.
        assert_eq!(
            validate(STRANGER, &feed_call),
            Err(TransactionValidityError::Invalid(
                InvalidTransaction::BadSigner
            ))
        );
        assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
        assert_eq!(
            validate(OP1, &feed_call),
            Err(TransactionValidityError::Invalid(InvalidTransaction::Stale))
        );
        use frame_support::traits::Get;
        let db: frame_support::weights::RuntimeDbWeight =
            <Test as frame_system::Config>::DbWeight::get();
        let reads = db.reads(2);
        assert_eq!(ext.weight(&feed_call), reads);
        assert_eq!(ext.weight(&other), frame_support::weights::Weight::zero());
        // Feeds are operational: a block full of trades still has room for them.
        let class = feed_call.get_dispatch_info().class;
        assert_eq!(class, frame_support::dispatch::DispatchClass::Operational);
    });
}
