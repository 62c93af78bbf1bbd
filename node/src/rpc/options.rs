//! `options_*` RPC: quote a trade, an account's positions and health, a series' mark, index,
//! funding rate and open interest. Amounts are decimal strings so that JavaScript keeps every
//! digit: USD and token amounts with up to 18 decimals, settlement base units as integers.

use std::sync::Arc;

use jsonrpsee::{
    core::RpcResult,
    proc_macros::rpc,
    types::{error::ErrorObject, ErrorObjectOwned},
};
use perpetua_primitives::{
    runtime_api::{
        AccountHealth, CollateralAsset, CollateralInfo, OptionAccount, OptionPosition, OptionQuote,
        OptionSeriesInfo, OptionsApi, SeriesGreeks,
    },
    AssetId, FixedI128, OptionKind,
};
use perpetua_runtime::{opaque::Block, AccountId};
use serde::{Deserialize, Serialize};
use sp_api::{ApiExt, ProvideRuntimeApi};
use sp_blockchain::HeaderBackend;
use sp_runtime::{traits::Block as BlockT, FixedPointNumber};

use super::prices::decimal;

/// `-12.5` for a `FixedI128` of -12.5.
pub fn signed_decimal(x: FixedI128) -> String {
    let inner = x.into_inner();
    let magnitude = decimal(perpetua_primitives::FixedU128::from_inner(
        inner.unsigned_abs(),
    ));
    if inner < 0 {
        format!("-{magnitude}")
    } else {
        magnitude
    }
}

/// Health as JSON: every amount in USD but the funding owed, which is in whole settlement
/// tokens (the unit is in its name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthJson {
    /// USD: collateral after funding and the haircut, plus unrealised PnL.
    pub equity: String,
    /// USD.
    pub initial_margin: String,
    /// USD: below this the account is liquidated.
    pub maintenance_margin: String,
    /// USD.
    pub unrealised_pnl: String,
    /// Whole settlement tokens (positive: owed by the account).
    pub funding_owed_tokens: String,
    /// A fraction of the collateral's value.
    pub haircut: String,
    /// Equity over maintenance margin (liquidation below 1), if there is a requirement.
    pub margin_ratio: Option<String>,
}

impl From<AccountHealth> for HealthJson {
    fn from(h: AccountHealth) -> Self {
        let ratio = (h.maintenance.into_inner() > 0)
            .then(|| {
                FixedI128::checked_from_rational(h.equity.into_inner(), h.maintenance.into_inner())
            })
            .flatten()
            .map(signed_decimal);
        HealthJson {
            equity: signed_decimal(h.equity),
            initial_margin: signed_decimal(h.initial),
            maintenance_margin: signed_decimal(h.maintenance),
            unrealised_pnl: signed_decimal(h.unrealised),
            funding_owed_tokens: signed_decimal(h.funding_owed),
            haircut: decimal(h.haircut),
            margin_ratio: ratio,
        }
    }
}

/// One stock of extra collateral as JSON: USD values and fractions as decimal strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollateralAssetJson {
    pub asset: AssetId,
    /// The stock's base units.
    pub amount: String,
    pub price: Option<String>,
    pub initial_haircut: String,
    pub maintenance_haircut: String,
    /// USD it adds to equity for opening risk.
    pub buying_power: Option<String>,
    /// USD it adds to equity for liquidation.
    pub liquidation_value: Option<String>,
    /// Settlement tokens per whole token at the auction now.
    pub auction_price: Option<String>,
}

impl From<CollateralAsset> for CollateralAssetJson {
    fn from(a: CollateralAsset) -> Self {
        CollateralAssetJson {
            asset: a.asset,
            amount: a.amount.to_string(),
            price: a.price.map(decimal),
            initial_haircut: decimal(a.initial_haircut),
            maintenance_haircut: decimal(a.maintenance_haircut),
            buying_power: a.buying_power.map(decimal),
            liquidation_value: a.liquidation_value.map(decimal),
            auction_price: a.auction_price.map(decimal),
        }
    }
}

/// A margin account's extra collateral, debt and auction as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollateralJson {
    pub settlement: AssetId,
    /// Settlement base units owed to the pool.
    pub debt: String,
    pub assets: Vec<CollateralAssetJson>,
    pub auction_blocks: Option<u32>,
    pub auction_discount: Option<String>,
}

