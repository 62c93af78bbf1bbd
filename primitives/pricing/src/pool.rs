//! Pool pricing: the pool is the counterparty to every trade and quotes a mark that moves
//! against its exposure, linearly in the traders' net position relative to the pool's
//! liquidity (a proactive market maker, as Deri's DPMM):
//!
//! ```text
//! mark(N)          = P (1 + k N / L)
//! cost(N -> N + v) = integral of mark(n) dn from N to N + v = P v (1 + k (2N + v) / (2L))
//! ```
//!
//! `P` is the theoretical price, `N` the traders' net position in contracts (positive: traders
//! are net long, the pool net short), `v` the trade (positive buys), `L` the pool's liquidity
//! expressed in contracts, `k` the sensitivity. The cost is an integral, so a trade split in
//! pieces costs the same as one trade (up to rounding), and it is rounded up: the trader pays
//! the extra unit on a buy and receives one unit less on a sell.

use crate::{
    fixed::{mul_div_i128, OrOverflow, Rounding},
    Fixed, PricingError,
};

/// The curve's parameters, set per market by its admin.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Curve {
    /// Sensitivity `k` of the mark to the pool's exposure, e.g. 0.2.
    pub sensitivity: Fixed,
    /// The most `k |N| / L` a trade may take the pool to, e.g. 0.5; must be below 1 so the
    /// mark stays positive.
    pub max_skew: Fixed,
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

    /// `k n / L`.
    fn skew(&self, n: Fixed, liquidity: Fixed) -> Result<Fixed, PricingError> {
        Ok(self
            .sensitivity
            .mul_div(n, liquidity, Rounding::Nearest)
            .or_overflow()?)
    }
}

/// The mark for a net position `net`: `P (1 + k N / L)`, never below 0.
pub fn mark_price(
    theoretical: Fixed,
    net: Fixed,
    liquidity: Fixed,
    curve: &Curve,
) -> Result<Fixed, PricingError> {
    curve.validate()?;
    if !liquidity.is_positive() {
        return Err(PricingError::NoLiquidity);
    }
    let m = Fixed::ONE
        .checked_add(curve.skew(net, liquidity)?)
        .or_overflow()?;
    Ok(theoretical.checked_mul(m.max(Fixed::ZERO)).or_overflow()?)
}

/// What a trade of `size` contracts costs when the traders' net position is `net` (negative:
/// what the trader receives), rounded up. Refuses a trade that takes the pool's skew beyond
/// `max_skew` (trades that reduce the skew are always allowed while the mark stays positive).
pub fn trade_cost(
    theoretical: Fixed,
    net: Fixed,
    size: Fixed,
    liquidity: Fixed,
    curve: &Curve,
) -> Result<Fixed, PricingError> {
    curve.validate()?;
    if !liquidity.is_positive() {
        return Err(PricingError::NoLiquidity);
    }
    if size.is_zero() {
        return Ok(Fixed::ZERO);
    }
    let after = net.checked_add(size).or_overflow()?;
    let skew_before = curve.skew(net, liquidity)?;
    let skew_after = curve.skew(after, liquidity)?;
    let increases = after.checked_abs().or_overflow()? > net.checked_abs().or_overflow()?;
    if increases && skew_after.checked_abs().or_overflow()? > curve.max_skew {
        return Err(PricingError::SkewLimit);
    }
    // The mark is linear in n: positive at both ends means positive along the trade.
    if skew_before <= Fixed::ONE.checked_neg().or_overflow()?
        || skew_after <= Fixed::ONE.checked_neg().or_overflow()?
    {
        return Err(PricingError::SkewLimit);
    }
    // cost = P v (2L + k (2N + v)) / (2L).
    let two_l = liquidity.checked_mul_int(2).or_overflow()?;
    let two_n_v = net
        .checked_mul_int(2)
        .and_then(|x| x.checked_add(size))
        .or_overflow()?;
    let m = two_l
        .checked_add(curve.sensitivity.checked_mul(two_n_v).or_overflow()?)
        .or_overflow()?;
    let pv = theoretical.checked_mul(size).or_overflow()?;
    let cost = mul_div_i128(
        pv.into_inner(),
        m.into_inner(),
        two_l.into_inner(),
        Rounding::Up,
    )
    .or_overflow()?;
    // m / 2L is dimensionless, so the result keeps pv's 18 decimals.
    Ok(Fixed::from_inner(cost))
}
