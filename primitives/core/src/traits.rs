//! The traits between Perpetua's pallets. Each pallet implements some and consumes others
//! through its `Config`; the runtime wires them. Unit tests mock them.

use crate::{
    AssetId, Balance, CryptoIndex, ExchangeId, FixedI128, FixedU128, Moment, OracleKey, Price,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};

/// Where a market is at a moment.
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
pub enum Session {
    /// The market is in its regular session until `closes_at` (ms, exclusive).
    Open { closes_at: Moment },
    /// The market is closed; it opens next at `next_open` (ms). `None`: not within the
    /// calendar's horizon (e.g. a long closure).
    Closed { next_open: Option<Moment> },
    /// Trading is halted (the stock, or its whole exchange).
    Halted,
    /// The calendar holds no data for this day: callers must assume the worst for their
    /// purpose (prices: the market may be open, so require fresh prices; margin: it may stay
    /// closed, so apply the largest gap haircut).
    Unknown,
}

impl Session {
    /// Whether the regular session is running.
    pub fn is_open(&self) -> bool {
        matches!(self, Session::Open { .. })
    }

    /// Milliseconds until the market opens: 0 if open, `None` if not known.
    pub fn time_until_open(&self, now: Moment) -> Option<Moment> {
        match self {
            Session::Open { .. } => Some(0),
            Session::Closed { next_open: Some(t) } => Some(t.saturating_sub(now)),
            _ => None,
        }
    }
}

/// Knows when each stock's home market is open. Implemented by pallet-market-calendar.
pub trait MarketClock {
    /// The session of stock `asset` at `now` (ms). `None` if `asset` is not a listed stock.
    fn session(asset: AssetId, now: Moment) -> Option<Session>;
    /// The session of exchange `exchange` at `now`. `None` if there is no such exchange.
    fn exchange_session(exchange: ExchangeId, now: Moment) -> Option<Session>;
}

/// Which exchanges exist. Implemented by pallet-market-calendar, used by pallet-equities.
pub trait ExchangeRegistry {
    /// Whether `exchange` is known.
    fn exchange_exists(exchange: ExchangeId) -> bool;
}

/// The trading status of a listed stock token.
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
pub enum StockStatus {
    /// Listed and trading.
    Active,
    /// Trading halted by the admin (news pending, exchange halt, ...).
    Halted,
    /// Delisted: no new minting; holders can still redeem.
    Delisted,
}

/// Which assets are stock tokens, on which exchange, and in what state. Implemented by
/// pallet-equities.
pub trait StockRegistry {
    /// The home exchange of `asset`, if it is a listed stock token.
    fn exchange_of(asset: AssetId) -> Option<ExchangeId>;
    /// The status of `asset`, if it is a listed stock token.
    fn status(asset: AssetId) -> Option<StockStatus>;
    /// Whether a dividend or split of `asset` is being processed (its balances are locked).
    fn corporate_action_in_progress(asset: AssetId) -> bool;
    /// Whether `asset` is a listed stock token.
    fn is_stock(asset: AssetId) -> bool {
        Self::exchange_of(asset).is_some()
    }
}

/// Why a stock-token balance cannot move now.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub enum MoveError {
    /// No such asset.
    UnknownAsset,
    /// A dividend or split is being processed: holders' own transfers wait for it.
    CorporateAction,
    /// The asset or the account is frozen (or blocked) in pallet-assets.
    Frozen,
    /// Not enough free (reducible) balance.
    InsufficientBalance,
}

/// Lets other pallets ask, before they try, whether an account's stock tokens can move by the
/// account's own transfer.
pub trait BalanceGuard<AccountId> {
    /// `Ok` if `who` can move `amount` of `asset` now.
    fn can_move(asset: AssetId, who: &AccountId, amount: Balance) -> Result<(), MoveError>;
}

