//! Everlasting options at zero interest rate (Paradigm, "Everlasting Options", 2021).
//!
//! With volatility `sigma`, funding period `T` (years) and `u = sqrt(1 + 8 / (sigma^2 T))`, the
//! time value is the same for calls and puts:
//!
//! ```text
//! V = (K/u) (S/K)^((1-u)/2)   for S >= K
//! V = (K/u) (S/K)^((1+u)/2)   for S <  K
//! call = max(S - K, 0) + V,   put = max(K - S, 0) + V
//! ```
//!
//! It solves `sigma^2 S^2 V'' / 2 = V / T`, vanishes far from the strike, and its slope jumps
//! by exactly -1 at `K`, which makes the price smooth. Greeks follow in closed form from
//! `V = A S^a` with `a (a - 1) = (u^2 - 1) / 4 = 2 / (sigma^2 T)`:
//!
//! ```text
//! dV/dS = a V / S                   delta = intrinsic delta + a V / S
//! gamma = (u^2 - 1) V / (4 S^2)
//! vega  = V (1/u + |ln(S/K)| / 2) (u^2 - 1) / (u sigma)      (per 1.00 of sigma)
//! ```
//!
//! A year is 365 days (31,536,000 s). Prices are in the unit of `S` and `K` (USD here).

use crate::{
    fixed::{isqrt_u256, mul_div_i128, OrOverflow, Rounding, ONE_INNER, U256},
    math, Fixed, MathError, PricingError,
};

/// Seconds in the 365-day year that volatilities are quoted over.
pub const SECONDS_PER_YEAR: u64 = 31_536_000;
/// Lowest accepted volatility: 0.1%.
pub const MIN_VOLATILITY: Fixed = Fixed::from_inner(ONE_INNER / 1000);
/// Highest accepted volatility: 1000%.
pub const MAX_VOLATILITY: Fixed = Fixed::from_inner(10 * ONE_INNER);
/// Shortest accepted funding period: one minute.
pub const MIN_FUNDING_PERIOD_SECS: u64 = 60;
/// Longest accepted funding period: ten years.
pub const MAX_FUNDING_PERIOD_SECS: u64 = 10 * SECONDS_PER_YEAR;
/// Highest accepted spot or strike: 10^12 (units of account per whole token).
pub const MAX_PRICE: Fixed = Fixed::from_inner(1_000_000_000_000 * ONE_INNER);
/// Spot and strike may be at most this factor apart (10^9) in either direction.
pub const MAX_MONEYNESS: i128 = 1_000_000_000;

/// A call or a put.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OptionKind {
    /// The right to the index above the strike.
    Call,
    /// The right to the index below the strike.
    Put,
}

/// What an everlasting option's price depends on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Inputs {
    /// Index (spot) price `S`.
    pub spot: Fixed,
    /// Strike `K`.
    pub strike: Fixed,
    /// Annualised volatility `sigma` (0.65 = 65%).
    pub volatility: Fixed,
    /// Funding period `T` in seconds.
    pub funding_period_secs: u64,
}

/// Price and greeks of one everlasting option.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Quote {
    /// Theoretical price: intrinsic + time value.
    pub price: Fixed,
    /// `max(S - K, 0)` for a call, `max(K - S, 0)` for a put.
    pub intrinsic: Fixed,
    /// The time value `V` (same for the call and the put of a strike).
    pub time_value: Fixed,
    /// dPrice/dS.
    pub delta: Fixed,
    /// d2Price/dS2.
    pub gamma: Fixed,
    /// dPrice/dsigma, per 1.00 of volatility.
    pub vega: Fixed,
}

/// Intrinsic value of a `kind` option.
pub fn intrinsic(kind: OptionKind, spot: Fixed, strike: Fixed) -> Result<Fixed, PricingError> {
    let diff = match kind {
        OptionKind::Call => spot.checked_sub(strike),
        OptionKind::Put => strike.checked_sub(spot),
    }
    .or_overflow()?;
    Ok(diff.max(Fixed::ZERO))
}

impl Inputs {
    /// Checks the inputs are inside the supported domain.
    pub fn validate(&self) -> Result<(), PricingError> {
        if !self.spot.is_positive() || self.spot > MAX_PRICE {
            return Err(PricingError::InvalidSpot);
        }
        if !self.strike.is_positive() || self.strike > MAX_PRICE {
            return Err(PricingError::InvalidStrike);
        }
        if self.volatility < MIN_VOLATILITY || self.volatility > MAX_VOLATILITY {
            return Err(PricingError::VolatilityOutOfRange);
        }
        if self.funding_period_secs < MIN_FUNDING_PERIOD_SECS
            || self.funding_period_secs > MAX_FUNDING_PERIOD_SECS
        {
            return Err(PricingError::FundingPeriodOutOfRange);
        }
        let (s, k) = (self.spot.into_inner(), self.strike.into_inner());
        // Both are positive and at most 10^30 inner, so the products cannot overflow.
        if s.saturating_mul(MAX_MONEYNESS) < k || k.saturating_mul(MAX_MONEYNESS) < s {
            return Err(PricingError::MoneynessOutOfRange);
        }
        Ok(())
    }