impl From<CollateralInfo> for CollateralJson {
    fn from(c: CollateralInfo) -> Self {
        CollateralJson {
            settlement: c.settlement,
            debt: c.debt.to_string(),
            assets: c.assets.into_iter().map(Into::into).collect(),
            auction_blocks: c.auction_blocks,
            auction_discount: c.auction_discount.map(decimal),
        }
    }
}

/// A trade's quote as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuoteJson {
    /// Average fill, USD per contract.
    pub price: String,
    /// Signed cost, USD.
    pub cost: String,
    /// Fee, settlement base units.
    pub fee: String,
    /// Realised PnL, settlement base units.
    pub realised: String,
    pub position_after: String,
    pub health_before: Option<HealthJson>,
    pub health_after: Option<HealthJson>,
    /// The error the trade would fail with (`InsufficientMargin`, `PoolClosed`, ...).
    pub error: Option<String>,
}

impl From<OptionQuote> for QuoteJson {
    fn from(q: OptionQuote) -> Self {
        QuoteJson {
            price: decimal(q.price),
            cost: signed_decimal(q.cost),
            fee: q.fee.to_string(),
            realised: q.realised.to_string(),
            position_after: q.position.to_string(),
            health_before: q.health_before.map(Into::into),
            health_after: q.health_after.map(Into::into),
            error: q.error,
        }
    }
}

/// A position as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionJson {
    pub series: u32,
    /// Contracts: positive long, negative short.
    pub size: String,
    /// USD per contract.
    pub entry: String,
    /// USD per contract.
    pub mark: Option<String>,
    /// USD.
    pub unrealised_pnl: Option<String>,
    /// Whole settlement tokens (positive: owed by the account).
    pub funding_owed_tokens: String,
}

impl From<OptionPosition> for PositionJson {
    fn from(p: OptionPosition) -> Self {
        PositionJson {
            series: p.series,
            size: p.size.to_string(),
            entry: decimal(p.entry),
            mark: p.mark.map(decimal),
            unrealised_pnl: p.unrealised.map(signed_decimal),
            funding_owed_tokens: signed_decimal(p.funding_owed),
        }
    }
}

/// A margin account as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountJson {
    pub settlement: AssetId,
    /// Collateral, settlement base units.
    pub collateral: String,
    pub positions: Vec<PositionJson>,
    pub health: Option<HealthJson>,
    pub health_error: Option<String>,
}

impl From<OptionAccount> for AccountJson {
    fn from(a: OptionAccount) -> Self {
        AccountJson {
            settlement: a.settlement,
            collateral: a.collateral.to_string(),
            positions: a.positions.into_iter().map(Into::into).collect(),
            health: a.health.map(Into::into),
            health_error: a.health_error,
        }
    }
}

/// A series as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeriesJson {
    pub series: u32,
    pub market: u32,
    /// "BTC" or "ETH".
    pub index: String,
    pub settlement: AssetId,
    pub strike: String,
    /// "call" or "put".
    pub kind: String,
    pub active: bool,
    pub contract_size: String,
    pub index_price: Option<String>,
    pub theoretical: Option<String>,
    pub mark: Option<String>,
    /// Settlement tokens a long pays per contract per day at current prices.
    pub funding_rate_per_day: Option<String>,
    pub funding_index: String,
    pub open_long: String,
    pub open_short: String,
    pub price_error: Option<String>,
    /// Delta, gamma and vega per contract, and the volatility priced at (`None` if the series
    /// cannot be priced now, or the runtime is older than options API version 2).
    pub greeks: Option<GreeksJson>,
}

/// A series' greeks per contract as JSON.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GreeksJson {
    /// USD per contract per USD of the index.
    pub delta: String,
    /// Delta's change per USD of the index.
    pub gamma: String,
    /// USD per contract per 1.00 of volatility.
    pub vega: String,
    /// Annualised (0.65 = 65%).
    pub volatility: String,
}

impl From<SeriesGreeks> for GreeksJson {
    fn from(g: SeriesGreeks) -> Self {
        GreeksJson {
            delta: signed_decimal(g.delta),
            gamma: signed_decimal(g.gamma),
            vega: signed_decimal(g.vega),
            volatility: decimal(g.volatility),
        }
    }
}

