//! Perpetua's shared vocabulary: identifiers, money types and oracle keys used by the runtime,
//! its pallets and the node. Pallets talk to each other through traits defined here, wired in
//! the runtime's `Config`s, never by depending on each other's crates.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

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

/// A call or a put.
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
pub enum OptionKind {
    /// The right to buy the index at the strike.
    Call,
    /// The right to sell the index at the strike.
    Put,
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

impl core::fmt::Display for CryptoIndex {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            CryptoIndex::Btc => "BTC",
            CryptoIndex::Eth => "ETH",
        })
    }
}

impl core::str::FromStr for CryptoIndex {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("BTC") {
            Ok(CryptoIndex::Btc)
        } else if s.eq_ignore_ascii_case("ETH") {
            Ok(CryptoIndex::Eth)
        } else {
            Err("unknown crypto index: expected BTC or ETH")
        }
    }
}

/// Keys as people write them: `BTC`, `ETH`, `PRP`, `IV:BTC`, `IV:ETH`, `ASSET:1`.
impl core::fmt::Display for OracleKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            OracleKey::Native => f.write_str("PRP"),
            OracleKey::Crypto(c) => write!(f, "{c}"),
            OracleKey::Asset(id) => write!(f, "ASSET:{id}"),
            OracleKey::ImpliedVol(c) => write!(f, "IV:{c}"),
        }
    }
}

impl core::str::FromStr for OracleKey {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("PRP") {
            return Ok(OracleKey::Native);
        }
        if let Some((kind, rest)) = s.split_once(':') {
            if kind.eq_ignore_ascii_case("IV") {
                return Ok(OracleKey::ImpliedVol(rest.trim().parse()?));
            }
            if kind.eq_ignore_ascii_case("ASSET") {
                return rest
                    .trim()
                    .parse()
                    .map(OracleKey::Asset)
                    .map_err(|_| "ASSET: must be followed by an asset id, e.g. ASSET:1");
            }
            return Err("unknown key kind: expected IV:<index> or ASSET:<id>");
        }
        s.parse::<CryptoIndex>()
            .map(OracleKey::Crypto)
            .map_err(|_| "unknown key: expected BTC, ETH, PRP, IV:BTC, IV:ETH or ASSET:<id>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_as_text() {
        for k in [
            OracleKey::Native,
            OracleKey::Crypto(CryptoIndex::Btc),
            OracleKey::Crypto(CryptoIndex::Eth),
            OracleKey::ImpliedVol(CryptoIndex::Btc),
            OracleKey::Asset(42),
        ] {
            let text = format!("{k}");
            assert_eq!(text.parse::<OracleKey>(), Ok(k), "{text}");
        }
        assert_eq!(
            "btc".parse::<OracleKey>(),
            Ok(OracleKey::Crypto(CryptoIndex::Btc))
        );
        assert_eq!("asset:7".parse::<OracleKey>(), Ok(OracleKey::Asset(7)));
        assert!("DOGE".parse::<OracleKey>().is_err());
        assert!("ASSET:x".parse::<OracleKey>().is_err());
        assert!("IV:SOL".parse::<OracleKey>().is_err());
    }
}
