//! Property tests over the whole input space: invariants of the prices and greeks, the pool
//! curve's path independence, and no panic anywhere (every out-of-domain input is an error).

mod common;
use common::*;
use perpetua_pricing::{
    european, funding, intrinsic, margin, math, pool, price, quote, Curve, Fixed, Inputs, Limit,
    MarginLevel, MarginParams, OptionKind, Rounding,
};
use proptest::prelude::*;

fn any_fixed() -> impl Strategy<Value = Fixed> {
    prop_oneof![
        any::<i128>().prop_map(Fixed::from_inner),
        (-1_000_000_000i64..1_000_000_000)
            .prop_map(|x| Fixed::from_inner(x as i128 * 1_000_000_000)),
        Just(Fixed::ZERO),
        Just(Fixed::MAX),
        Just(Fixed::from_inner(i128::MIN)),
    ]
}

/// Spot and strike with S/K in [0.2, 5], sigma in [5%, 300%], T in [1 h, 30 d].
fn market() -> impl Strategy<Value = (f64, f64, f64, u64)> {
    (
        1.0f64..100_000.0,
        0.2f64..5.0,
        0.05f64..3.0,
        3600u64..=30 * 86_400,
    )
        .prop_map(|(k, r, sigma, t)| (r * k, k, sigma, t))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn price_at_least_intrinsic((s, k, sigma, t) in market()) {
        for kind in [OptionKind::Call, OptionKind::Put] {
            let i = inputs(s, k, sigma, t);
            let p = price(kind, &i).unwrap();
            prop_assert!(p >= intrinsic(kind, i.spot, i.strike).unwrap());
        }
    }

    #[test]
    fn put_call_parity((s, k, sigma, t) in market()) {
        let i = inputs(s, k, sigma, t);
        let c = price(OptionKind::Call, &i).unwrap();
        let p = price(OptionKind::Put, &i).unwrap();
        // Exact: both share the same time value; intrinsic values differ by S - K.
        prop_assert_eq!(c.checked_sub(p).unwrap(), i.spot.checked_sub(i.strike).unwrap());
    }

    #[test]
    fn monotone_in_volatility((s, k, sigma, t) in market(), bump in 0.01f64..0.5) {
        for kind in [OptionKind::Call, OptionKind::Put] {
            let lo = price(kind, &inputs(s, k, sigma, t)).unwrap();
            let hi = price(kind, &inputs(s, k, sigma + bump, t)).unwrap();
            prop_assert!(hi >= lo, "{kind:?}: {hi:?} < {lo:?}");
        }
    }

    #[test]
    fn monotone_in_spot((s, k, sigma, t) in market(), bump in 0.001f64..0.2) {
        let (lo, hi) = (inputs(s, k, sigma, t), inputs(s * (1.0 + bump), k, sigma, t));
        prop_assert!(price(OptionKind::Call, &hi).unwrap() >= price(OptionKind::Call, &lo).unwrap());
        prop_assert!(price(OptionKind::Put, &hi).unwrap() <= price(OptionKind::Put, &lo).unwrap());
    }

    #[test]
    fn delta_bounds_and_gamma_vega_sign((s, k, sigma, t) in market()) {
        let i = inputs(s, k, sigma, t);
        let c = quote(OptionKind::Call, &i).unwrap();
        let p = quote(OptionKind::Put, &i).unwrap();
        prop_assert!(c.delta >= Fixed::ZERO && c.delta <= Fixed::ONE, "call delta {:?}", c.delta);
        prop_assert!(p.delta >= Fixed::ONE.checked_neg().unwrap() && p.delta <= Fixed::ZERO, "put delta {:?}", p.delta);
        // Call delta - put delta = 1 (up to one rounding of the shared time-value slope).
        prop_assert_eq!(c.delta.checked_sub(p.delta).unwrap(), Fixed::ONE);
        prop_assert!(c.gamma >= Fixed::ZERO && c.vega >= Fixed::ZERO);
        prop_assert_eq!(c.gamma, p.gamma);
    }

    #[test]
    fn split_trades_cost_the_same(
        theo in 0.01f64..50_000.0,
        tv_share in 0.0f64..1.0,
        net in -3_000.0f64..3_000.0,
        a in -2_000.0f64..2_000.0,
        b in -2_000.0f64..2_000.0,
        k in 0.0f64..1.0,
    ) {
        // Across the limit too: beyond it the mark is flat, still a function of N alone.
        let curve = Curve { sensitivity: fx(k), max_skew: fx(0.5) };
        let liquidity = fx(1_000.0);
        let tv = fx(theo * tv_share);
        let (theo, net, a, b) = (fx(theo), fx(net), fx(a), fx(b));
        let cost = |n: Fixed, v: Fixed| pool::trade_cost(theo, tv, n, v, liquidity, &curve, Limit::Waived).unwrap();
        let whole = cost(net, a.checked_add(b).unwrap());
        let split = cost(net, a).checked_add(cost(net.checked_add(a).unwrap(), b)).unwrap();
        // Each cost is rounded up once, with a few units of 10^-18 of error in between,
        // relative to the size of the amounts.
        let tol = 8 + (f(theo).abs() * (f(a).abs() + f(b).abs() + f(net).abs())) as i128 * 8;
        let diff = (split.into_inner() - whole.into_inner()).abs();
        prop_assert!(diff <= tol, "split {split:?} vs whole {whole:?} (diff {diff})");
        // A round trip back to where the book was never gains: the curve is path-independent
        // and every leg rounds against the trader.
        let there = cost(net, a);
        let back = cost(net.checked_add(a).unwrap(), a.checked_neg().unwrap());
        prop_assert!(there.checked_add(back).unwrap() >= Fixed::ZERO);
    }

    #[test]
    fn skew_never_moves_the_intrinsic_value(
        theo in 0.01f64..50_000.0,
        tv_share in 0.0f64..1.0,
        net in -1e6f64..1e6,
        k in 0.0f64..1.0,
        s in 0.01f64..0.99,
    ) {
        let curve = Curve { sensitivity: fx(k), max_skew: fx(s) };
        let tv = theo * tv_share;
        let mark = pool::mark_price(fx(theo), fx(tv), fx(net), fx(1_000.0), &curve).unwrap();
        // Within s V of the theoretical price, so never below the intrinsic value.
        let eps = 1e-12 * theo;
        prop_assert!((f(mark) - theo).abs() <= tv * s + eps);
        prop_assert!(f(mark) >= theo - tv - eps);
    }

    #[test]
    fn book_sums_equal_the_sum_over_positions(
        fills in proptest::collection::vec((0usize..4, -50i128..50, 1.0f64..500.0), 1..60),
    ) {
        use perpetua_pricing::position::{self, BookSums, Holding};
        let mut holdings = [Holding::default(); 4];
        let mut sums = BookSums::default();
        let index = fx(0.25);
        let mut realised = Fixed::ZERO;
        for (who, size, avg) in fills {
            if size == 0 { continue; }
            let avg = fx(avg);
            let old = holdings[who];
            let change = position::fill(old, size, avg).unwrap();
            prop_assert_eq!(change.holding.size, old.size + size);
            prop_assert_eq!(change.closed + change.opened, size.unsigned_abs());
            prop_assert_eq!(change.increases(), position::increases(old.size, size));
            // Realised PnL is the closed part's move from its entry, on the holder's side.
            let sign = if old.size > 0 { 1.0 } else { -1.0 };
            let expect = (f(avg) - f(old.entry)) * change.closed as f64 * sign;
            prop_assert!((f(change.realised) - expect).abs() <= 1e-9 * (1.0 + expect.abs()));
            realised = realised.checked_add(change.realised).unwrap();
            sums = position::replace(sums, old, index, change.holding, index).unwrap();
            holdings[who] = change.holding;
        }
        let long: u128 = holdings.iter().map(|h| h.size.max(0) as u128).sum();
        let short: u128 = holdings.iter().map(|h| h.size.min(0).unsigned_abs()).sum();
        prop_assert_eq!((sums.long, sums.short), (long, short));
        let entry: f64 = holdings.iter().map(|h| f(h.entry) * h.size as f64).sum();
        prop_assert!((f(sums.entry_sum) - entry).abs() <= 1e-6 * (1.0 + entry.abs()));
        let funding: f64 = holdings.iter().map(|h| 0.25 * h.size as f64).sum();
        prop_assert!((f(sums.funding_sum) - funding).abs() <= 1e-9);
        // Flat holdings carry no entry.
        for h in holdings {
            if h.size == 0 { prop_assert_eq!(h.entry, Fixed::ZERO); }
        }
    }

    #[test]
    fn a_round_trip_at_one_price_realises_nothing(size in -1_000i128..1_000, avg in 0.01f64..1e5) {
        use perpetua_pricing::position::{self, Holding};
        prop_assume!(size != 0);
        let open = position::fill(Holding::default(), size, fx(avg)).unwrap();
        let close = position::fill(open.holding, -size, fx(avg)).unwrap();
        prop_assert_eq!(close.realised, Fixed::ZERO);
        prop_assert_eq!(close.holding, Holding::default());
    }

    #[test]
    fn funding_cap_holds_both_ways(amount in -1e6f64..1e6, cap in 0.0f64..1e4, ms in 0u64..10_000_000_000) {
        let c = funding::capped(fx(amount), fx(cap), ms).unwrap();
        let limit = cap * ms as f64 / 86_400_000.0;
        prop_assert!(f(c).abs() <= limit * (1.0 + 1e-12) + 1e-12);
        if amount.abs() <= limit * (1.0 - 1e-9) { prop_assert_eq!(c, fx(amount)); }
    }

    #[test]
    fn long_margin_never_exceeds_premium((s, k, sigma, t) in market(), size in 0.001f64..1000.0) {
        let params = default_margin();
        for kind in [OptionKind::Call, OptionKind::Put] {
            let i = inputs(s, k, sigma, t);
            let q = quote(kind, &i).unwrap();
            let premium = q.price.mul_round(fx(size), Rounding::Up).unwrap();
            for level in [MarginLevel::Initial, MarginLevel::Maintenance] {
                let m = margin::requirement(&q, i.spot, fx(size), &params, level).unwrap();
                // Rounded up twice at most: allow two units.
                prop_assert!(m.into_inner() <= premium.into_inner() + 2, "{kind:?} {level:?}: {m:?} > {premium:?}");
            }
            let im = margin::requirement(&q, i.spot, fx(-size), &params, MarginLevel::Initial).unwrap();
            let mm = margin::requirement(&q, i.spot, fx(-size), &params, MarginLevel::Maintenance).unwrap();
            prop_assert!(im >= mm && mm.is_positive());
        }
    }

    // --- no panic anywhere: every input either prices or is an error.

    #[test]
    fn no_panic_everlasting(spot in any_fixed(), strike in any_fixed(), vol in any_fixed(), t in any::<u64>()) {
        let i = Inputs { spot, strike, volatility: vol, funding_period_secs: t };
        for kind in [OptionKind::Call, OptionKind::Put] {
            let _ = price(kind, &i);
            if let Ok(q) = quote(kind, &i) {
                let _ = margin::requirement(&q, spot, vol, &default_margin(), MarginLevel::Initial);
            }
            let _ = european::price(kind, spot, strike, vol, t);
        }
    }

    #[test]
    fn no_panic_math(x in any_fixed(), y in any_fixed()) {
        let _ = math::exp(x);
        let _ = math::ln(x);
        let _ = math::pow(x, y);
        let _ = math::sqrt(x);
        let _ = math::normal_cdf(x);
        let _ = math::normal_pdf(x);
        let _ = x.checked_mul(y);
        let _ = x.checked_div(y);
        let _ = x.mul_div(y, x, Rounding::Up);
        let _ = x.to_units(18, Rounding::Down);
    }

    #[test]
    fn no_panic_pool_and_funding(a in any_fixed(), b in any_fixed(), c in any_fixed(), d in any_fixed(), e in any_fixed(), ms in any::<u64>(), t in any::<u64>()) {
        let curve = Curve { sensitivity: d, max_skew: e };
        let _ = pool::trade_cost(a, b, c, d, e, &curve, Limit::Enforced);
        let _ = pool::trade_cost(a, b, c, d, e, &curve, Limit::Waived);
        let _ = pool::mark_price(a, b, c, d, &curve);
        let _ = funding::capped(a, b, ms);
        let _ = funding::for_interval(a, b, ms, t, Rounding::Up);
        let _ = funding::rate_per_second(a, b, t);
    }
}

