//! Pool pricing: the pool is the counterparty to every trade and quotes a mark that moves
//! against its exposure, linearly in the traders' net position relative to the pool's
//! liquidity (a proactive market maker, as Deri's DPMM), on the option's **time value only**,
//! and never further than the curve's limit:
//!
//! ```text
//! skew(N)          = clamp(k N / L, -s, s)
//! mark(N)          = P + V skew(N)
//! cost(N -> N + v) = P v + V (G(N + v) - G(N)),   G(n) = integral of skew from 0 to n
//! ```
//!
//! `P` is the theoretical price, `V` its time value (`P` less the intrinsic value), `N` the
//! traders' net position in contracts (positive: traders are net long, the pool net short),
//! `v` the trade (positive buys), `L` the pool's liquidity expressed in contracts, `k` the
//! sensitivity and `s` the most skew (below 1).
//!
//! - The intrinsic value is never skewed: an in-the-money option's mark stays within `s V` of
//!   its theoretical price, and its funding (mark less intrinsic) within `s V` of the time
//!   value; the mark never falls below the intrinsic value.
//! - The cost is an integral of a function of `N` alone, so a trade split in pieces costs the
//!   same as one trade (up to rounding) and no sequence of trades that returns `N` to where it
//!   was gains anything from the curve.
//! - A trade that opens risk may not take the skew beyond `s` ([`Limit::Enforced`]); a trade
//!   that only reduces a position (the trader's own, or a forced close) always fills
//!   ([`Limit::Waived`]), at a mark that is flat at `P ± s V` beyond the limit.
//! - Costs are rounded up: the trader pays the extra unit on a buy and receives one unit less
//!   on a sell.

use crate::{
    fixed::{OrOverflow, Rounding},
    Fixed, PricingError,
};

/// The curve's parameters, set per market by its admin.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Curve {
    /// Sensitivity `k` of the mark to the pool's exposure, e.g. 0.2.
    pub sensitivity: Fixed,
    /// The most skew `s`: `|k N / L|` beyond it is flat, and no trade that opens risk may
    /// take the pool there, e.g. 0.5; must be below 1.
    pub max_skew: Fixed,
}

/// Whether a trade is held to the curve's skew limit.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Limit {
    /// A trade that opens or increases a position: refused beyond the limit.
    Enforced,
    /// A trade that only reduces a position: always fills.
    Waived,
}

impl Curve {
    /// `k >= 0` and `0 < max_skew < 1`.
    pub fn validate(&self) -> Result<(), PricingError> {
        if self.sensitivity.is_negative()
            || !self.max_skew.is_positive()
            || self.max_skew >= Fixed::ONE
        {
            return Err(PricingError::InvalidParameters);
        }
        Ok(())
    }

    /// `k n / L`, unclamped.
    fn raw_skew(&self, n: Fixed, liquidity: Fixed) -> Result<Fixed, PricingError> {
        Ok(self
            .sensitivity
            .mul_div(n, liquidity, Rounding::Nearest)
            .or_overflow()?)
    }

    /// `G(n)`, the integral of the clamped skew from 0 to `n` (even in `n`, as the skew is odd):
    /// `k n^2 / 2L` up to the net `c = s L / k` where the limit is reached, then
    /// `s |n| - s c / 2`.
    fn integral(&self, n: Fixed, liquidity: Fixed) -> Result<Fixed, PricingError> {
        if self.sensitivity.is_zero() {
            return Ok(Fixed::ZERO);
        }
        let abs = n.checked_abs().or_overflow()?;
        let reach = self.max_skew.checked_mul(liquidity).or_overflow()?;
        if self.sensitivity.checked_mul(abs).or_overflow()? <= reach {
            let two_l = liquidity.checked_mul_int(2).or_overflow()?;
            let n2 = abs.checked_mul(abs).or_overflow()?;
            return Ok(self
                .sensitivity
                .mul_div(n2, two_l, Rounding::Nearest)
                .or_overflow()?);
        }
        let c = reach
            .div_round(self.sensitivity, Rounding::Nearest)
            .or_overflow()?;
        let beyond = abs.checked_sub(c.div_int_round(2, Rounding::Nearest).or_overflow()?);
        Ok(self
            .max_skew
            .checked_mul(beyond.or_overflow()?)
            .or_overflow()?)
    }
}

/// The skew at net position `net`: `clamp(k N / L, -s, s)`.
pub fn skew(net: Fixed, liquidity: Fixed, curve: &Curve) -> Result<Fixed, PricingError> {
    curve.validate()?;
    if !liquidity.is_positive() {
        return Err(PricingError::NoLiquidity);
    }
    let s = curve.max_skew;
    let neg = s.checked_neg().or_overflow()?;
    Ok(curve.raw_skew(net, liquidity)?.max(neg).min(s))
}

/// `V` clamped to `[0, P]`.
fn time_value_of(theoretical: Fixed, time_value: Fixed) -> Fixed {
    time_value
        .max(Fixed::ZERO)
        .min(theoretical.max(Fixed::ZERO))
}

/// The mark for a net position `net`: `P + V skew(N)`.
pub fn mark_price(
    theoretical: Fixed,
    time_value: Fixed,
    net: Fixed,
    liquidity: Fixed,
    curve: &Curve,
) -> Result<Fixed, PricingError> {
    let sk = skew(net, liquidity, curve)?;
    let v = time_value_of(theoretical, time_value);
    Ok(theoretical
        .checked_add(v.checked_mul(sk).or_overflow()?)
        .or_overflow()?)
}

/// What a trade of `size` contracts costs when the traders' net position is `net` (negative:
/// what the trader receives), rounded up. With [`Limit::Enforced`], refuses a trade that takes
/// the pool's skew beyond `max_skew` (trades that reduce the pool's exposure always pass).
pub fn trade_cost(
    theoretical: Fixed,
    time_value: Fixed,
    net: Fixed,
    size: Fixed,
    liquidity: Fixed,
    curve: &Curve,
    limit: Limit,
) -> Result<Fixed, PricingError> {
    curve.validate()?;
    if !liquidity.is_positive() {
        return Err(PricingError::NoLiquidity);
    }
    if size.is_zero() {
        return Ok(Fixed::ZERO);
    }
    let after = net.checked_add(size).or_overflow()?;
    let increases = after.checked_abs().or_overflow()? > net.checked_abs().or_overflow()?;
    if limit == Limit::Enforced
        && increases
        && curve
            .raw_skew(after, liquidity)?
            .checked_abs()
            .or_overflow()?
            > curve.max_skew
    {
        return Err(PricingError::SkewLimit);
    }
    let v = time_value_of(theoretical, time_value);
    // `G` is the antiderivative of the (odd) skew over the whole line, even in `n`: the
    // area from `net` to `after` is `G(after) - G(net)`, whichever side of zero each is on.
    let area = curve
        .integral(after, liquidity)?
        .checked_sub(curve.integral(net, liquidity)?)
        .or_overflow()?;
    let premium = v.mul_round(area, Rounding::Up).or_overflow()?;
    let pv = theoretical.checked_mul(size).or_overflow()?;
    Ok(pv.checked_add(premium).or_overflow()?)
}
