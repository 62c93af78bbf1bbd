//! The price layer against the real orml-oracle and the real NYSE calendar.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Hooks, BoundedVec};
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
        assert_ok!(feed(OP2, vec![(BTC, p(100_200))]));
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
fn a_feeder_outage_turns_reads_stale_after_the_maximum_age() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
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
        // Friday 2026-12-04, 15:59:30 New York (20:59:30 UTC): fresh at the 16:00 close.
        let friday = utc(2026, 12, 4, 20, 59, 30);
        pallet_timestamp::Now::<Test>::put(friday);
        assert_ok!(feed(OP1, vec![(STOCK, p(400))]));
        assert_eq!(Prices::status(STOCK), PriceStatus::Fresh);
        // Saturday and Sunday, with no new feed: the closing price stands.
        for t in [
            utc(2026, 12, 4, 22, 0, 0),
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
        // A fresh post-open price is usable at once, even 25% lower (the last accepted price is
        // far older than the breaker's window: a gap, not a glitch).
        assert_ok!(feed(OP2, vec![(STOCK, p(300))]));
        assert_eq!(Prices::price(STOCK), Ok(p(300)));
        assert_eq!(Prices::status(STOCK), PriceStatus::Fresh);
    });
}

#[test]
fn an_intraday_price_does_not_carry_over_the_close() {
    new_test_ext().execute_with(|| {
        // Friday 13:00 New York: not the closing price.
        let noon = utc(2026, 12, 4, 18, 0, 0);
        pallet_timestamp::Now::<Test>::put(noon);
        assert_ok!(feed(OP1, vec![(STOCK, p(400))]));
        next_block_at(noon + 60_000);
        assert_eq!(Prices::price(STOCK), Err(PriceError::Stale));
        next_block_at(utc(2026, 12, 5, 12, 0, 0));
        assert_eq!(Prices::price(STOCK), Err(PriceError::Stale));
        // A price published while closed (Saturday) is valid until Monday's open + grace.
        assert_ok!(feed(OP1, vec![(STOCK, p(401))]));
        let point = Accepted::<Test>::get(STOCK).unwrap();
        assert_eq!(point.valid_until, utc(2026, 12, 7, 14, 35, 0));
        next_block_at(utc(2026, 12, 6, 20, 0, 0));
        assert_eq!(Prices::price(STOCK), Ok(p(401)));
    });
}

#[test]
fn a_jump_opens_the_circuit_and_a_confirming_round_closes_it() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
        // +30% three seconds later: held.
        next_block_at(MONDAY + 3000);
        assert_ok!(feed(OP1, vec![(BTC, p(130_000))]));
        assert_eq!(Prices::price(BTC), Err(PriceError::CircuitOpen));
        assert_eq!(Prices::status(BTC), PriceStatus::CircuitOpen);
        assert!(events().contains(&Event::CircuitOpened {
            key: BTC,
            accepted: p(100_000),
            held: p(130_000)
        }));
        assert_eq!(Prices::info(BTC).pending, Some(p(130_000)));
        // The next round agrees with the new level: accepted.
        next_block_at(MONDAY + 6000);
        assert_ok!(feed(OP2, vec![(BTC, p(129_000))]));
        // Median of OP1 130k and OP2 129k is 130k (upper of two).
        assert_eq!(Prices::price(BTC), Ok(p(130_000)));
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
fn a_glitch_that_reverts_is_dropped() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
        next_block_at(MONDAY + 3000);
        assert_ok!(feed(OP1, vec![(BTC, p(50_000))]));
        assert_eq!(Prices::price(BTC), Err(PriceError::CircuitOpen));
        next_block_at(MONDAY + 6000);
        assert_ok!(feed(OP1, vec![(BTC, p(100_100))]));
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
        assert_ok!(feed(OP1, vec![(BTC, p(100_000)), (STOCK, p(400))]));
        next_block_at(MONDAY + 3000);
        assert_ok!(feed(OP1, vec![(BTC, p(150_000)), (STOCK, p(200))]));
        assert_noop!(
            Prices::confirm_held(RuntimeOrigin::signed(OP1), BTC),
            BadOrigin
        );
        assert_ok!(Prices::confirm_held(RuntimeOrigin::root(), BTC));
        assert_eq!(Prices::price(BTC), Ok(p(150_000)));
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
        assert!(orml_oracle::Pallet::<Test>::get(&BTC).is_none());
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
        assert_ok!(feed(OP1, vec![(STOCK, p(400))]));
        MockStocks::set(TSLA, 0, perpetua_primitives::StockStatus::Halted);
        assert_eq!(Prices::price(STOCK), Err(PriceError::Halted));
        assert_eq!(Prices::status(STOCK), PriceStatus::Halted);
    });
}

#[test]
fn the_ema_follows_the_formula_once_per_block() {
    new_test_ext().execute_with(|| {
        pallet_timestamp::Now::<Test>::put(MONDAY);
        assert_ok!(feed(OP1, vec![(BTC, p(100))]));
        next_block_at(MONDAY + 3000);
        // EMA starts at the first price and did not move without time passing.
        assert_eq!(Prices::ema_price(BTC), Ok(p(100)));
        assert_ok!(feed(OP1, vec![(BTC, p(110))]));
        next_block_at(MONDAY + 6000);
        // Updated once, at the end of the previous block: 3 s after its last update.
        let alpha = 1.0 - (-3000.0f64 / 600_000.0).exp();
        let want = 100.0 + alpha * 10.0;
        let got = Prices::ema_price(BTC).unwrap().into_inner() as f64 / 1e18;
        assert!((got - want).abs() < 1e-12, "ema {got} vs {want}");
        // Many blocks at 110: the EMA converges to it from below, never past it.
        // 2,000 blocks (6,000 s = 10 time constants): within 10 * e^-10 of it.
        for i in 0..2000 {
            assert_ok!(feed(OP1, vec![(BTC, p(110))]));
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
        let mut bad = good;
        bad.crypto_max_age = 0;
        assert_noop!(
            Prices::set_params(RuntimeOrigin::root(), bad),
            Error::<Test>::InvalidParams
        );
        let mut bad = good;
        bad.min_vol = bad.max_vol;
        assert_noop!(
            Prices::set_params(RuntimeOrigin::root(), bad),
            Error::<Test>::InvalidParams
        );
        let mut tighter = good;
        tighter.crypto_max_age = 10_000;
        assert_ok!(Prices::set_params(RuntimeOrigin::root(), tighter));
        pallet_timestamp::Now::<Test>::put(MONDAY);
        assert_ok!(feed(OP1, vec![(BTC, p(100_000))]));
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
        assert_ok!(feed(OP1, vec![(STOCK, p(300)), (BTC, p(100_000))]));
        <Prices as CorporateActionHandler<AccountId>>::on_split(TSLA, 3, 1);
        assert_eq!(Prices::price(STOCK), Ok(p(100)));
        assert_eq!(Prices::ema_price(STOCK), Ok(p(100)));
        assert_eq!(Prices::price(BTC), Ok(p(100_000)));
        // A post-split feed is no jump.
        next_block_at(MONDAY + 3000);
        assert_ok!(feed(OP1, vec![(STOCK, p(101))]));
        assert_eq!(Prices::price(STOCK), Ok(p(101)));
    });
}