fn default_margin() -> MarginParams {
    MarginParams {
        initial_shock: fx(0.10),
        maintenance_shock: fx(0.05),
        initial_time_value_ratio: fx(0.2),
        maintenance_time_value_ratio: fx(0.1),
        initial_floor: fx(0.01),
        maintenance_floor: fx(0.005),
    }
}

#[test]
fn named_errors_for_bad_inputs() {
    use perpetua_pricing::PricingError::*;
    let ok = inputs(100.0, 100.0, 0.5, 86_400);
    let bad = |f: &dyn Fn(&mut Inputs)| {
        let mut i = ok;
        f(&mut i);
        price(OptionKind::Call, &i).unwrap_err()
    };
    assert_eq!(bad(&|i| i.strike = Fixed::ZERO), InvalidStrike);
    assert_eq!(bad(&|i| i.spot = fx(-1.0)), InvalidSpot);
    assert_eq!(bad(&|i| i.volatility = Fixed::ZERO), VolatilityOutOfRange);
    assert_eq!(bad(&|i| i.volatility = fx(11.0)), VolatilityOutOfRange);
    assert_eq!(bad(&|i| i.funding_period_secs = 0), FundingPeriodOutOfRange);
    assert_eq!(
        bad(&|i| i.funding_period_secs = u64::MAX),
        FundingPeriodOutOfRange
    );
    assert_eq!(bad(&|i| i.spot = fx(1e-8)), MoneynessOutOfRange);
    let curve = Curve {
        sensitivity: fx(0.5),
        max_skew: fx(0.5),
    };
    assert_eq!(
        pool::trade_cost(
            fx(1.0),
            fx(1.0),
            Fixed::ZERO,
            fx(1.0),
            Fixed::ZERO,
            &curve,
            Limit::Enforced
        ),
        Err(NoLiquidity)
    );
    assert_eq!(
        pool::trade_cost(
            fx(1.0),
            fx(1.0),
            Fixed::ZERO,
            fx(2000.0),
            fx(1000.0),
            &curve,
            Limit::Enforced
        ),
        Err(SkewLimit)
    );
    // The same trade fills when it only reduces a position, at the flat mark beyond the limit.
    assert!(pool::trade_cost(
        fx(1.0),
        fx(1.0),
        Fixed::ZERO,
        fx(2000.0),
        fx(1000.0),
        &curve,
        Limit::Waived
    )
    .is_ok());
    // Reducing the skew is allowed even from beyond the limit.
    assert!(pool::trade_cost(
        fx(1.0),
        fx(1.0),
        fx(1500.0),
        fx(-100.0),
        fx(1000.0),
        &curve,
        Limit::Enforced
    )
    .is_ok());
    let bad_curve = Curve {
        sensitivity: fx(0.5),
        max_skew: fx(1.0),
    };
    assert_eq!(
        pool::mark_price(fx(1.0), fx(1.0), Fixed::ZERO, fx(1.0), &bad_curve),
        Err(InvalidParameters)
    );
    let mut m = default_margin();
    m.maintenance_shock = fx(0.2);
    let q = quote(OptionKind::Call, &ok).unwrap();
    assert_eq!(
        margin::requirement(&q, ok.spot, fx(-1.0), &m, MarginLevel::Initial),
        Err(InvalidParameters)
    );
}