impl From<OptionSeriesInfo> for SeriesJson {
    fn from(s: OptionSeriesInfo) -> Self {
        SeriesJson {
            series: s.series,
            market: s.market,
            index: s.index.to_string(),
            settlement: s.settlement,
            strike: decimal(s.strike),
            kind: match s.kind {
                OptionKind::Call => "call".into(),
                OptionKind::Put => "put".into(),
            },
            active: s.active,
            contract_size: decimal(s.contract_size),
            index_price: s.index_price.map(decimal),
            theoretical: s.theoretical.map(decimal),
            mark: s.mark.map(decimal),
            funding_rate_per_day: s.funding_rate_per_day.map(signed_decimal),
            funding_index: signed_decimal(s.funding_index),
            open_long: s.long.to_string(),
            open_short: s.short.to_string(),
            price_error: s.price_error,
            greeks: None,
        }
    }
}

/// Options RPC.
#[rpc(client, server)]
pub trait OptionsRpc {
    /// What buying (`size` > 0) or selling `size` contracts of `series` would do for `who`
    /// at the best block: price, fee and margin before and after.
    #[method(name = "options_quote")]
    fn quote(&self, who: AccountId, series: u32, size: i64) -> RpcResult<QuoteJson>;

    /// `who`'s margin account in `settlement`.
    #[method(name = "options_account")]
    fn account(&self, who: AccountId, settlement: AssetId) -> RpcResult<AccountJson>;

    /// Every margin account of `who`.
    #[method(name = "options_accounts")]
    fn accounts(&self, who: AccountId) -> RpcResult<Vec<AccountJson>>;

    /// A series: mark, index, funding rate, open interest and greeks, at block `at` (the best
    /// block if `None`; an older block needs its state, which a pruned node keeps for 256
    /// blocks: the web app's charts read history this way).
    #[method(name = "options_series")]
    fn series(&self, series: u32, at: Option<<Block as BlockT>::Hash>) -> RpcResult<SeriesJson>;

    /// Every listed series.
    #[method(name = "options_allSeries")]
    fn all_series(&self) -> RpcResult<Vec<SeriesJson>>;

    /// The haircut on `settlement` collateral now, a decimal fraction ("0.05").
    #[method(name = "options_haircut")]
    fn haircut(&self, settlement: AssetId) -> RpcResult<String>;

    /// `who`'s extra collateral in `settlement` (each stock's haircuts, price and what it adds
    /// to buying power), its debt and its auction, at `at` or the best block.
    #[method(name = "options_collateral")]
    fn collateral(
        &self,
        who: AccountId,
        settlement: AssetId,
        at: Option<<Block as BlockT>::Hash>,
    ) -> RpcResult<CollateralJson>;
}

/// The RPC handler.
pub struct Options<C> {
    client: Arc<C>,
}

impl<C> Options<C> {
    /// A handler over `client`.
    pub fn new(client: Arc<C>) -> Self {
        Self { client }
    }
}

/// The trade cannot be priced (the message names the runtime's error).
pub const CANNOT_QUOTE: i32 = 7201;
/// No such series.
pub const UNKNOWN_SERIES: i32 = 7202;
/// The runtime does not have the method yet (options API version too old).
pub const NOT_IN_RUNTIME: i32 = 7203;

/// Options API version that added `greeks` and `haircut`.
const GREEKS_API_VERSION: u32 = 2;
/// Options API version that added `collateral`.
const COLLATERAL_API_VERSION: u32 = 3;

fn error(code: i32, msg: impl Into<String>) -> ErrorObjectOwned {
    ErrorObject::owned(code, msg.into(), None::<()>)
}

use super::runtime_error;

impl<C> Options<C>
where
    C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
    C::Api: OptionsApi<Block, AccountId>,
{
    /// Whether the runtime at `at` serves options API version `v` or later.
    fn has_version(&self, at: <Block as BlockT>::Hash, v: u32) -> RpcResult<bool> {
        let version = self
            .client
            .runtime_api()
            .api_version::<dyn OptionsApi<Block, AccountId>>(at)
            .map_err(runtime_error)?;
        Ok(version.is_some_and(|have| have >= v))
    }

    /// Whether the runtime at `at` serves options API version 2 (greeks and haircut).
    fn has_greeks(&self, at: <Block as BlockT>::Hash) -> RpcResult<bool> {
        self.has_version(at, GREEKS_API_VERSION)
    }

    /// `info` as JSON, with its greeks if the runtime has them.
    fn series_json(
        &self,
        at: <Block as BlockT>::Hash,
        info: OptionSeriesInfo,
        greeks: bool,
    ) -> RpcResult<SeriesJson> {
        let id = info.series;
        let mut json = SeriesJson::from(info);
        if greeks {
            json.greeks = self
                .client
                .runtime_api()
                .greeks(at, id)
                .map_err(runtime_error)?
                .map(Into::into);
        }
        Ok(json)
    }
}

