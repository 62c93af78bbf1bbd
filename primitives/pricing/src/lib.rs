//! # perpetua-pricing
//!
//! Deterministic fixed-point maths for Perpetua's everlasting options: elementary functions,
//! everlasting prices and greeks, funding, margin, and the pool's pricing curve, with a
//! European Black-Scholes price as a cross-check.
//!
//! - `no_std`, no FRAME dependency, no floating point outside tests: every validator computes
//!   the same bits.
//! - Every function returns a `Result`: out-of-domain input (zero strike, absurd volatility,
//!   overflow) is an error, never a panic.
//! - Numbers are [`Fixed`]: 18 decimals on an `i128`, the same inner representation as
//!   Substrate's `FixedI128`/`FixedU128`.
//!
//! See the crate's README for the formulas and the margin parameters.
#![cfg_attr(not(feature = "std"), no_std)]
// No floating point in the maths; tests use f64 only as a reference.
#![cfg_attr(not(test), deny(clippy::float_arithmetic))]

pub mod european;
pub mod everlasting;
pub mod fixed;
pub mod funding;
pub mod margin;
pub mod math;
pub mod pool;
pub mod position;

pub use everlasting::{intrinsic, price, quote, time_value, Inputs, OptionKind, Quote};
pub use fixed::{Fixed, Rounding};
pub use margin::{MarginLevel, MarginParams};
pub use pool::{Curve, Limit};

/// An arithmetic failure.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MathError {
    /// The result does not fit.
    Overflow,
    /// Division by zero.
    DivisionByZero,
    /// The input is outside the function's domain (e.g. `ln` of a negative number).
    Domain,
}

/// Why a price, greek, margin or pool quote could not be computed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum PricingError {
    /// Spot not in (0, 10^12].
    InvalidSpot,
    /// Strike not in (0, 10^12].
    InvalidStrike,
    /// Volatility not in [0.1%, 1000%].
    VolatilityOutOfRange,
    /// Funding period not in [1 minute, 10 years].
    FundingPeriodOutOfRange,
    /// Spot and strike more than 10^9 apart.
    MoneynessOutOfRange,
    /// Margin or curve parameters out of range.
    InvalidParameters,
    /// The pool has no liquidity to price against.
    NoLiquidity,
    /// The trade would skew the pool beyond its limit.
    SkewLimit,
    /// An arithmetic failure.
    Math(MathError),
}

impl From<MathError> for PricingError {
    fn from(e: MathError) -> Self {
        PricingError::Math(e)
    }
}
