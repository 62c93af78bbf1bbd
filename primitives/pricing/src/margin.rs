//! Margin requirements of option positions, in the spirit of Deri Protocol V3: a delta term for
//! the spot moving against the position, a gamma term for the convexity a short position is
//! exposed to, and a time-value term for volatility and funding risk.
//!
//! Per contract, with spot `S`, the option's greeks, shock `h` and time-value ratio `l` of the
//! margin level (initial or maintenance):
//!
//! ```text
//! risk  = |delta| S h + l V  (+ gamma (S h)^2 / 2 for a short position)
//! short = max(risk, floor * S)
//! long  = min(risk, price)      a long option can lose at most its premium
//! ```
//!
//! The requirement of a position of `n` contracts is `|n|` times that, rounded up (in the
//! protocol's favour).

use crate::{
    everlasting::Quote,
    fixed::{OrOverflow, Rounding},
    Fixed, PricingError,
};

/// Which requirement: opening or increasing a position must keep equity above the initial
/// margin; an account below maintenance margin is liquidated.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MarginLevel {
    /// Needed to open or increase risk.
    Initial,
    /// Below this, the account is liquidated.
    Maintenance,
}

/// The parameters of the margin formula, set per market by its admin.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct MarginParams {
    /// Spot move (fraction of spot) the initial margin covers, e.g. 0.10.
    pub initial_shock: Fixed,
    /// Spot move the maintenance margin covers, e.g. 0.05.
    pub maintenance_shock: Fixed,
    /// Fraction of the time value held at the initial level, e.g. 0.20.
    pub initial_time_value_ratio: Fixed,
    /// Fraction of the time value held at the maintenance level, e.g. 0.10.
    pub maintenance_time_value_ratio: Fixed,
    /// Least initial margin of a short contract, as a fraction of spot, e.g. 0.01.
    pub initial_floor: Fixed,
    /// Least maintenance margin of a short contract, as a fraction of spot, e.g. 0.005.
    pub maintenance_floor: Fixed,
}

impl MarginParams {
    /// Every term in [0, 1] and each maintenance term at most its initial term.
    pub fn validate(&self) -> Result<(), PricingError> {
        let unit = |x: Fixed| !x.is_negative() && x <= Fixed::ONE;
        let all_in_unit = [
            self.initial_shock,
            self.maintenance_shock,
            self.initial_time_value_ratio,
            self.maintenance_time_value_ratio,
            self.initial_floor,
            self.maintenance_floor,
        ]
        .into_iter()
        .all(unit);
        if !all_in_unit
            || self.maintenance_shock > self.initial_shock
            || self.maintenance_time_value_ratio > self.initial_time_value_ratio
            || self.maintenance_floor > self.initial_floor
        {
            return Err(PricingError::InvalidParameters);
        }
        Ok(())
    }

    fn level(&self, level: MarginLevel) -> (Fixed, Fixed, Fixed) {
        match level {
            MarginLevel::Initial => (
                self.initial_shock,
                self.initial_time_value_ratio,
                self.initial_floor,
            ),
            MarginLevel::Maintenance => (
                self.maintenance_shock,
                self.maintenance_time_value_ratio,
                self.maintenance_floor,
            ),
        }
    }
}

/// Margin of one contract, long or short, rounded up.
pub fn per_contract(
    quote: &Quote,
    spot: Fixed,
    long: bool,
    params: &MarginParams,
    level: MarginLevel,
) -> Result<Fixed, PricingError> {
    params.validate()?;
    if !spot.is_positive() {
        return Err(PricingError::InvalidSpot);
    }
    let (shock, tv_ratio, floor) = params.level(level);
    let up = Rounding::Up;
    let move_ = spot.mul_round(shock, up).or_overflow()?;
    let delta_term = quote
        .delta
        .checked_abs()
        .and_then(|d| d.mul_round(move_, up))
        .or_overflow()?;
    let tv_term = quote
        .time_value
        .max(Fixed::ZERO)
        .mul_round(tv_ratio, up)
        .or_overflow()?;
    let mut risk = delta_term.checked_add(tv_term).or_overflow()?;
    if long {
        return Ok(risk.min(quote.price.max(Fixed::ZERO)));
    }
    let gamma_term = move_
        .mul_round(move_, up)
        .and_then(|m2| m2.mul_round(quote.gamma.max(Fixed::ZERO), up))
        .and_then(|g| g.div_int_round(2, up))
        .or_overflow()?;
    risk = risk.checked_add(gamma_term).or_overflow()?;
    Ok(risk.max(spot.mul_round(floor, up).or_overflow()?))
}

/// Margin of a position of `size` contracts (positive long, negative short), rounded up.
pub fn requirement(
    quote: &Quote,
    spot: Fixed,
    size: Fixed,
    params: &MarginParams,
    level: MarginLevel,
) -> Result<Fixed, PricingError> {
    if size.is_zero() {
        return Ok(Fixed::ZERO);
    }
    let per = per_contract(quote, spot, size.is_positive(), params, level)?;
    Ok(size
        .checked_abs()
        .and_then(|n| n.mul_round(per, Rounding::Up))
        .or_overflow()?)
}