impl<C> OptionsRpcServer for Options<C>
where
    C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
    C::Api: OptionsApi<Block, AccountId>,
{
    fn quote(&self, who: AccountId, series: u32, size: i64) -> RpcResult<QuoteJson> {
        let best = self.client.info().best_hash;
        let quote = self
            .client
            .runtime_api()
            .quote(best, who, series, size as i128)
            .map_err(runtime_error)?
            .map_err(|e| error(CANNOT_QUOTE, format!("cannot quote: {e}")))?;
        Ok(quote.into())
    }

    fn account(&self, who: AccountId, settlement: AssetId) -> RpcResult<AccountJson> {
        let best = self.client.info().best_hash;
        let account = self
            .client
            .runtime_api()
            .account(best, who, settlement)
            .map_err(runtime_error)?;
        Ok(account.into())
    }

    fn accounts(&self, who: AccountId) -> RpcResult<Vec<AccountJson>> {
        let best = self.client.info().best_hash;
        let accounts = self
            .client
            .runtime_api()
            .accounts(best, who)
            .map_err(runtime_error)?;
        Ok(accounts.into_iter().map(Into::into).collect())
    }

    fn series(&self, series: u32, at: Option<<Block as BlockT>::Hash>) -> RpcResult<SeriesJson> {
        let best = at.unwrap_or_else(|| self.client.info().best_hash);
        let info = self
            .client
            .runtime_api()
            .series(best, series)
            .map_err(runtime_error)?
            .ok_or_else(|| error(UNKNOWN_SERIES, format!("no series {series}")))?;
        let greeks = self.has_greeks(best)?;
        self.series_json(best, info, greeks)
    }

    fn all_series(&self) -> RpcResult<Vec<SeriesJson>> {
        let best = self.client.info().best_hash;
        let all = self
            .client
            .runtime_api()
            .all_series(best)
            .map_err(runtime_error)?;
        let greeks = self.has_greeks(best)?;
        all.into_iter()
            .map(|info| self.series_json(best, info, greeks))
            .collect()
    }

    fn haircut(&self, settlement: AssetId) -> RpcResult<String> {
        let best = self.client.info().best_hash;
        if !self.has_greeks(best)? {
            return Err(error(
                NOT_IN_RUNTIME,
                "the runtime's options API is older than version 2",
            ));
        }
        let haircut = self
            .client
            .runtime_api()
            .haircut(best, settlement)
            .map_err(runtime_error)?;
        Ok(decimal(haircut))
    }

    fn collateral(
        &self,
        who: AccountId,
        settlement: AssetId,
        at: Option<<Block as BlockT>::Hash>,
    ) -> RpcResult<CollateralJson> {
        let at = at.unwrap_or_else(|| self.client.info().best_hash);
        if !self.has_version(at, COLLATERAL_API_VERSION)? {
            return Err(error(
                NOT_IN_RUNTIME,
                "the runtime's options API is older than version 3",
            ));
        }
        let info = self
            .client
            .runtime_api()
            .collateral(at, who, settlement)
            .map_err(runtime_error)?;
        Ok(info.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_decimals_are_exact() {
        assert_eq!(
            signed_decimal(FixedI128::from_inner(-12_500_000_000_000_000_000)),
            "-12.5"
        );
        assert_eq!(
            signed_decimal(FixedI128::from_inner(3)),
            "0.000000000000000003"
        );
        assert_eq!(signed_decimal(FixedI128::from_inner(0)), "0");
    }

    #[test]
    fn margin_ratio_is_equity_over_maintenance() {
        let h = AccountHealth {
            equity: FixedI128::from_inner(300 * 10i128.pow(18)),
            initial: FixedI128::from_inner(200 * 10i128.pow(18)),
            maintenance: FixedI128::from_inner(100 * 10i128.pow(18)),
            unrealised: FixedI128::from_inner(0),
            funding_owed: FixedI128::from_inner(-25 * 10i128.pow(17)),
            haircut: perpetua_primitives::FixedU128::from_inner(5 * 10u128.pow(16)),
        };
        let j = HealthJson::from(h);
        assert_eq!(j.margin_ratio.as_deref(), Some("3"));
        assert_eq!(j.haircut, "0.05");
        // The one amount not in USD says its unit in its name.
        let v = serde_json::to_value(&j).unwrap();
        assert_eq!(v["fundingOwedTokens"], "-2.5");
        assert!(v.get("fundingOwed").is_none());
    }
}