/// How pallets that hold tokens for users move them: the one way in and out of a pallet's pot.
/// Implemented by pallet-equities over pallet-assets. While a corporate action of an asset is
/// in progress its holders cannot transfer it themselves, but pallets still can through this
/// trait: each account touched is first brought through the action (its split applied, its
/// dividend paid on the balance it had when the action started), so a balance never mixes
/// units from before and after a split, and nobody is paid a dividend twice or not at all.
/// Moving, minting or burning a zero amount does nothing and succeeds.
pub trait AssetMover<AccountId> {
    /// Moves `amount` of `asset` from `from` to `to` (either may be emptied).
    fn transfer(
        asset: AssetId,
        from: &AccountId,
        to: &AccountId,
        amount: Balance,
    ) -> sp_runtime::DispatchResult;
    /// Mints `amount` of `asset` to `to` (an asset this pallet's caller administers).
    fn mint(asset: AssetId, to: &AccountId, amount: Balance) -> sp_runtime::DispatchResult;
    /// Burns exactly `amount` of `asset` from `from`.
    fn burn(asset: AssetId, from: &AccountId, amount: Balance) -> sp_runtime::DispatchResult;
    /// Pays `amount` of a dividend's payout asset (`None`: the native token) from `from` to `to`.
    fn pay_out(
        paid_in: Option<AssetId>,
        from: &AccountId,
        to: &AccountId,
        amount: Balance,
    ) -> sp_runtime::DispatchResult;
    /// Brings `who`'s balance of `asset` through the corporate action in progress, if any.
    fn settle(asset: AssetId, who: &AccountId);
    /// Whether any corporate action is in progress: moving tokens and touching accounts may
    /// then cost more (each side may be brought through first). One read of a small value,
    /// cheap enough for weight annotations.
    fn any_in_progress() -> bool;
}

/// `amount * numerator / denominator`: an amount after a split, rounded down (what a party
/// holds never rounds up); saturating. Every ledger a split reaches scales with it.
pub fn split_amount(amount: Balance, numerator: u32, denominator: u32) -> Balance {
    split_amount_rounded(amount, numerator, denominator, sp_runtime::Rounding::Down)
}

/// [`split_amount`] rounded up: for a floor someone asked for (it must never be lowered).
pub fn split_amount_up(amount: Balance, numerator: u32, denominator: u32) -> Balance {
    split_amount_rounded(amount, numerator, denominator, sp_runtime::Rounding::Up)
}

fn split_amount_rounded(
    amount: Balance,
    numerator: u32,
    denominator: u32,
    rounding: sp_runtime::Rounding,
) -> Balance {
    sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
        amount,
        numerator as u128,
        denominator.max(1) as u128,
        rounding,
    )
    .unwrap_or(Balance::MAX)
}

/// A cash dividend as pallet-equities pays it: every holder receives
/// `floor(balance * per_share / unit)` base units of `paid_in`.
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
)]
pub struct DividendTerms<AccountId> {
    /// The payout asset; `None`: the native token (PRP).
    pub paid_in: Option<AssetId>,
    /// Base units of `paid_in` per `unit` base units of the asset held.
    pub per_share: Balance,
    /// Base units of the asset `per_share` is quoted for (a whole share: `10^decimals`).
    pub unit: Balance,
    /// Who gets back what no holder could be paid (rounding, payouts too small to make).
    pub funder: AccountId,
}

impl<AccountId> DividendTerms<AccountId> {
    /// `floor(balance * per_share / unit)`; `None` on overflow.
    pub fn payout(&self, balance: Balance) -> Option<Balance> {
        sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
            balance,
            self.per_share,
            self.unit.max(1),
            sp_runtime::Rounding::Down,
        )
    }
}

/// Pays a dividend to the holders of any pallet-assets asset (pool share tokens), by the same
/// walk that pays stock holders. Implemented by pallet-equities.
pub trait DividendDistributor<AccountId> {
    /// Pays `per_share` base units of `paid_in` per `unit` of `asset` to every holder of
    /// `asset` but `from`, as balances stand now, funded from `from` now; what cannot be paid
    /// goes to `funder`. Returns what was taken from `from`.
    fn distribute(
        asset: AssetId,
        from: &AccountId,
        terms: DividendTerms<AccountId>,
    ) -> Result<Balance, sp_runtime::DispatchError>;
}

