//! Runtime APIs that wallets, UIs and the node's RPC call.

use crate::{
    AssetId, Balance, CryptoIndex, ExchangeId, FixedI128, FixedU128, Moment, OptionKind, OracleKey,
    Price, PriceStatus, Session,
};
use alloc::{string::String, vec::Vec};
use codec::{Codec, Decode, Encode};
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
    /// The operators' state: why a price is or is not forming.
    pub quorum: QuorumInfo,
    /// A stock's gap exposure now (ms, what the collateral haircut grows with): `Some(0)` for
    /// 24/7 keys, `None` when unknown (the haircut is then its maximum).
    pub unpriced_interval: Option<Moment>,
}

/// The oracle quorum of a key.
#[derive(
    Clone, Copy, PartialEq, Eq, Default, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize,
)]
pub struct QuorumInfo {
    /// Operators in the set.
    pub operators: u32,
    /// Distinct agreeing operators a price needs.
    pub quorum: u32,
    /// Operators whose last value is young enough to count.
    pub recent: u32,
    /// Of those, how many lie within the quorum spread of their median.
    pub agreeing: u32,
}

/// One operator's last value of a key.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct RawFeed<AccountId> {
    pub operator: AccountId,
    pub value: Price,
    /// When it was fed (ms).
    pub fed_at: Moment,
    /// Whether it is young enough to count towards the quorum.
    pub counts: bool,
}

/// A pool's state, as the pool API reports it (settlement-asset base units).
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct PoolStateInfo {
    pub main_share: AssetId,
    pub insurance_share: AssetId,
    /// Realised capital of each tranche.
    pub main: Balance,
    pub insurance: Balance,
    /// NAV of each tranche with the book at the index (`None` if it cannot be valued now).
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
    /// Whether queued LP flows execute at the next block's start (else they wait).
    pub flows_open: bool,
    /// Claims the pool owes traders and could not pay (its deficit), and the cash set aside
    /// for them from inflows.
    pub claims_owed: Balance,
    pub claims_reserve: Balance,
    /// Whether the pool takes new risk.
    pub open: bool,
}

/// An account's health in one settlement asset, USD.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct AccountHealth {
    /// Collateral (after unsettled funding and the haircut) plus unrealised PnL.
    pub equity: FixedI128,
    /// Margin needed to open risk or withdraw.
    pub initial: FixedI128,
    /// Below this the account is liquidated.
    pub maintenance: FixedI128,
    /// Unrealised PnL: longs at the lower of mark and theoretical price, shorts at the higher.
    pub unrealised: FixedI128,
    /// Funding owed by the account (negative: due to it), whole settlement tokens.
    pub funding_owed: FixedI128,
    /// The haircut on collateral now (a fraction).
    pub haircut: FixedU128,
}

/// A position as the options API reports it.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct OptionPosition {
    pub series: u32,
    /// Contracts: positive long, negative short.
    pub size: i128,
    /// Average entry price, USD per contract.
    pub entry: Price,
    /// The pool's mark now, USD per contract (`None` if prices are not usable).
    pub mark: Option<Price>,
    /// `(value - entry) * size`, USD, where a long is valued at the lower of the mark and the
    /// theoretical price and a short at the higher (what health counts).
    pub unrealised: Option<FixedI128>,
    /// Funding accrued and not yet settled, whole settlement tokens (positive: owed).
    pub funding_owed: FixedI128,
}

/// A margin account as the options API reports it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct OptionAccount {
    pub settlement: AssetId,
    /// Collateral, settlement base units.
    pub collateral: Balance,
    pub positions: Vec<OptionPosition>,
    /// Health at current prices (`None` with `health_error` if it cannot be valued now).
    pub health: Option<AccountHealth>,
    /// Why the health cannot be valued (an error name such as `StalePrice`).
    pub health_error: Option<String>,
}

/// One stock held as extra collateral of a margin account.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct CollateralAsset {
    pub asset: AssetId,
    /// Tokens held, the stock's base units.
    pub amount: Balance,
    /// The stock's price now, USD (`None` if it is not usable).
    pub price: Option<Price>,
    /// Its haircut for opening risk and withdrawing, and before liquidation, now (fractions:
    /// the stock's tier plus its own market-hours gap term).
    pub initial_haircut: FixedU128,
    pub maintenance_haircut: FixedU128,
    /// What it adds to the account's equity for opening risk (its buying power), USD.
    pub buying_power: Option<FixedU128>,
    /// What it adds to the account's equity for liquidation, USD.
    pub liquidation_value: Option<FixedU128>,
    /// The auction's price of a whole token now, settlement tokens (while an auction runs).
    pub auction_price: Option<FixedU128>,
}

/// A margin account's extra collateral, its debt and its auction.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct CollateralInfo {
    pub settlement: AssetId,
    /// Settlement base units owed to the pool.
    pub debt: Balance,
    pub assets: Vec<CollateralAsset>,
    /// Blocks since the auction of the extra collateral started, while one runs.
    pub auction_blocks: Option<u32>,
    /// The auction's discount on the oracle's price now (a fraction), while one runs.
    pub auction_discount: Option<FixedU128>,
}

/// A trade's quote: what `trade` would do now.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct OptionQuote {
    /// Average fill, USD per contract (the limit price to pass, before slippage tolerance).
    pub price: Price,
    /// Signed cost, USD (negative: the trader receives).
    pub cost: FixedI128,
    /// The fee, settlement base units.
    pub fee: Balance,
    /// PnL realised by the reducing part, settlement base units.
    pub realised: i128,
    /// The position after the trade.
    pub position: i128,
    /// The account's health before and after (`None` if it had no positions before).
    pub health_before: Option<AccountHealth>,
    pub health_after: Option<AccountHealth>,
    /// `None` if the trade would succeed; else the error it would fail with (for example
    /// `InsufficientMargin`).
    pub error: Option<String>,
}

