//! European Black-Scholes prices at zero interest rate, used to cross-check the everlasting
//! price: an everlasting option is a mix of European options of every expiry `t`, weighted
//! `e^(-t/T) / T` (Paradigm's "Everlasting Options", section 2).
//!
//! ```text
//! d1 = (ln(S/K) + sigma^2 t / 2) / (sigma sqrt t),  d2 = d1 - sigma sqrt t
//! call = S N(d1) - K N(d2),  put = K N(-d2) - S N(-d1)
//! ```

use crate::{
    everlasting::{OptionKind, MAX_PRICE, MAX_VOLATILITY, SECONDS_PER_YEAR},
    fixed::{OrOverflow, Rounding},
    intrinsic, math, Fixed, PricingError,
};

/// Black-Scholes price of a European `kind` option expiring in `expiry_secs` seconds.
/// At expiry (0 s) it is the intrinsic value.
pub fn price(
    kind: OptionKind,
    spot: Fixed,
    strike: Fixed,
    volatility: Fixed,
    expiry_secs: u64,
) -> Result<Fixed, PricingError> {
    if !spot.is_positive() || spot > MAX_PRICE {
        return Err(PricingError::InvalidSpot);
    }
    if !strike.is_positive() || strike > MAX_PRICE {
        return Err(PricingError::InvalidStrike);
    }
    if !volatility.is_positive() || volatility > MAX_VOLATILITY {
        return Err(PricingError::VolatilityOutOfRange);
    }
    if expiry_secs == 0 {
        return intrinsic(kind, spot, strike);
    }
    // Total variance sigma^2 t (t in years) and its root.
    let var = volatility
        .checked_mul(volatility)
        .and_then(|s2| {
            s2.mul_div(
                Fixed::from_integer(expiry_secs as i128)?,
                Fixed::from_integer(SECONDS_PER_YEAR as i128)?,
                Rounding::Nearest,
            )
        })
        .or_overflow()?;
    let sd = math::sqrt(var)?;
    if sd.is_zero() {
        return intrinsic(kind, spot, strike);
    }
    let ln_x = math::ln(spot.checked_div(strike).or_overflow()?)?;
    let d1 = ln_x
        .checked_add(var.div_int_round(2, Rounding::Nearest).or_overflow()?)
        .and_then(|n| n.checked_div(sd))
        .or_overflow()?;
    let d2 = d1.checked_sub(sd).or_overflow()?;
    let price = match kind {
        OptionKind::Call => {
            let a = spot.checked_mul(math::normal_cdf(d1)?);
            let b = strike.checked_mul(math::normal_cdf(d2)?);
            a.zip(b).and_then(|(a, b)| a.checked_sub(b))
        }
        OptionKind::Put => {
            let a = strike.checked_mul(math::normal_cdf(d2.checked_neg().or_overflow()?)?);
            let b = spot.checked_mul(math::normal_cdf(d1.checked_neg().or_overflow()?)?);
            a.zip(b).and_then(|(a, b)| a.checked_sub(b))
        }
    }
    .or_overflow()?;
    // Rounding can take a worthless option a few units below zero.
    Ok(price.max(Fixed::ZERO))
}
