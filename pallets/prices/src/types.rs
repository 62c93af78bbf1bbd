//! Types of pallet-prices.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use perpetua_primitives::{Moment, Price};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::Perbill;

/// Freshness, breaker, EMA and volatility parameters, set by the admin. One place for all the
/// price layer's risk parameters.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub struct PriceParams {
    /// Oldest usable price of a 24/7 market (crypto, PRP, volatilities), ms.
    pub crypto_max_age: Moment,
    /// Oldest usable price of a stock whose market is open, ms.
    pub stock_max_age: Moment,
    /// After a market opens, the closing price stays usable this long (ms) until a fresh one.
    pub open_grace: Moment,
    /// How long a stock price published while closed stays usable when the next opening is not
    /// in the calendar, ms.
    pub max_closed_age: Moment,
    /// A new median further than this from the key's EMA is held by the circuit breaker until a
    /// later round, fed by another operator, confirms it (or the admin does). Measured against
    /// the EMA, which stands still while the price is unusable, so it also holds after an
    /// outage or a weekend.
    pub breaker_threshold: Perbill,
    /// Operators' values must lie within this of their median for a quorum to agree.
    pub quorum_spread: Perbill,
    /// A stock's gap exposure ramps up over this long before each close (ms), so the
    /// collateral haircut reaches its closed-market level at the close instead of jumping there.
    pub close_ramp: Moment,
    /// Time constant of the exponential moving average, ms.
    pub ema_period: Moment,
    /// Lowest accepted implied volatility (annualised fraction).
    pub min_vol: Price,
    /// Highest accepted implied volatility.
    pub max_vol: Price,
}

/// Why parameters were refused: one named bound per rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamsError {
    /// `crypto_max_age` or `stock_max_age` is zero.
    ZeroMaxAge,
    /// `ema_period` is zero.
    ZeroEmaPeriod,
    /// `breaker_threshold` is zero (every move would be held) or above 100%.
    BreakerThreshold,
    /// `quorum_spread` is zero or at least `breaker_threshold` (agreeing operators could then
    /// move the price past the breaker in one round).
    QuorumSpread,
    /// `min_vol` is zero or not below `max_vol`.
    VolatilityBounds,
    /// `close_ramp` is longer than a day.
    CloseRamp,
}

impl PriceParams {
    /// Checks every bound (see [`ParamsError`]).
    pub fn validate(&self) -> Result<(), ParamsError> {
        use sp_runtime::traits::Zero;
        if self.crypto_max_age == 0 || self.stock_max_age == 0 {
            return Err(ParamsError::ZeroMaxAge);
        }
        if self.ema_period == 0 {
            return Err(ParamsError::ZeroEmaPeriod);
        }
        if self.breaker_threshold.is_zero() {
            return Err(ParamsError::BreakerThreshold);
        }
        if self.quorum_spread.is_zero() || self.quorum_spread >= self.breaker_threshold {
            return Err(ParamsError::QuorumSpread);
        }
        if self.min_vol.is_zero() || self.min_vol >= self.max_vol {
            return Err(ParamsError::VolatilityBounds);
        }
        if self.close_ramp > 24 * 60 * 60_000 {
            return Err(ParamsError::CloseRamp);
        }
        Ok(())
    }
}

impl Default for PriceParams {
    fn default() -> Self {
        PriceParams {
            crypto_max_age: 60_000,
            stock_max_age: 60_000,
            open_grace: 5 * 60_000,
            max_closed_age: 4 * 24 * 60 * 60_000,
            breaker_threshold: Perbill::from_percent(20),
            quorum_spread: Perbill::from_percent(2),
            close_ramp: 60 * 60_000,
            ema_period: 10 * 60_000,
            min_vol: Price::from_rational(5, 100),
            max_vol: Price::from_u32(5),
        }
    }
}

/// An accepted price and until when it is usable.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
)]
pub struct PricePoint {
    pub value: Price,
    /// When the oracle median was published (ms).
    pub timestamp: Moment,
    /// Usable as a fresh price until then (ms, exclusive).
    pub fresh_until: Moment,
    /// Usable at all until then (ms, exclusive): later than `fresh_until` for a stock price
    /// that carries over a market close.
    pub valid_until: Moment,
    /// For a stock: when the last price published while its market was open was published
    /// (this one, or an earlier one); `None` if there never was one. The start of the interval
    /// the price has gone unrefreshed over.
    pub in_session_at: Option<Moment>,
}

/// A median held by the circuit breaker.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
)]
pub struct Pending<AccountId, BlockNumber> {
    pub value: Price,
    pub timestamp: Moment,
    /// The block it was first seen in: a later round may confirm it.
    pub since_block: BlockNumber,
    /// The operator whose feed formed it: only a round fed by another may confirm it.
    pub opened_by: AccountId,
}

/// The moving average of a key's accepted prices.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
)]
pub struct EmaPoint {
    pub value: Price,
    pub updated_at: Moment,
}

pub use perpetua_primitives::runtime_api::PriceInfo;
