//! `equities_*` RPC: the corporate actions in progress, for wallets to show ("TSLA 3-for-1
//! split: 1,204 of 5,000 holders done; margin accounts being carried through").

use std::sync::Arc;

use jsonrpsee::{
    core::RpcResult,
    proc_macros::rpc,
    types::{error::ErrorObject, ErrorObjectOwned},
};
use perpetua_primitives::{
    runtime_api::{CorporateActionInfo, CorporateActionKind, EquitiesApi},
    AssetId,
};
use perpetua_runtime::opaque::Block;
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;

/// A corporate action in progress, amounts as decimal strings of base units (JSON numbers
/// cannot hold u128).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorporateActionJson {
    pub asset: AssetId,
    pub id: u32,
    /// "split" or "dividend".
    pub kind: String,
    /// Splits: the ratio, e.g. 3 and 1 for 3-for-1, 1 and 10 for a 1-for-10 reverse split.
    pub numerator: Option<u32>,
    pub denominator: Option<u32>,
    /// Dividends: the payout asset (`None`: PRP), per `unit` base units held.
    pub paid_in: Option<AssetId>,
    pub per_share: Option<String>,
    pub unit: Option<String>,
    pub funded: Option<String>,
    pub paid: Option<String>,
    pub supply_at_start: String,
    pub holders_processed: u32,
    pub wallets_done: bool,
    pub ledgers_pending: bool,
}

impl From<CorporateActionInfo> for CorporateActionJson {
    fn from(a: CorporateActionInfo) -> Self {
        let mut j = CorporateActionJson {
            asset: a.asset,
            id: a.id,
            kind: String::new(),
            numerator: None,
            denominator: None,
            paid_in: None,
            per_share: None,
            unit: None,
            funded: None,
            paid: None,
            supply_at_start: a.supply_at_start.to_string(),
            holders_processed: a.holders_processed,
            wallets_done: a.wallets_done,
            ledgers_pending: a.ledgers_pending,
        };
        match a.kind {
            CorporateActionKind::Split {
                numerator,
                denominator,
            } => {
                j.kind = "split".into();
                j.numerator = Some(numerator);
                j.denominator = Some(denominator);
            }
            CorporateActionKind::Dividend {
                paid_in,
                per_share,
                unit,
                funded,
                paid,
            } => {
                j.kind = "dividend".into();
                j.paid_in = paid_in;
                j.per_share = Some(per_share.to_string());
                j.unit = Some(unit.to_string());
                j.funded = Some(funded.to_string());
                j.paid = Some(paid.to_string());
            }
        }
        j
    }
}

/// Stock-token RPC.
#[rpc(client, server)]
pub trait EquitiesRpc {
    /// The corporate actions in progress, oldest first (empty when none).
    #[method(name = "equities_corporateActions")]
    fn corporate_actions(&self) -> RpcResult<Vec<CorporateActionJson>>;
}

/// The RPC handler.
pub struct Equities<C> {
    client: Arc<C>,
}

impl<C> Equities<C> {
    /// A handler over `client`.
    pub fn new(client: Arc<C>) -> Self {
        Self { client }
    }
}

/// The runtime API failed.
pub const RUNTIME_ERROR: i32 = 7301;

fn error(msg: impl Into<String>) -> ErrorObjectOwned {
    ErrorObject::owned(RUNTIME_ERROR, msg.into(), None::<()>)
}

impl<C> EquitiesRpcServer for Equities<C>
where
    C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
    C::Api: EquitiesApi<Block>,
{
    fn corporate_actions(&self) -> RpcResult<Vec<CorporateActionJson>> {
        let best = self.client.info().best_hash;
        let actions = self
            .client
            .runtime_api()
            .corporate_actions(best)
            .map_err(|e| error(format!("runtime api: {e}")))?;
        Ok(actions.into_iter().map(Into::into).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_split_and_a_dividend_read_as_json() {
        let split = CorporateActionJson::from(CorporateActionInfo {
            asset: 1,
            id: 4,
            kind: CorporateActionKind::Split {
                numerator: 1,
                denominator: 10,
            },
            supply_at_start: u128::MAX,
            holders_processed: 12,
            wallets_done: false,
            ledgers_pending: true,
        });
        let v = serde_json::to_value(&split).unwrap();
        assert_eq!(v["kind"], "split");
        assert_eq!(v["denominator"], 10);
        assert_eq!(v["supplyAtStart"], u128::MAX.to_string());
        let div = CorporateActionJson::from(CorporateActionInfo {
            asset: 1,
            id: 5,
            kind: CorporateActionKind::Dividend {
                paid_in: None,
                per_share: 500_000_000_000,
                unit: 1_000_000_000_000,
                funded: 7,
                paid: 3,
            },
            supply_at_start: 14,
            holders_processed: 2,
            wallets_done: true,
            ledgers_pending: false,
        });
        let v = serde_json::to_value(&div).unwrap();
        assert_eq!(v["kind"], "dividend");
        assert_eq!(v["perShare"], "500000000000");
        assert!(v["paidIn"].is_null());
        assert_eq!(v["walletsDone"], true);
    }
}