#[test]
fn funding_follows_the_formula() {
    // mark 12, intrinsic 10, T = 1 day: over one hour a long pays 2/24 per contract.
    let day = 86_400;
    let f_hour =
        funding::for_interval(fx(12.0), fx(10.0), 3_600_000, day, Rounding::Nearest).unwrap();
    assert_eq!(f_hour, Fixed::from_rational(2, 24).unwrap());
    let rate = funding::rate_per_second(fx(12.0), fx(10.0), day).unwrap();
    assert_eq!(rate, Fixed::from_rational(2, 86_400).unwrap());
    // Rounding direction is honoured.
    let up = funding::for_interval(fx(1.0), Fixed::ZERO, 1, 3, Rounding::Up).unwrap();
    let down = funding::for_interval(fx(1.0), Fixed::ZERO, 1, 3, Rounding::Down).unwrap();
    assert_eq!(up.into_inner() - down.into_inner(), 1);
}

#[test]
fn pool_mark_moves_against_exposure() {
    let curve = Curve {
        sensitivity: fx(0.2),
        max_skew: fx(0.5),
    };
    let l = fx(1000.0);
    // Theoretical 10, of which 4 is time value (6 intrinsic): the skew moves the 4 only.
    let (p, v) = (fx(10.0), fx(4.0));
    let mark = |n: f64| pool::mark_price(p, v, fx(n), l, &curve).unwrap();
    assert_eq!(mark(0.0), fx(10.0));
    assert_eq!(mark(500.0), fx(10.4));
    assert_eq!(mark(-500.0), fx(9.6));
    // Beyond the limit (k N / L = 0.5 at N = 2,500) the mark is flat at P +- s V.
    assert_eq!(mark(10_000.0), fx(12.0));
    assert_eq!(mark(-10_000.0), fx(8.0));
    let cost = |n: f64, size: f64, limit| pool::trade_cost(p, v, fx(n), fx(size), l, &curve, limit);
    // Buying 100 from flat: 10 * 100 + 4 * 0.2 * 100^2 / 2000 = 1004.
    assert_eq!(cost(0.0, 100.0, Limit::Enforced), Ok(fx(1004.0)));
    // Selling 100 from flat: -1000 + 4 = -996.
    assert_eq!(cost(0.0, -100.0, Limit::Enforced), Ok(fx(-996.0)));
    // From 2,000 to 3,000 (waived): 10,000 + 4 * (G(3000) - G(2000)), G(2000) = 0.2 * 2000^2 /
    // 2000 = 400, G(3000) = 0.5 * 3000 - 0.5 * 2500 / 2 = 875: 10,000 + 1,900 = 11,900.
    assert_eq!(
        cost(2_000.0, 1_000.0, Limit::Waived),
        Ok(Fixed::from_integer(11_900).unwrap())
    );
    assert_eq!(
        cost(2_000.0, 1_000.0, Limit::Enforced),
        Err(perpetua_pricing::PricingError::SkewLimit)
    );
}
