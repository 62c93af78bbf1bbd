//! Perpetua's shared vocabulary: identifiers, money types and oracle keys used by the runtime,
//! its pallets and the node. Pallets talk to each other through traits defined here, wired in
//! the runtime's `Config`s, never by depending on each other's crates.
#![cfg_attr(not(feature = "std"), no_std)]

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

pub use sp_arithmetic::{FixedI128, FixedU128};

pub mod runtime_api;
pub mod traits;
pub use traits::*;

/// Balance of any asset, in that asset's base units (its decimals come from pallet-assets
/// metadata; the native token PRP has 12).
pub type Balance = u128;
/// Identifier of an asset in pallet-assets (stock tokens, LP share tokens).
pub type AssetId = u32;
/// Milliseconds since the Unix epoch, as kept by pallet-timestamp.
pub type Moment = u64;
/// A USD price per whole token.
pub type Price = FixedU128;
/// Identifier of a stock exchange in pallet-market-calendar (0 = NYSE, 1 = Nasdaq).
pub type ExchangeId = u16;

/// A crypto index that options are written on. Prices of these come from the oracle in USD.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub enum CryptoIndex {
    /// Bitcoin.
    Btc,
    /// Ether.
    Eth,
}

/// What an oracle operator feeds a value for.
///
/// `Spot` values are USD prices per whole token (`FixedU128`); `ImpliedVol` values are
/// annualised volatilities as a fraction (`FixedU128`, 0.65 = 65%).
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
    Serialize,
    Deserialize,
)]
pub enum OracleKey {
    /// The native token PRP in USD.
    Native,
    /// A crypto index (BTC, ETH) in USD.
    Crypto(CryptoIndex),
    /// An asset of pallet-assets (a listed stock token) in USD.
    Asset(AssetId),
    /// The implied volatility of a crypto index.
    ImpliedVol(CryptoIndex),
}
