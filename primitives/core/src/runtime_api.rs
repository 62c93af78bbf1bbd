//! Runtime APIs that wallets, UIs and the node's RPC call.

use crate::{AssetId, Balance, ExchangeId, Moment, OracleKey, Price, PriceStatus, Session};
use alloc::vec::Vec;
use codec::{Decode, Encode};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// A market session as the API reports it.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct SessionInfo {
    /// The moment (ms) the session is for.
    pub at: Moment,
    /// The exchange.
    pub exchange: ExchangeId,
    /// Open (until when), closed (until when), halted or unknown.
    pub session: Session,
}

/// Everything the prices API says about a key.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct PriceInfo {
    /// Fresh, closed-market, stale, circuit-open, halted or missing.
    pub status: PriceStatus,
    /// The last accepted price (USD per whole token, or a volatility), usable or not.
    pub value: Option<Price>,
    /// When it was published (ms).
    pub timestamp: Option<Moment>,
    /// Usable until then (ms).
    pub valid_until: Option<Moment>,
    /// Its exponential moving average (the mark's index).
    pub ema: Option<Price>,
    /// A median held by the circuit breaker.
    pub pending: Option<Price>,
}

/// A pool's state, as the pool API reports it (settlement-asset base units).
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct PoolStateInfo {
    pub main_share: AssetId,
    pub insurance_share: AssetId,
    /// Realised capital of each tranche.
    pub main: Balance,
    pub insurance: Balance,
    /// NAV of each tranche with the book at mark (`None` if the book cannot be valued now).
    pub main_nav: Option<Balance>,
    pub insurance_nav: Option<Balance>,
    /// Share supply of each tranche.
    pub main_supply: Balance,
    pub insurance_supply: Balance,
    /// Margin the book requires, and its share of capital (parts per billion).
    pub required_margin: Balance,
    pub utilisation_ppb: u32,
    /// Deposits waiting for the market to open.
    pub queued_deposits: Balance,
    /// Whether LP flows execute now (else they queue).
    pub flows_open: bool,
    /// Whether the pool takes new risk.
    pub open: bool,
}

sp_api::decl_runtime_apis! {
    /// The liquidity pools (pallet-pool).
    pub trait PoolApi {
        /// The state of `settlement`'s pool, if there is one.
        fn pool_state(settlement: AssetId) -> Option<PoolStateInfo>;
    }

    /// Prices with their freshness (pallet-prices).
    pub trait PricesApi {
        /// What is known of `key`'s price at the current block.
        fn price_info(key: OracleKey) -> PriceInfo;
        /// Every key with an accepted or pending price.
        fn all_prices() -> Vec<(OracleKey, PriceInfo)>;
    }

    /// Stock-market hours (pallet-market-calendar).
    pub trait MarketCalendarApi {
        /// The session of stock `asset` at `at` (ms since the epoch; `None`: the time of the
        /// block the call is made at). `None` if `asset` is not a listed stock.
        fn stock_session(asset: AssetId, at: Option<Moment>) -> Option<SessionInfo>;
        /// The session of `exchange` at `at`. `None` if there is no such exchange.
        fn exchange_session(exchange: ExchangeId, at: Option<Moment>) -> Option<SessionInfo>;
    }
}