    /// `u^2 - 1 = 8 / (sigma^2 T)` and `u`, each with 18 decimals.
    fn u_parts(&self) -> Result<(i128, i128), PricingError> {
        // 8 / (sigma^2 T_years) = 8 * YEAR / (sigma^2 * T_secs); with sigma = sigma_i / 10^18
        // the inner value is 8 * YEAR * 10^54 / (sigma_i^2 * T_secs), computed exactly in 256 bits.
        let sigma = U256::from(self.volatility.into_inner() as u128);
        let e18 = U256::from(ONE_INNER as u128);
        let num = U256::from(8u64 * SECONDS_PER_YEAR)
            .checked_mul(e18)
            .and_then(|n| n.checked_mul(e18))
            .and_then(|n| n.checked_mul(e18))
            .or_overflow()?;
        let den = sigma
            .checked_mul(sigma)
            .and_then(|s2| s2.checked_mul(U256::from(self.funding_period_secs)))
            .or_overflow()?;
        let q = num.checked_div(den).ok_or(MathError::DivisionByZero)?;
        if q.bits() > 126 {
            return Err(MathError::Overflow.into());
        }
        let q = q.low_u128() as i128;
        // u = sqrt(1 + q) with 18 decimals = isqrt((10^18 + q) * 10^18).
        let u2 = U256::from((ONE_INNER + q) as u128)
            .checked_mul(e18)
            .or_overflow()?;
        let u = isqrt_u256(u2).or_overflow()?;
        if u > i128::MAX as u128 {
            return Err(MathError::Overflow.into());
        }
        Ok((q, u as i128))
    }
}

/// The factor `u = sqrt(1 + 8 / (sigma^2 T))`.
pub fn u_factor(inputs: &Inputs) -> Result<Fixed, PricingError> {
    inputs.validate()?;
    Ok(Fixed::from_inner(inputs.u_parts()?.1))
}

/// The time value `V`, identical for the call and the put.
pub fn time_value(inputs: &Inputs) -> Result<Fixed, PricingError> {
    Ok(parts(inputs)?.time_value)
}

/// Theoretical price of a `kind` option.
pub fn price(kind: OptionKind, inputs: &Inputs) -> Result<Fixed, PricingError> {
    let p = parts(inputs)?;
    let intrinsic = intrinsic(kind, inputs.spot, inputs.strike)?;
    Ok(intrinsic.checked_add(p.time_value).or_overflow()?)
}

/// Price and greeks in one pass.
pub fn quote(kind: OptionKind, inputs: &Inputs) -> Result<Quote, PricingError> {
    let p = parts(inputs)?;
    let (s, k) = (inputs.spot, inputs.strike);
    let intrinsic = intrinsic(kind, s, k)?;
    let price = intrinsic.checked_add(p.time_value).or_overflow()?;
    let v = p.time_value.into_inner();

    // d V / d S = a V / S.
    let dv_ds = mul_div_i128(p.a, v, s.into_inner(), Rounding::Nearest).or_overflow()?;
    let intrinsic_delta = match kind {
        OptionKind::Call if s >= k => ONE_INNER,
        OptionKind::Put if s < k => -ONE_INNER,
        _ => 0,
    };
    let delta = Fixed::from_inner(intrinsic_delta.checked_add(dv_ds).or_overflow()?);

    // gamma = (u^2 - 1) V / (4 S^2).
    let v_q_over_s = mul_div_i128(v, p.q, s.into_inner(), Rounding::Nearest).or_overflow()?;
    let gamma =
        mul_div_i128(v_q_over_s, ONE_INNER, 4 * s.into_inner(), Rounding::Nearest).or_overflow()?;

    // vega = V (1/u + |ln(S/K)| / 2) (u^2 - 1) / (u sigma).
    let inv_u = mul_div_i128(ONE_INNER, ONE_INNER, p.u, Rounding::Nearest).or_overflow()?;
    let w = inv_u
        .checked_add(p.ln_x.unsigned_abs() as i128 / 2)
        .or_overflow()?;
    let vw = mul_div_i128(v, w, ONE_INNER, Rounding::Nearest).or_overflow()?;
    let vwq_u = mul_div_i128(vw, p.q, p.u, Rounding::Nearest).or_overflow()?;
    let vega = mul_div_i128(
        vwq_u,
        ONE_INNER,
        inputs.volatility.into_inner(),
        Rounding::Nearest,
    )
    .or_overflow()?;

    Ok(Quote {
        price,
        intrinsic,
        time_value: p.time_value,
        delta,
        gamma: Fixed::from_inner(gamma),
        vega: Fixed::from_inner(vega),
    })
}

/// Intermediate values shared by the price and the greeks (all inner, 18 decimals).
struct Parts {
    time_value: Fixed,
    /// The exponent `a` of `V = A S^a`.
    a: i128,
    /// `u^2 - 1`.
    q: i128,
    u: i128,
    /// `ln(S / K)`.
    ln_x: i128,
}

fn parts(inputs: &Inputs) -> Result<Parts, PricingError> {
    inputs.validate()?;
    let (q, u) = inputs.u_parts()?;
    let (s, k) = (inputs.spot, inputs.strike);
    // a = (1 - u) / 2 above the strike, (1 + u) / 2 below it; exact halving of the inner value
    // is not needed: round to nearest.
    let a = if s >= k {
        (ONE_INNER - u) / 2
    } else {
        (ONE_INNER + u) / 2
    };
    let x = s.checked_div(k).or_overflow()?;
    let ln_x = math::ln(x)?.into_inner();
    // a ln x <= 0 on both branches, so the power is at most 1.
    let exponent = mul_div_i128(a, ln_x, ONE_INNER, Rounding::Nearest).or_overflow()?;
    let power = math::exp(Fixed::from_inner(exponent))?.into_inner();
    let v = mul_div_i128(k.into_inner(), power, u, Rounding::Nearest).or_overflow()?;
    Ok(Parts {
        time_value: Fixed::from_inner(v),
        a,
        q,
        u,
        ln_x,
    })
}
