//! Runtime APIs that wallets, UIs and the node's RPC call.

use crate::{AssetId, ExchangeId, Moment, Session};
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

sp_api::decl_runtime_apis! {
    /// Stock-market hours (pallet-market-calendar).
    pub trait MarketCalendarApi {
        /// The session of stock `asset` at `at` (ms since the epoch; `None`: the time of the
        /// block the call is made at). `None` if `asset` is not a listed stock.
        fn stock_session(asset: AssetId, at: Option<Moment>) -> Option<SessionInfo>;
        /// The session of `exchange` at `at`. `None` if there is no such exchange.
        fn exchange_session(exchange: ExchangeId, at: Option<Moment>) -> Option<SessionInfo>;
    }
}