/// Told about corporate actions by pallet-equities: pallets that hold stock tokens on behalf
/// of users in a pot account (the pool, margin accounts) carry dividends and splits through
/// their ledgers; pallet-prices rescales the stored prices on a split.
///
/// The pots (`holding_accounts`) are brought through the action when it starts, in the same
/// call as `on_split` / `on_dividend`, so a pallet's ledger and its pot's balance change
/// together. Whatever the pallet keeps per user (margin accounts, claims) it carries through
/// in bounded steps (`process`), each user also on first touch; the action completes, and the
/// next may start, once no handler reports `pending`.
pub trait CorporateActionHandler<AccountId> {
    /// Called first when an action on `asset` starts, before any pot is brought through it:
    /// a pallet settles what its ledger already counts but its pot does not hold yet (the
    /// pool's receivable of the block's trades), so the action finds every pot's balance
    /// equal to its ledger. An error stops the action from starting.
    fn prepare(_asset: AssetId) -> sp_runtime::DispatchResult {
        Ok(())
    }
    /// The accounts in which this pallet holds `asset` for its users (a handful at most).
    fn holding_accounts(asset: AssetId) -> alloc::vec::Vec<AccountId>;
    /// `pot`, one of the holding accounts, received `amount` of the dividend of `asset` paid
    /// by `terms`. The funds are already in `pot`.
    fn on_dividend(
        asset: AssetId,
        pot: &AccountId,
        terms: &DividendTerms<AccountId>,
        amount: Balance,
    );
    /// A split of `asset`: every balance becomes `balance * numerator / denominator`. Called
    /// once, when the split starts, after the holding accounts were split.
    fn on_split(asset: AssetId, numerator: u32, denominator: u32);
    /// Carries the action in progress on `asset` through up to `budget` ledger entries;
    /// returns the work done (entries, counting an account's positions).
    fn process(asset: AssetId, budget: u32) -> u32;
    /// Whether this pallet still has ledger entries to carry through the action on `asset`.
    fn pending(asset: AssetId) -> bool;
    /// How much of `asset` this pallet's ledger says `who`, one of its holding accounts,
    /// holds for its users (`None`: not one of its pots). A move out of a pot that would
    /// leave it dust (less than the minimum balance) is refused while the ledger keeps some
    /// of it, and takes the dust along when it is surplus.
    fn recorded(_asset: AssetId, _who: &AccountId) -> Option<Balance> {
        None
    }
}

impl<AccountId> CorporateActionHandler<AccountId> for () {
    fn holding_accounts(_: AssetId) -> alloc::vec::Vec<AccountId> {
        alloc::vec::Vec::new()
    }
    fn on_dividend(_: AssetId, _: &AccountId, _: &DividendTerms<AccountId>, _: Balance) {}
    fn on_split(_: AssetId, _: u32, _: u32) {}
    fn process(_: AssetId, _: u32) -> u32 {
        0
    }
    fn pending(_: AssetId) -> bool {
        false
    }
}

impl<AccountId, A, B> CorporateActionHandler<AccountId> for (A, B)
where
    A: CorporateActionHandler<AccountId>,
    B: CorporateActionHandler<AccountId>,
{
    fn prepare(asset: AssetId) -> sp_runtime::DispatchResult {
        A::prepare(asset)?;
        B::prepare(asset)
    }
    fn holding_accounts(asset: AssetId) -> alloc::vec::Vec<AccountId> {
        let mut v = A::holding_accounts(asset);
        v.extend(B::holding_accounts(asset));
        v
    }
    fn on_dividend(
        asset: AssetId,
        pot: &AccountId,
        terms: &DividendTerms<AccountId>,
        amount: Balance,
    ) {
        A::on_dividend(asset, pot, terms, amount);
        B::on_dividend(asset, pot, terms, amount);
    }
    fn on_split(asset: AssetId, numerator: u32, denominator: u32) {
        A::on_split(asset, numerator, denominator);
        B::on_split(asset, numerator, denominator);
    }
    fn process(asset: AssetId, budget: u32) -> u32 {
        let a = A::process(asset, budget);
        a.saturating_add(B::process(asset, budget.saturating_sub(a)))
    }
    fn pending(asset: AssetId) -> bool {
        A::pending(asset) || B::pending(asset)
    }
    fn recorded(asset: AssetId, who: &AccountId) -> Option<Balance> {
        A::recorded(asset, who).or_else(|| B::recorded(asset, who))
    }
}

