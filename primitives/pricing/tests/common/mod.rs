//! f64 reference implementations and conversions, for tests only.
#![allow(dead_code)]

use perpetua_pricing::{Fixed, Inputs, OptionKind};

pub const YEAR: f64 = 31_536_000.0;

pub fn fx(v: f64) -> Fixed {
    Fixed::from_inner((v * 1e18).round() as i128)
}

pub fn f(v: Fixed) -> f64 {
    v.into_inner() as f64 / 1e18
}

pub fn inputs(s: f64, k: f64, sigma: f64, t_secs: u64) -> Inputs {
    Inputs {
        spot: fx(s),
        strike: fx(k),
        volatility: fx(sigma),
        funding_period_secs: t_secs,
    }
}

/// Reference everlasting price and greeks in f64, from the closed form.
pub struct RefQuote {
    pub price: f64,
    pub time_value: f64,
    pub delta: f64,
    pub gamma: f64,
    pub vega: f64,
}

pub fn reference(kind: OptionKind, s: f64, k: f64, sigma: f64, t_secs: u64) -> RefQuote {
    // Use the exact same (rounded) inputs as the fixed-point side.
    let (s, k, sigma) = (f(fx(s)), f(fx(k)), f(fx(sigma)));
    let t = t_secs as f64 / YEAR;
    let q = 8.0 / (sigma * sigma * t);
    let u = (1.0 + q).sqrt();
    let a = if s >= k {
        (1.0 - u) / 2.0
    } else {
        (1.0 + u) / 2.0
    };
    let x = s / k;
    let v = k / u * (a * x.ln()).exp();
    let intrinsic = match kind {
        OptionKind::Call => (s - k).max(0.0),
        OptionKind::Put => (k - s).max(0.0),
    };
    let intrinsic_delta = match kind {
        OptionKind::Call if s >= k => 1.0,
        OptionKind::Put if s < k => -1.0,
        _ => 0.0,
    };
    RefQuote {
        price: intrinsic + v,
        time_value: v,
        delta: intrinsic_delta + a * v / s,
        gamma: q * v / (4.0 * s * s),
        vega: v * (1.0 / u + x.ln().abs() / 2.0) * q / (u * sigma),
    }
}

/// Black-Scholes at zero rate in f64.
pub fn bs_reference(kind: OptionKind, s: f64, k: f64, sigma: f64, t_secs: u64) -> f64 {
    let t = t_secs as f64 / YEAR;
    let sd = sigma * t.sqrt();
    let d1 = ((s / k).ln() + sd * sd / 2.0) / sd;
    let d2 = d1 - sd;
    let n = |x: f64| 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
    match kind {
        OptionKind::Call => s * n(d1) - k * n(d2),
        OptionKind::Put => k * n(-d2) - s * n(-d1),
    }
}

/// |got - want| <= max(rel * |want|, abs).
pub fn within(got: f64, want: f64, rel: f64, abs: f64) -> bool {
    (got - want).abs() <= (rel * want.abs()).max(abs)
}
