//! Funding of everlasting options.
//!
//! A long position pays its short counterparty continuously
//! `dF = (mark - intrinsic) dt / T` per contract, where `T` is the funding period: the option's
//! time value is paid out over `T` on average. Positive funding is paid by longs.

use crate::{
    fixed::{mul_div_i128, OrOverflow, Rounding},
    Fixed, PricingError,
};

/// Funding per contract per second: `(mark - intrinsic) / T`.
pub fn rate_per_second(
    mark: Fixed,
    intrinsic: Fixed,
    funding_period_secs: u64,
) -> Result<Fixed, PricingError> {
    if funding_period_secs == 0 {
        return Err(PricingError::FundingPeriodOutOfRange);
    }
    let premium = mark.checked_sub(intrinsic).or_overflow()?;
    Ok(premium
        .div_int_round(funding_period_secs as i128, Rounding::Nearest)
        .or_overflow()?)
}

/// Funding per contract over `elapsed_ms` milliseconds: `(mark - intrinsic) * dt / T`, with one
/// rounding at the end in the direction asked.
pub fn for_interval(
    mark: Fixed,
    intrinsic: Fixed,
    elapsed_ms: u64,
    funding_period_secs: u64,
    rounding: Rounding,
) -> Result<Fixed, PricingError> {
    if funding_period_secs == 0 {
        return Err(PricingError::FundingPeriodOutOfRange);
    }
    let premium = mark.checked_sub(intrinsic).or_overflow()?;
    let period_ms = (funding_period_secs as i128)
        .checked_mul(1000)
        .or_overflow()?;
    Ok(Fixed::from_inner(
        mul_div_i128(
            premium.into_inner(),
            elapsed_ms as i128,
            period_ms,
            rounding,
        )
        .or_overflow()?,
    ))
}

/// Milliseconds in a day.
pub const DAY_MS: i128 = 86_400_000;

/// `amount` of funding accrued over `elapsed_ms`, held within `cap_per_day * elapsed / 1 day`
/// either way (`cap_per_day`: the most funding per contract per day, USD, non-negative).
pub fn capped(amount: Fixed, cap_per_day: Fixed, elapsed_ms: u64) -> Result<Fixed, PricingError> {
    let cap = Fixed::from_inner(
        mul_div_i128(
            cap_per_day.max(Fixed::ZERO).into_inner(),
            elapsed_ms as i128,
            DAY_MS,
            Rounding::Down,
        )
        .or_overflow()?,
    );
    Ok(amount.min(cap).max(cap.checked_neg().or_overflow()?))
}
