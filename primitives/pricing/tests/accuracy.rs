//! Accuracy of the fixed-point everlasting prices and greeks against an f64 reference, over
//! the grid of the issue: S/K in [0.2, 5], sigma in [5%, 300%], T from 1 hour to 30 days.

mod common;
use common::*;
use perpetua_pricing::{european, price, quote, time_value, OptionKind};

const HOUR: u64 = 3600;
const DAY: u64 = 86_400;

fn grid() -> impl Iterator<Item = (f64, f64, u64)> {
    let ratios = [
        0.2, 0.35, 0.5, 0.7, 0.85, 0.95, 0.99, 1.0, 1.01, 1.05, 1.2, 1.5, 2.0, 3.0, 5.0,
    ];
    let sigmas = [0.05, 0.1, 0.2, 0.35, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0];
    let periods = [
        HOUR,
        4 * HOUR,
        8 * HOUR,
        DAY,
        3 * DAY,
        7 * DAY,
        14 * DAY,
        30 * DAY,
    ];
    ratios.into_iter().flat_map(move |r| {
        sigmas
            .into_iter()
            .flat_map(move |s| periods.into_iter().map(move |t| (r, s, t)))
    })
}

#[test]
fn everlasting_prices_match_reference_within_1e9() {
    let mut checked = 0;
    let mut worst_rel = 0f64;
    let mut worst_at = String::new();
    let mut worst_abs = 0f64;
    for strike in [1.0, 97.0, 65_000.0] {
        for (ratio, sigma, t) in grid() {
            let spot = ratio * strike;
            for kind in [OptionKind::Call, OptionKind::Put] {
                let got = f(price(kind, &inputs(spot, strike, sigma, t)).unwrap());
                let want = reference(kind, spot, strike, sigma, t).price;
                let abs_tol = 1e-12 * strike;
                assert!(
                    within(got, want, 1e-9, abs_tol),
                    "{kind:?} S={spot} K={strike} sigma={sigma} T={t}s: got {got:e}, want {want:e}"
                );
                worst_abs = worst_abs.max((got - want).abs() / strike);
                if want.abs() > 1e-6 * strike {
                    let rel = (got - want).abs() / want.abs();
                    if rel > worst_rel {
                        worst_rel = rel;
                        worst_at = format!(
                            "{kind:?} S={spot} K={strike} sigma={sigma} T={t}: {got:e} vs {want:e}"
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * 15 * 10 * 8 * 2);
    println!(
        "{checked} prices; worst |error|/K {worst_abs:e}; worst relative error (prices > 1e-6 K) {worst_rel:e} at {worst_at}"
    );
}

#[test]
fn greeks_match_reference() {
    for (ratio, sigma, t) in grid() {
        let (spot, strike) = (ratio * 100.0, 100.0);
        for kind in [OptionKind::Call, OptionKind::Put] {
            let q = quote(kind, &inputs(spot, strike, sigma, t)).unwrap();
            let r = reference(kind, spot, strike, sigma, t);
            let ctx = format!("{kind:?} S={spot} sigma={sigma} T={t}");
            assert!(within(f(q.price), r.price, 1e-9, 1e-10), "price {ctx}");
            assert!(
                within(f(q.time_value), r.time_value, 1e-9, 1e-10),
                "tv {ctx}"
            );
            assert!(
                within(f(q.delta), r.delta, 1e-9, 1e-12),
                "delta {ctx}: {} vs {}",
                f(q.delta),
                r.delta
            );
            assert!(
                within(f(q.gamma), r.gamma, 1e-8, 1e-12),
                "gamma {ctx}: {} vs {}",
                f(q.gamma),
                r.gamma
            );
            assert!(
                within(f(q.vega), r.vega, 1e-8, 1e-10),
                "vega {ctx}: {} vs {}",
                f(q.vega),
                r.vega
            );
        }
    }
}

#[test]
fn greeks_match_finite_differences() {
    // Independent of the closed-form reference: bump the fixed-point price itself.
    for (ratio, sigma, t) in [(0.9, 0.6, 7 * DAY), (1.1, 0.8, DAY), (1.0, 0.5, 30 * DAY)] {
        let (s, k) = (ratio * 100.0, 100.0);
        let p = |s: f64, sigma: f64| f(price(OptionKind::Call, &inputs(s, k, sigma, t)).unwrap());
        let q = quote(OptionKind::Call, &inputs(s, k, sigma, t)).unwrap();
        let h = 1e-4 * s;
        let fd_delta = (p(s + h, sigma) - p(s - h, sigma)) / (2.0 * h);
        let fd_gamma = (p(s + h, sigma) - 2.0 * p(s, sigma) + p(s - h, sigma)) / (h * h);
        let fd_vega = (p(s, sigma + 1e-6) - p(s, sigma - 1e-6)) / 2e-6;
        assert!(
            within(f(q.delta), fd_delta, 1e-6, 1e-9),
            "delta {} vs {fd_delta}",
            f(q.delta)
        );
        assert!(
            within(f(q.gamma), fd_gamma, 1e-3, 1e-9),
            "gamma {} vs {fd_gamma}",
            f(q.gamma)
        );
        assert!(
            within(f(q.vega), fd_vega, 1e-6, 1e-9),
            "vega {} vs {fd_vega}",
            f(q.vega)
        );
    }
}

#[test]
fn time_value_is_shared_by_call_and_put() {
    let i = inputs(93.0, 100.0, 0.7, 5 * DAY);
    let tv = time_value(&i).unwrap();
    let call = price(OptionKind::Call, &i).unwrap();
    let put = price(OptionKind::Put, &i).unwrap();
    assert_eq!(call, tv);
    assert_eq!(put.checked_sub(tv), Some(fx(7.0)));
}

#[test]
fn european_prices_match_black_scholes() {
    for (ratio, sigma, t) in grid() {
        let (s, k) = (ratio * 100.0, 100.0);
        for kind in [OptionKind::Call, OptionKind::Put] {
            let got = f(european::price(kind, fx(s), fx(k), fx(sigma), t).unwrap());
            let want = bs_reference(kind, s, k, sigma, t);
            assert!(
                within(got, want, 1e-9, 1e-12 * k),
                "{kind:?} S={s} sigma={sigma} t={t}: {got} vs {want}"
            );
        }
    }
}

/// The everlasting option is the European option of every expiry t weighted e^(-t/T)/T.
/// With t = T s^2 the integrand 2 s e^(-s^2) C(T s^2) is smooth; Simpson's rule on the
/// fixed-point European prices must reproduce the closed-form everlasting price.
#[test]
fn everlasting_is_a_weighted_sum_of_european_prices() {
    for (ratio, sigma, t) in [
        (1.0, 0.8, 7 * DAY),
        (0.8, 0.6, 30 * DAY),
        (1.3, 1.2, DAY),
        (1.05, 0.3, 14 * DAY),
    ] {
        let (s, k) = (ratio * 100.0, 100.0);
        for kind in [OptionKind::Call, OptionKind::Put] {
            let n = 2000; // even
            let upper = 6.5f64;
            let h = upper / n as f64;
            let mut sum = 0.0;
            for i in 0..=n {
                let x = i as f64 * h;
                let expiry = (t as f64 * x * x).round() as u64;
                let c = f(european::price(kind, fx(s), fx(k), fx(sigma), expiry).unwrap());
                let w = if i == 0 || i == n {
                    1.0
                } else if i % 2 == 1 {
                    4.0
                } else {
                    2.0
                };
                sum += w * 2.0 * x * (-x * x).exp() * c;
            }
            let integral = sum * h / 3.0;
            let closed = f(price(kind, &inputs(s, k, sigma, t)).unwrap());
            assert!(
                within(integral, closed, 2e-5, 1e-6),
                "{kind:?} S={s} sigma={sigma} T={t}: quadrature {integral} vs closed form {closed}"
            );
        }
    }
}
