//! `calendar_*` RPC: whether a stock's market is open, and for how long, in a form a wallet can
//! show as is ("closed, opens in 2 h 13 min").

use std::{sync::Arc, time::SystemTime};

use jsonrpsee::{
    core::RpcResult,
    proc_macros::rpc,
    types::{error::ErrorObject, ErrorObjectOwned},
};
use perpetua_primitives::{
    runtime_api::{MarketCalendarApi, SessionInfo},
    AssetId, ExchangeId, Moment, Session,
};
use perpetua_runtime::opaque::Block;
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;

/// A session, for people and programs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MarketStatus {
    /// The moment (ms since the epoch) the status is for.
    pub at: Moment,
    /// The exchange (0 NYSE, 1 Nasdaq).
    pub exchange: ExchangeId,
    /// "open", "closed", "halted" or "unknown".
    pub status: String,
    /// When the session closes (ms), if open.
    pub closes_at: Option<Moment>,
    /// When the market opens next (ms), if closed and known.
    pub opens_at: Option<Moment>,
    /// Seconds until the close, if open.
    pub seconds_until_close: Option<u64>,
    /// Seconds until the open, if closed and known.
    pub seconds_until_open: Option<u64>,
    /// E.g. "open, closes in 3 h 12 min", "closed, opens in 2 h 13 min".
    pub text: String,
}

/// "2 d 3 h 13 min", "2 h 13 min", "13 min", "less than a minute".
pub fn human_duration(ms: u64) -> String {
    let minutes = ms / 60_000;
    let (d, h, m) = (minutes / 1440, (minutes / 60) % 24, minutes % 60);
    match (d, h, m) {
        (0, 0, 0) => "less than a minute".into(),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, m) => format!("{d} d {h} h {m} min"),
    }
}

impl From<SessionInfo> for MarketStatus {
    fn from(info: SessionInfo) -> Self {
        let at = info.at;
        let (status, closes_at, opens_at, text) = match info.session {
            Session::Open { closes_at } => (
                "open",
                Some(closes_at),
                None,
                format!(
                    "open, closes in {}",
                    human_duration(closes_at.saturating_sub(at))
                ),
            ),
            Session::Closed { next_open: Some(t) } => (
                "closed",
                None,
                Some(t),
                format!("closed, opens in {}", human_duration(t.saturating_sub(at))),
            ),
            Session::Closed { next_open: None } => (
                "closed",
                None,
                None,
                "closed, next opening not in the calendar".into(),
            ),
            Session::Halted => ("halted", None, None, "trading halted".into()),
            Session::Unknown => ("unknown", None, None, "no calendar for this day".into()),
        };
        MarketStatus {
            at,
            exchange: info.exchange,
            status: status.into(),
            closes_at,
            opens_at,
            seconds_until_close: closes_at.map(|c| c.saturating_sub(at) / 1000),
            seconds_until_open: opens_at.map(|o| o.saturating_sub(at) / 1000),
            text,
        }
    }
}

/// Market-hours RPC.
#[rpc(client, server)]
pub trait CalendarApi {
    /// The market status of stock token `asset` at `at` (ms; default: now, by the node's clock).
    #[method(name = "calendar_stockStatus")]
    fn stock_status(&self, asset: AssetId, at: Option<Moment>) -> RpcResult<MarketStatus>;

    /// The market status of `exchange` at `at` (ms; default: now).
    #[method(name = "calendar_exchangeStatus")]
    fn exchange_status(&self, exchange: ExchangeId, at: Option<Moment>) -> RpcResult<MarketStatus>;
}

/// The RPC handler.
pub struct Calendar<C> {
    client: Arc<C>,
}

impl<C> Calendar<C> {
    /// A handler over `client`.
    pub fn new(client: Arc<C>) -> Self {
        Self { client }
    }
}

fn now_ms() -> Moment {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as Moment)
        .unwrap_or_default()
}

fn error(code: i32, msg: impl Into<String>) -> ErrorObjectOwned {
    ErrorObject::owned(code, msg.into(), None::<()>)
}

/// Not a listed stock / no such exchange.
pub const NOT_FOUND: i32 = 7001;
/// The runtime call failed.
pub const RUNTIME_ERROR: i32 = 7000;

impl<C> CalendarApiServer for Calendar<C>
where
    C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
    C::Api: MarketCalendarApi<Block>,
{
    fn stock_status(&self, asset: AssetId, at: Option<Moment>) -> RpcResult<MarketStatus> {
        let best = self.client.info().best_hash;
        let info = self
            .client
            .runtime_api()
            .stock_session(best, asset, Some(at.unwrap_or_else(now_ms)))
            .map_err(|e| error(RUNTIME_ERROR, format!("runtime error: {e}")))?;
        info.map(Into::into).ok_or_else(|| {
            error(
                NOT_FOUND,
                format!("asset {asset} is not a listed stock token"),
            )
        })
    }

    fn exchange_status(&self, exchange: ExchangeId, at: Option<Moment>) -> RpcResult<MarketStatus> {
        let best = self.client.info().best_hash;
        let info = self
            .client
            .runtime_api()
            .exchange_session(best, exchange, Some(at.unwrap_or_else(now_ms)))
            .map_err(|e| error(RUNTIME_ERROR, format!("runtime error: {e}")))?;
        info.map(Into::into)
            .ok_or_else(|| error(NOT_FOUND, format!("no exchange {exchange}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(30_000), "less than a minute");
        assert_eq!(human_duration(13 * 60_000), "13 min");
        assert_eq!(
            human_duration((2 * 60 + 13) * 60_000 + 59_000),
            "2 h 13 min"
        );
        assert_eq!(human_duration((2 * 1440 + 62) * 60_000), "2 d 1 h 2 min");
    }

    #[test]
    fn statuses_read_naturally() {
        let s: MarketStatus = SessionInfo {
            at: 0,
            exchange: 1,
            session: Session::Closed {
                next_open: Some((2 * 60 + 13) * 60_000),
            },
        }
        .into();
        assert_eq!(s.status, "closed");
        assert_eq!(s.text, "closed, opens in 2 h 13 min");
        assert_eq!(s.seconds_until_open, Some(7980));
        let s: MarketStatus = SessionInfo {
            at: 0,
            exchange: 1,
            session: Session::Open {
                closes_at: 3_600_000,
            },
        }
        .into();
        assert_eq!(
            (s.status.as_str(), s.text.as_str()),
            ("open", "open, closes in 1 h 0 min")
        );
    }
}