impl<AccountId, A, B, C> CorporateActionHandler<AccountId> for (A, B, C)
where
    A: CorporateActionHandler<AccountId>,
    B: CorporateActionHandler<AccountId>,
    C: CorporateActionHandler<AccountId>,
{
    fn prepare(asset: AssetId) -> sp_runtime::DispatchResult {
        <(A, (B, C)) as CorporateActionHandler<AccountId>>::prepare(asset)
    }
    fn holding_accounts(asset: AssetId) -> alloc::vec::Vec<AccountId> {
        <(A, (B, C)) as CorporateActionHandler<AccountId>>::holding_accounts(asset)
    }
    fn on_dividend(
        asset: AssetId,
        pot: &AccountId,
        terms: &DividendTerms<AccountId>,
        amount: Balance,
    ) {
        <(A, (B, C)) as CorporateActionHandler<AccountId>>::on_dividend(asset, pot, terms, amount)
    }
    fn on_split(asset: AssetId, numerator: u32, denominator: u32) {
        <(A, (B, C)) as CorporateActionHandler<AccountId>>::on_split(asset, numerator, denominator)
    }
    fn process(asset: AssetId, budget: u32) -> u32 {
        <(A, (B, C)) as CorporateActionHandler<AccountId>>::process(asset, budget)
    }
    fn pending(asset: AssetId) -> bool {
        <(A, (B, C)) as CorporateActionHandler<AccountId>>::pending(asset)
    }
    fn recorded(asset: AssetId, who: &AccountId) -> Option<Balance> {
        <(A, (B, C)) as CorporateActionHandler<AccountId>>::recorded(asset, who)
    }
}

/// Why a price cannot be used.
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
pub enum PriceError {
    /// No price was ever accepted for this key.
    Missing,
    /// The latest price is too old for the market's session.
    Stale,
    /// The latest median jumped beyond the circuit breaker and awaits confirmation.
    CircuitOpen,
    /// Trading in the stock is halted (or it is delisted): its price is not usable.
    Halted,
}

/// The state of a price, as the runtime API reports it.
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
pub enum PriceStatus {
    /// Published within the maximum age of an open market (or of a 24/7 market).
    Fresh,
    /// Older than that, but valid: the stock's market closed after it was published and has
    /// not reopened (plus a grace period).
    ClosedMarket,
    /// Too old.
    Stale,
    /// Held by the circuit breaker.
    CircuitOpen,
    /// The stock is halted or delisted.
    Halted,
    /// Never published.
    Missing,
}

/// The one way pallets read prices. Implemented by pallet-prices: every read checks freshness
/// against the market's session; a stale, missing or held price is an error, never a silent
/// old value.
pub trait PriceProvider {
    /// The accepted price of `key` (USD per whole token), if usable now.
    fn price(key: OracleKey) -> Result<Price, PriceError>;
    /// Whether `key`'s price is fresh (not merely carried over a market close).
    fn is_fresh(key: OracleKey) -> bool;
    /// The exponential moving average of `key`'s accepted prices, if the price is usable now.
    fn ema_price(key: OracleKey) -> Result<Price, PriceError>;
    /// The implied volatility of `index` (annualised fraction), within the configured bounds.
    fn implied_vol(index: CryptoIndex) -> Result<FixedU128, PriceError> {
        Self::price(OracleKey::ImpliedVol(index))
    }
    /// The gap exposure of stock `asset`'s price now (ms): how long it will have gone without a
    /// fresh in-session price by the next moment one can be published. While the market is
    /// closed: from the last in-session price to the next open (the whole weekend, held until
    /// the first fresh price after the open); while open: the age of the last in-session
    /// price, ramped up towards the coming closed period before the close. `Some(0)` for
    /// anything that trades 24/7; `None` when unknown (halted, no in-session price yet, no
    /// next open in sight): callers assume the worst.
    fn unpriced_interval(asset: AssetId) -> Option<Moment>;
}

/// The oracle behind pallet-prices: the operator set and each operator's raw values.
/// pallet-prices combines them itself (quorum, median, timestamp). Implemented over
/// orml-oracle.
pub trait OracleFeed<AccountId> {
    /// Whether `who` is an oracle operator.
    fn is_operator(who: &AccountId) -> bool;
    /// How many operators there are.
    fn operators() -> u32;
    /// Records `who`'s value for `key`, stamped with the block's time.
    fn feed(who: &AccountId, key: OracleKey, value: Price) -> sp_runtime::DispatchResult;
    /// Every operator's last value of `key`, with when it was fed (ms).
    fn raw_values(key: &OracleKey) -> alloc::vec::Vec<(AccountId, Price, Moment)>;
    /// Forgets every operator's value of `key` (a split changed what one unit is).
    fn forget(key: &OracleKey);
}