/// A series as the options API reports it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct OptionSeriesInfo {
    pub series: u32,
    pub market: u32,
    pub index: CryptoIndex,
    pub settlement: AssetId,
    pub strike: Price,
    pub kind: OptionKind,
    /// Takes new risk (series and market active).
    pub active: bool,
    /// Units of the index per contract.
    pub contract_size: FixedU128,
    /// The index price now (`None` if not usable).
    pub index_price: Option<Price>,
    /// The everlasting option's theoretical price, USD per contract.
    pub theoretical: Option<Price>,
    /// The pool's mark (theoretical moved by the pool's exposure), USD per contract.
    pub mark: Option<Price>,
    /// Funding a long pays per contract per day at current prices, whole settlement tokens
    /// (negative: longs receive).
    pub funding_rate_per_day: Option<FixedI128>,
    /// The cumulative funding index, whole settlement tokens per contract.
    pub funding_index: FixedI128,
    /// Contracts held long and short by traders.
    pub long: u128,
    pub short: u128,
    /// Why prices are not usable (an error name such as `StalePrice`).
    pub price_error: Option<String>,
}

/// A series' sensitivities per contract at the index now: what a trader's position in it
/// moves with.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct SeriesGreeks {
    pub series: u32,
    /// USD per contract per USD of the index (a call's is between 0 and the contract size in
    /// index units).
    pub delta: FixedI128,
    /// Change of delta per USD of the index, per contract.
    pub gamma: FixedI128,
    /// USD per contract per 1.00 (100 points) of annualised volatility.
    pub vega: FixedI128,
    /// The implied volatility the series is priced at (0.65 = 65%).
    pub volatility: FixedU128,
}

/// What a corporate action does.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub enum CorporateActionKind {
    /// Every balance becomes `balance * numerator / denominator`, rounded down.
    Split { numerator: u32, denominator: u32 },
    /// `per_share` base units of `paid_in` (`None`: PRP) per `unit` base units held.
    Dividend {
        paid_in: Option<AssetId>,
        per_share: Balance,
        unit: Balance,
        /// Funded by the custodian, and paid out so far (to holders and pallets' pots).
        funded: Balance,
        paid: Balance,
    },
}

/// A corporate action in progress, as wallets show it.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Serialize, Deserialize)]
pub struct CorporateActionInfo {
    /// The stock (or pool share token, for a dividend passed on to LPs).
    pub asset: AssetId,
    /// The action's id (in its events).
    pub id: u32,
    pub kind: CorporateActionKind,
    /// The supply when it started.
    pub supply_at_start: Balance,
    /// Wallets brought through so far (by the walk or on touch).
    pub holders_processed: u32,
    /// Whether the walk over the wallets has ended.
    pub wallets_done: bool,
    /// Whether pallets are still carrying it through their ledgers (margin accounts, claims,
    /// the pass-through to LPs).
    pub ledgers_pending: bool,
}

sp_api::decl_runtime_apis! {
    /// Stock tokens (pallet-equities).
    pub trait EquitiesApi {
        /// The corporate actions in progress, oldest first.
        fn corporate_actions() -> Vec<CorporateActionInfo>;
    }

    /// Perpetual option markets (pallet-options). Version 2 adds `greeks` and `haircut`,
    /// version 3 `collateral` (a runtime declares the version it implements).
    #[api_version(2)]
    pub trait OptionsApi<AccountId> where AccountId: Codec {
        /// What buying (`size` > 0) or selling `size` contracts of `series` would do for `who`
        /// now. `Err` with an error name if it cannot even be priced.
        fn quote(who: AccountId, series: u32, size: i128) -> Result<OptionQuote, String>;
        /// `who`'s margin account in `settlement`: collateral, positions and health.
        fn account(who: AccountId, settlement: AssetId) -> OptionAccount;
        /// Every margin account of `who` with collateral or positions.
        fn accounts(who: AccountId) -> Vec<OptionAccount>;
        /// A series: mark, index, funding rate and open interest.
        fn series(series: u32) -> Option<OptionSeriesInfo>;
        /// Every listed series.
        fn all_series() -> Vec<OptionSeriesInfo>;
        /// A series' greeks now (`None` if there is no such series or it cannot be priced:
        /// `series` says why).
        #[api_version(2)]
        fn greeks(series: u32) -> Option<SeriesGreeks>;
        /// The haircut on `settlement` collateral now (a fraction of its value): it grows
        /// while the stock's market is closed.
        #[api_version(2)]
        fn haircut(settlement: AssetId) -> FixedU128;
        /// `who`'s extra collateral in `settlement`: each stock with its haircuts, price and
        /// value (what it adds to buying power), the account's debt and its auction.
        #[api_version(3)]
        fn collateral(who: AccountId, settlement: AssetId) -> CollateralInfo;
    }

    /// The liquidity pools (pallet-pool).
    pub trait PoolApi {
        /// The state of `settlement`'s pool, if there is one.
        fn pool_state(settlement: AssetId) -> Option<PoolStateInfo>;
    }

    /// Prices with their freshness (pallet-prices).
    pub trait PricesApi<AccountId: Codec> {
        /// What is known of `key`'s price at the current block.
        fn price_info(key: OracleKey) -> PriceInfo;
        /// Every key with an accepted or pending price.
        fn all_prices() -> Vec<(OracleKey, PriceInfo)>;
        /// Every operator's last value of `key`.
        fn feeds(key: OracleKey) -> Vec<RawFeed<AccountId>>;
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
