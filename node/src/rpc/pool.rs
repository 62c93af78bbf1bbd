//! `pool_*` RPC: a liquidity pool's tranches, their NAV per share, utilisation and queue, as
//! an LP's page shows them. Amounts are settlement base units as integer strings; fractions
//! and NAV per share are decimal strings.

use std::sync::Arc;

use jsonrpsee::{core::RpcResult, proc_macros::rpc, types::error::ErrorObject};
use perpetua_primitives::{
    runtime_api::{PoolApi, PoolStateInfo},
    AssetId, Balance, FixedU128,
};
use perpetua_runtime::opaque::Block;
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_runtime::{traits::Block as BlockT, FixedPointNumber};

use super::prices::decimal;

/// No pool for the asset.
pub const UNKNOWN_POOL: i32 = 7401;

/// One tranche of a pool.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrancheJson {
    /// The tranche's share token (a pallet-assets asset).
    pub share_asset: AssetId,
    /// Realised capital, settlement base units.
    pub capital: String,
    /// Capital plus the book's value at the index (`None` if it cannot be valued now).
    pub nav: Option<String>,
    /// Shares in issue, base units of the share token.
    pub supply: String,
    /// Settlement base units per share base unit (`None` without a NAV or without shares).
    pub nav_per_share: Option<String>,
}

/// A pool as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolJson {
    pub settlement: AssetId,
    pub main: TrancheJson,
    pub insurance: TrancheJson,
    /// Margin the pool's book requires, settlement base units.
    pub required_margin: String,
    /// The requirement's share of capital, a fraction ("0.25").
    pub utilisation: String,
    /// Deposits waiting for the market to open, settlement base units.
    pub queued_deposits: String,
    /// Whether queued deposits and withdrawals execute at the next block's start.
    pub flows_open: bool,
    /// Claims the pool owes traders and could not pay, and the cash set aside for them.
    pub claims_owed: String,
    pub claims_reserve: String,
    /// Whether the pool takes new risk.
    pub open: bool,
}

fn per_share(nav: Option<Balance>, supply: Balance) -> Option<String> {
    let nav = nav?;
    (supply > 0)
        .then(|| FixedU128::checked_from_rational(nav, supply))
        .flatten()
        .map(decimal)
}

fn tranche(
    share_asset: AssetId,
    capital: Balance,
    nav: Option<Balance>,
    supply: Balance,
) -> TrancheJson {
    TrancheJson {
        share_asset,
        capital: capital.to_string(),
        nav: nav.map(|n| n.to_string()),
        supply: supply.to_string(),
        nav_per_share: per_share(nav, supply),
    }
}

impl PoolJson {
    /// `state` of `settlement`'s pool as JSON.
    pub fn new(settlement: AssetId, state: PoolStateInfo) -> Self {
        PoolJson {
            settlement,
            main: tranche(
                state.main_share,
                state.main,
                state.main_nav,
                state.main_supply,
            ),
            insurance: tranche(
                state.insurance_share,
                state.insurance,
                state.insurance_nav,
                state.insurance_supply,
            ),
            required_margin: state.required_margin.to_string(),
            utilisation: decimal(FixedU128::from_rational(
                state.utilisation_ppb as u128,
                1_000_000_000,
            )),
            queued_deposits: state.queued_deposits.to_string(),
            flows_open: state.flows_open,
            claims_owed: state.claims_owed.to_string(),
            claims_reserve: state.claims_reserve.to_string(),
            open: state.open,
        }
    }
}

/// Pool RPC.
#[rpc(client, server)]
pub trait PoolRpc {
    /// The pool of `settlement` at block `at` (the best block if `None`).
    #[method(name = "pool_state")]
    fn state(
        &self,
        settlement: AssetId,
        at: Option<<Block as BlockT>::Hash>,
    ) -> RpcResult<PoolJson>;
}

/// The RPC handler.
pub struct Pool<C> {
    client: Arc<C>,
}

impl<C> Pool<C> {
    /// A handler over `client`.
    pub fn new(client: Arc<C>) -> Self {
        Self { client }
    }
}

impl<C> PoolRpcServer for Pool<C>
where
    C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
    C::Api: PoolApi<Block>,
{
    fn state(
        &self,
        settlement: AssetId,
        at: Option<<Block as BlockT>::Hash>,
    ) -> RpcResult<PoolJson> {
        let best = at.unwrap_or_else(|| self.client.info().best_hash);
        let state = self
            .client
            .runtime_api()
            .pool_state(best, settlement)
            .map_err(super::runtime_error)?
            .ok_or_else(|| {
                ErrorObject::owned(
                    UNKNOWN_POOL,
                    format!("no pool for asset {settlement}"),
                    None::<()>,
                )
            })?;
        Ok(PoolJson::new(settlement, state))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nav_per_share_and_utilisation_are_decimals() {
        let state = PoolStateInfo {
            main_share: 1001,
            insurance_share: 1002,
            main: 1_000,
            insurance: 100,
            main_nav: Some(1_050),
            insurance_nav: None,
            main_supply: 1_000,
            insurance_supply: 0,
            required_margin: 250,
            utilisation_ppb: 250_000_000,
            queued_deposits: 7,
            flows_open: false,
            claims_owed: 0,
            claims_reserve: 0,
            open: true,
        };
        let j = PoolJson::new(1, state);
        assert_eq!(j.main.nav_per_share.as_deref(), Some("1.05"));
        // No NAV now: no price per share rather than a wrong one.
        assert_eq!(j.insurance.nav_per_share, None);
        assert_eq!(j.utilisation, "0.25");
        let v = serde_json::to_value(&j).unwrap();
        assert_eq!(v["main"]["shareAsset"], 1001);
        assert_eq!(v["queuedDeposits"], "7");
    }
}