/// A pool tranche.
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
pub enum Tranche {
    /// Senior: the option seller's capital; takes losses after the insurance tranche.
    Main,
    /// Junior: takes losses first; earns a larger share of fees and all liquidation penalties.
    Insurance,
}

/// What the options pallet pays into a pool.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub enum Inflow {
    /// Trading fees: split between the tranches and the protocol.
    Fee,
    /// Funding paid by traders, and trader losses: split between the tranches (gains).
    Gain,
    /// A liquidation penalty: all to the insurance tranche.
    Penalty,
    /// The latency part of a trade's fee: paid for the pool's exposure to an oracle that is
    /// always a little behind, so all of it goes to the tranches, split like gains.
    LatencyFee,
}

/// The pool's book as the options pallet values it, settlement-asset base units.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct BookValue {
    /// The book's value to the pool (positive: traders owe it), uncapped.
    pub value: i128,
    /// The part of the book's receivable that the traders' collateral cannot cover: bad debt
    /// waiting to happen, borne by insurance first as bad debt is.
    pub uncollectible: Balance,
}

/// The pool's book, as the options pallet values it. Implemented by the options pallet.
pub trait PoolBook {
    /// The pool's book against traders, at prices no trade can move: each series' net
    /// position is valued at what unwinding it along the pool's curve at the index would pay,
    /// with the curve's `depth` ([`PoolLedger::depth`]), plus unsettled funding. An error if
    /// the book cannot be valued now (stale prices).
    fn book_value(settlement: AssetId, depth: Balance) -> Result<BookValue, PriceError>;
}

impl PoolBook for () {
    fn book_value(_: AssetId, _: Balance) -> Result<BookValue, PriceError> {
        Ok(BookValue::default())
    }
}

