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
    /// A new median further than this from the last accepted price is held...
    pub breaker_threshold: Perbill,
    /// ...when the last accepted price is younger than this (ms); an older one is replaced
    /// without question (a market reopening after a gap).
    pub breaker_window: Moment,
    /// Time constant of the exponential moving average, ms.
    pub ema_period: Moment,
    /// Lowest accepted implied volatility (annualised fraction).
    pub min_vol: Price,
    /// Highest accepted implied volatility.
    pub max_vol: Price,
}

impl Default for PriceParams {
    fn default() -> Self {
        PriceParams {
            crypto_max_age: 60_000,
            stock_max_age: 60_000,
            open_grace: 5 * 60_000,
            max_closed_age: 4 * 24 * 60 * 60_000,
            breaker_threshold: Perbill::from_percent(20),
            breaker_window: 10 * 60_000,
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
pub struct Pending<BlockNumber> {
    pub value: Price,
    pub timestamp: Moment,
    /// The block it was first seen in: a later round may confirm it.
    pub since_block: BlockNumber,
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
