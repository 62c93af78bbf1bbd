//! `prices_*` RPC: a price, its age and whether it is usable, for any oracle key.

use std::sync::Arc;

use jsonrpsee::{
    core::RpcResult,
    proc_macros::rpc,
    types::{error::ErrorObject, ErrorObjectOwned},
};
use perpetua_primitives::{
    runtime_api::{PriceInfo, PricesApi, QuorumInfo},
    Moment, OracleKey, Price, PriceStatus,
};
use perpetua_runtime::{opaque::Block, AccountId};
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::crypto::Ss58Codec;

/// A price as JSON: decimal strings keep every one of the 18 decimals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceStatusJson {
    /// The key, as text (`BTC`, `ASSET:1`, `IV:ETH`, `PRP`).
    pub key: String,
    /// "fresh", "closedMarket", "stale", "circuitOpen", "halted" or "missing".
    pub status: String,
    /// The last accepted value.
    pub value: Option<String>,
    /// When it was published (ms).
    pub timestamp: Option<Moment>,
    /// Usable until (ms).
    pub valid_until: Option<Moment>,
    /// Its moving average.
    pub ema: Option<String>,
    /// A median held by the circuit breaker.
    pub pending: Option<String>,
    /// Operators in the set, the quorum a price needs, how many fed recently enough to count,
    /// and how many of those agree: why a price is or is not forming.
    pub quorum: QuorumInfo,
    /// A stock's gap exposure (ms) the collateral haircut grows with; `null`: unknown (the
    /// haircut is at its maximum).
    pub unpriced_interval_ms: Option<Moment>,
    /// Every operator's last value (`prices_status` only).
    pub feeds: Option<Vec<FeedJson>>,
}

/// One operator's last value of a key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeedJson {
    /// The operator (SS58).
    pub operator: String,
    pub value: String,
    /// When it was fed (ms).
    pub fed_at: Moment,
    /// Whether it is young enough to count towards the quorum.
    pub counts: bool,
}

/// `123.45` for a `FixedU128` of 123.45.
pub fn decimal(p: Price) -> String {
    let inner = p.into_inner();
    let (int, frac) = (
        inner / 1_000_000_000_000_000_000,
        inner % 1_000_000_000_000_000_000,
    );
    if frac == 0 {
        return int.to_string();
    }
    let frac = format!("{frac:018}");
    format!("{int}.{}", frac.trim_end_matches('0'))
}

fn status_name(s: PriceStatus) -> &'static str {
    match s {
        PriceStatus::Fresh => "fresh",
        PriceStatus::ClosedMarket => "closedMarket",
        PriceStatus::Stale => "stale",
        PriceStatus::CircuitOpen => "circuitOpen",
        PriceStatus::Halted => "halted",
        PriceStatus::Missing => "missing",
    }
}

/// The JSON of `info` for `key`.
pub fn to_json(key: OracleKey, info: PriceInfo) -> PriceStatusJson {
    PriceStatusJson {
        key: key.to_string(),
        status: status_name(info.status).into(),
        value: info.value.map(decimal),
        timestamp: info.timestamp,
        valid_until: info.valid_until,
        ema: info.ema.map(decimal),
        pending: info.pending.map(decimal),
        quorum: info.quorum,
        unpriced_interval_ms: info.unpriced_interval,
        feeds: None,
    }
}

/// Prices RPC.
#[rpc(client, server)]
pub trait PricesRpc {
    /// The price of `key` (`"BTC"`, `"ETH"`, `"PRP"`, `"IV:BTC"`, `"ASSET:1"`) and its status at
    /// the best block.
    #[method(name = "prices_status")]
    fn status(&self, key: String) -> RpcResult<PriceStatusJson>;

    /// Every key with a price.
    #[method(name = "prices_all")]
    fn all(&self) -> RpcResult<Vec<PriceStatusJson>>;
}

/// The RPC handler.
pub struct Prices<C> {
    client: Arc<C>,
}

impl<C> Prices<C> {
    /// A handler over `client`.
    pub fn new(client: Arc<C>) -> Self {
        Self { client }
    }
}

/// The key is not written as a key.
pub const BAD_KEY: i32 = 7101;

fn error(code: i32, msg: impl Into<String>) -> ErrorObjectOwned {
    ErrorObject::owned(code, msg.into(), None::<()>)
}

impl<C> PricesRpcServer for Prices<C>
where
    C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
    C::Api: PricesApi<Block, AccountId>,
{
    fn status(&self, key: String) -> RpcResult<PriceStatusJson> {
        let key: OracleKey = key.parse().map_err(|e: &str| error(BAD_KEY, e))?;
        let best = self.client.info().best_hash;
        let info = self
            .client
            .runtime_api()
            .price_info(best, key)
            .map_err(|e| {
                error(
                    super::calendar::RUNTIME_ERROR,
                    format!("runtime error: {e}"),
                )
            })?;
        let feeds = self.client.runtime_api().feeds(best, key).map_err(|e| {
            error(
                super::calendar::RUNTIME_ERROR,
                format!("runtime error: {e}"),
            )
        })?;
        let mut json = to_json(key, info);
        json.feeds = Some(
            feeds
                .into_iter()
                .map(|f| FeedJson {
                    operator: f.operator.to_ss58check(),
                    value: decimal(f.value),
                    fed_at: f.fed_at,
                    counts: f.counts,
                })
                .collect(),
        );
        Ok(json)
    }

    fn all(&self) -> RpcResult<Vec<PriceStatusJson>> {
        let best = self.client.info().best_hash;
        let all = self.client.runtime_api().all_prices(best).map_err(|e| {
            error(
                super::calendar::RUNTIME_ERROR,
                format!("runtime error: {e}"),
            )
        })?;
        Ok(all.into_iter().map(|(k, i)| to_json(k, i)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(
            decimal(Price::from_inner(97_000_500_000_000_000_000_000)),
            "97000.5"
        );
        assert_eq!(decimal(Price::from_inner(1)), "0.000000000000000001");
        assert_eq!(decimal(Price::from_u32(400)), "400");
    }
}