/// The liquidity pool of a settlement asset, as the options and liquidation pallets use it.
/// Implemented by pallet-pool. Amounts are in settlement-asset base units.
pub trait PoolLedger<AccountId> {
    /// Whether a pool of `settlement` exists and takes new risk.
    fn is_open(settlement: AssetId) -> bool;
    /// Main plus insurance capital (realised), before the book's unrealised PnL.
    fn capital(settlement: AssetId) -> Balance;
    /// The depth the pool's curve prices against: its capital averaged over time, so that no
    /// flow of capital within a block (an LP flow, a realised profit) moves traders' prices.
    fn depth(settlement: AssetId) -> Balance;
    /// Sets the margin the pool must hold against its book. When the book's risk grows
    /// (`growing`), fails with a named error if capital would fall below the pool's minimum
    /// multiple of it; shrinking is always accepted.
    fn set_required_margin(
        settlement: AssetId,
        amount: Balance,
        growing: bool,
    ) -> sp_runtime::DispatchResult;
    /// Fails with a named error if a net delta worth `net_delta_value` (settlement units, either
    /// sign) exceeds the pool's limit.
    fn check_net_delta(settlement: AssetId, net_delta_value: Balance)
        -> sp_runtime::DispatchResult;
    /// Moves `amount` from `from` into the pool as `kind`.
    fn receive(
        settlement: AssetId,
        from: &AccountId,
        amount: Balance,
        kind: Inflow,
    ) -> sp_runtime::DispatchResult {
        Self::receive_all(settlement, from, &[(kind, amount)])
    }
    /// Moves several inflows from `from` into the pool at once, each split as [`Self::receive`]
    /// splits it, in order (claims not yet backed by cash take the first ones): one token move
    /// to the pool and one to the protocol for all of them (a trade's fee, latency fee and
    /// realised loss).
    fn receive_all(
        settlement: AssetId,
        from: &AccountId,
        parts: &[(Inflow, Balance)],
    ) -> sp_runtime::DispatchResult;
    /// Books several inflows now, exactly as [`Self::receive_all`] splits them, and moves
    /// their cash from `from` at the block's end (or before anything takes cash out of the
    /// pool account or the protocol's, and before a corporate action of `settlement` starts):
    /// a block's trades then cost one token move to the pool and one to the protocol, not two
    /// each. Every ledger value (tranches, claims' cash, NAV) counts the inflows at once; only
    /// the pool account's balance waits, by [`Self::receivable`]. `from` is the one account
    /// that owes a settlement's receivable (a second one settles the first's at once).
    fn accrue_all(
        settlement: AssetId,
        from: &AccountId,
        parts: &[(Inflow, Balance)],
    ) -> sp_runtime::DispatchResult;
    /// What `from` still owes the pool and the protocol for inflows booked with
    /// [`Self::accrue_all`]: tokens in `from` that are no longer its users'.
    fn receivable(settlement: AssetId, from: &AccountId) -> Balance;
    /// What settling one settlement's receivable at the block's end costs: charged to the
    /// block's first [`Self::accrue_all`] of that settlement (the first trade of a market).
    fn receivable_settlement_weight() -> sp_runtime::Weight;
    /// Pays `amount` (a trader's profit, or funding the pool owes) from the pool to `to`: an
    /// ordinary outflow, split between the tranches by the same rule as inflows. Returns what
    /// neither tranche could pay (the caller records it as a claim with [`Self::record_claim`],
    /// or a deleveraged trader forfeits it); balances never go below zero.
    fn pay(
        settlement: AssetId,
        to: &AccountId,
        amount: Balance,
    ) -> Result<Balance, sp_runtime::DispatchError>;
    /// Records that the pool owes `who` `amount` it could not pay: a claim, senior to the LPs,
    /// paid from the pool's next inflows. The sum of claims is the settlement's deficit.
    fn record_claim(settlement: AssetId, who: &AccountId, amount: Balance);
    /// Absorbs a bad debt of `amount`: a bankrupt trader's loss the book counted on but the
    /// pool will never receive. No tokens move; the insurance tranche makes the main tranche
    /// whole for main's share of the missing gain, as far as it can. Returns the part main bears
    /// (insurance was too small). Bad debt is never a deficit: the pool owes nobody for it.
    fn absorb_loss(settlement: AssetId, amount: Balance) -> Balance;
    /// The pool's real shortfall: claims not covered by the cash set aside for them, by its
    /// capital, or by its book's value at the index. Auto-deleveraging clears it.
    fn insolvency(settlement: AssetId) -> Balance;
    /// Settlement assets with claims outstanding (at most one per pool).
    fn with_claims() -> alloc::vec::Vec<AssetId>;
}

/// An account's risk in one settlement asset at current prices, for liquidation. USD.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct AccountRisk {
    /// Collateral after unsettled funding and the haircut, plus unrealised PnL.
    pub equity: FixedI128,
    /// Margin needed to open risk; a partial liquidation restores equity to it.
    pub initial: FixedI128,
    /// Below this the account is liquidatable.
    pub maintenance: FixedI128,
    /// The account's settlement-asset collateral, base units.
    pub collateral: Balance,
}

impl AccountRisk {
    /// Equity below maintenance margin.
    pub fn liquidatable(&self) -> bool {
        self.equity < self.maintenance
    }
    /// Equity at least the initial margin.
    pub fn healthy(&self) -> bool {
        self.equity >= self.initial
    }
}

/// One position's risk, USD.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PositionRisk {
    pub series: u32,
    /// Contracts: positive long, negative short.
    pub size: i128,
    pub initial: FixedI128,
    pub maintenance: FixedI128,
    /// Unrealised PnL at the holder's valuation.
    pub unrealised: FixedI128,
    /// The liquidation penalty of closing the whole position: a share of its maintenance
    /// margin.
    pub penalty: FixedI128,
    /// `|size| * contract size * index`.
    pub notional: FixedI128,
}

/// How a forced close treats what cannot be settled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CloseKind {
    /// A liquidation: losses and funding beyond the collateral are a shortfall (bad debt).
    Liquidation,
    /// Auto-deleveraging of a profitable position: profit the pool cannot pay is unpaid.
    Deleverage,
}

/// What a forced close did, settlement base units.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Closed {
    /// PnL realised and moved (negative: paid by the trader).
    pub realised: i128,
    /// Owed by the trader beyond their collateral.
    pub shortfall: Balance,
    /// Owed to the trader beyond what the pool could pay.
    pub unpaid: Balance,
    /// The market's liquidation penalty on the closed notional (to be charged by the caller).
    pub penalty: Balance,
}

/// Margin accounts as the liquidation pallet sees them. Implemented by pallet-options.
pub trait MarginEngine<AccountId> {
    /// Valuations shared by every account valued in one scan (per series: prices, mark,
    /// margin per contract). Invalid once a trade moves a series.
    type Cache: Default;
    /// The settlement assets with markets.
    fn settlements() -> alloc::vec::Vec<AssetId>;
    /// Whether `who` has positions or debt in `settlement` (one or two storage reads: the
    /// cheap first check of a liquidation candidate).
    fn is_open(who: &AccountId, settlement: AssetId) -> bool;
    /// The accounts with positions or debt among the next `max` margin accounts of
    /// `settlement`, in storage order after `cursor` (an opaque position; `None`: from the
    /// start): at most `max` accounts are looked at. Returns them and the cursor to go on from
    /// (`None`: the end was reached).
    fn open_accounts(
        settlement: AssetId,
        cursor: Option<alloc::vec::Vec<u8>>,
        max: u32,
    ) -> (alloc::vec::Vec<AccountId>, Option<alloc::vec::Vec<u8>>);
    /// The cursor that starts the scan of `settlement` at `fraction` (parts per billion) of its
    /// key space: validators start their scans at different places.
    fn cursor_at(settlement: AssetId, fraction: u32) -> alloc::vec::Vec<u8>;
    /// The account's risk, or the named reason it cannot be valued now (a stale or held price).
    fn risk(
        who: &AccountId,
        settlement: AssetId,
        cache: &mut Self::Cache,
    ) -> Result<AccountRisk, sp_runtime::DispatchError>;
    /// The account's risk and each of its positions' (at most the engine's position limit).
    fn positions(
        who: &AccountId,
        settlement: AssetId,
        cache: &mut Self::Cache,
    ) -> Result<(AccountRisk, alloc::vec::Vec<PositionRisk>), sp_runtime::DispatchError>;
    /// Closes `size` contracts of `who`'s position in `series` along the pool's curve (it must
    /// reduce the position): no fee, no margin or limit checks. `cache` keeps its prices and
    /// quotes (the book's valuations are forgotten).
    fn close(
        who: &AccountId,
        series: u32,
        size: i128,
        kind: CloseKind,
        cache: &mut Self::Cache,
    ) -> Result<Closed, sp_runtime::DispatchError>;
    /// Forgets the book's valuations in `cache` (after money moved into or out of a pool: the
    /// marks depend on its capital), keeping prices and quotes.
    fn forget_book(cache: &mut Self::Cache);
    /// `usd` (non-negative) in `settlement` base units at its current price, rounded down;
    /// `None` without a usable price.
    fn usd_to_units(settlement: AssetId, usd: FixedI128) -> Option<Balance>;
    /// Moves up to `amount` of `who`'s collateral to `to`; returns what moved.
    fn seize(
        who: &AccountId,
        settlement: AssetId,
        amount: Balance,
        to: &AccountId,
    ) -> Result<Balance, sp_runtime::DispatchError>;
    /// After a liquidation: if the account still owes debt backed by extra collateral, starts
    /// (or keeps) the Dutch auction of that collateral; with nothing left to sell, the debt is
    /// bad debt absorbed by the pool. Returns whether an auction runs.
    fn start_auction(_who: &AccountId, _settlement: AssetId) -> bool {
        false
    }
    /// What `who`'s extra collateral in `settlement` adds to one valuation of the account and
    /// to the auction its liquidation may start (nothing without extra collateral).
    fn basket_weight(_who: &AccountId, _settlement: AssetId) -> sp_runtime::Weight {
        sp_runtime::Weight::zero()
    }
    /// Moves up to `amount` of `who`'s collateral into the settlement's pool as `kind`; returns
    /// what moved.
    fn seize_to_pool(
        who: &AccountId,
        settlement: AssetId,
        amount: Balance,
        kind: Inflow,
    ) -> Result<Balance, sp_runtime::DispatchError>;
}
