//! Types of pallet-options.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use perpetua_primitives::{AssetId, Balance, CryptoIndex, FixedI128, FixedU128, Moment};

use scale_info::TypeInfo;
use serde::{Deserialize, Serialize};
use sp_runtime::Perbill;

/// Market identifier.
pub type MarketId = u32;
/// Series identifier.
pub type SeriesId = u32;

pub use perpetua_primitives::OptionKind;

/// The pricing crate's kind of an option.
pub fn pricing_kind(k: OptionKind) -> perpetua_pricing::OptionKind {
    match k {
        OptionKind::Call => perpetua_pricing::OptionKind::Call,
        OptionKind::Put => perpetua_pricing::OptionKind::Put,
    }
}

/// A market's parameters, set by the admin: one place for every risk parameter of a market.
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
pub struct MarketParams {
    /// Units of the index per contract (e.g. 0.01 BTC).
    pub contract_size: FixedU128,
    /// Funding period `T` of the everlasting options, seconds (e.g. one day).
    pub funding_period_secs: u64,
    /// Fee on notional (`|contracts| * contract size * index`), e.g. 0.03%...
    pub fee_on_notional: Perbill,
    /// ...capped at this share of the premium, e.g. 12.5%.
    pub fee_cap_on_premium: Perbill,
    /// Margin: spot move the initial margin covers (e.g. 10%).
    pub initial_shock: Perbill,
    /// Margin: spot move the maintenance margin covers (e.g. 5%).
    pub maintenance_shock: Perbill,
    /// Margin: share of time value held at the initial level (e.g. 20%).
    pub initial_time_value: Perbill,
    /// Margin: share of time value held at the maintenance level (e.g. 10%).
    pub maintenance_time_value: Perbill,
    /// Margin: least initial margin of a short contract, share of notional (e.g. 1%).
    pub initial_floor: Perbill,
    /// Margin: least maintenance margin of a short contract (e.g. 0.5%).
    pub maintenance_floor: Perbill,
    /// Pool curve: sensitivity of the mark to the pool's exposure (e.g. 0.2).
    pub curve_sensitivity: FixedU128,
    /// Pool curve: most skew a trade may cause (e.g. 0.5).
    pub curve_max_skew: FixedU128,
    /// Most open contracts (long plus short) in one series.
    pub max_open_interest: u128,
    /// Liquidation penalty, share of the maintenance margin the closed contracts free (for
    /// the liquidation pallet, which splits it between the keeper and the insurance tranche).
    /// At most the margin the account held against them, so a penalty alone never turns an
    /// account's equity negative (e.g. 50%).
    pub liquidation_penalty: Perbill,
    /// The most funding per contract per day, either way, as a share of the contract's
    /// notional (contract size times index), e.g. 10%: against an extreme volatility print.
    pub funding_cap: Perbill,
    /// Latency fee: the relative move of the index (and of its volatility) a trade pays for,
    /// `band * |contracts| * contract size * (|delta| * index + |vega| * vol)`. Whoever sees
    /// the next price before the chain does gains at most that move on a round trip and pays
    /// it twice (e.g. 0.05%: a round trip is free of profit for moves up to 0.1%).
    pub latency_band: Perbill,
}

impl Default for MarketParams {
    /// Sensible defaults for a BTC or ETH market (0.01 of the index per contract, funding
    /// period one day).
    fn default() -> Self {
        MarketParams {
            contract_size: FixedU128::from_rational(1, 100),
            funding_period_secs: 86_400,
            fee_on_notional: Perbill::from_parts(300_000),
            fee_cap_on_premium: Perbill::from_parts(125_000_000),
            initial_shock: Perbill::from_percent(10),
            maintenance_shock: Perbill::from_percent(5),
            initial_time_value: Perbill::from_percent(20),
            maintenance_time_value: Perbill::from_percent(10),
            initial_floor: Perbill::from_percent(1),
            maintenance_floor: Perbill::from_parts(5_000_000),
            curve_sensitivity: FixedU128::from_rational(1, 5),
            curve_max_skew: FixedU128::from_rational(1, 2),
            max_open_interest: 1_000_000,
            liquidation_penalty: Perbill::from_percent(50),
            funding_cap: Perbill::from_percent(10),
            latency_band: Perbill::from_parts(500_000),
        }
    }
}

/// Why a market's parameters were refused: one name per bound.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamsError {
    /// `contract_size` is zero.
    ZeroContractSize,
    /// `funding_period_secs` is not between one hour and one year.
    FundingPeriodOutOfRange,
    /// A maintenance term (shock, time value, floor) is above its initial term.
    MaintenanceAboveInitial,
    /// `curve_max_skew` is not in (0, 1): the mark must stay above the intrinsic value.
    SkewLimitOutOfRange,
    /// `max_open_interest` is zero.
    ZeroOpenInterestCap,
    /// `funding_cap` is zero: funding would be switched off.
    ZeroFundingCap,
}

impl MarketParams {
    /// Every bound, each with its own error.
    pub fn validate(&self) -> Result<(), ParamsError> {
        use ParamsError::*;
        let one = FixedU128::from_inner(1_000_000_000_000_000_000);
        if self.contract_size.into_inner() == 0 {
            return Err(ZeroContractSize);
        }
        if !(3_600..=365 * 86_400).contains(&self.funding_period_secs) {
            return Err(FundingPeriodOutOfRange);
        }
        if self.maintenance_shock > self.initial_shock
            || self.maintenance_time_value > self.initial_time_value
            || self.maintenance_floor > self.initial_floor
        {
            return Err(MaintenanceAboveInitial);
        }
        if self.curve_max_skew.into_inner() == 0 || self.curve_max_skew >= one {
            return Err(SkewLimitOutOfRange);
        }
        if self.max_open_interest == 0 {
            return Err(ZeroOpenInterestCap);
        }
        if self.funding_cap.is_zero() {
            return Err(ZeroFundingCap);
        }
        Ok(())
    }
}

/// How settlement-asset collateral is valued: a haircut that grows with the time until the
/// settlement stock's market opens (gap risk): `min(max, base + per_sqrt_hour * sqrt(hours))`.
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
pub struct HaircutParams {
    pub base: Perbill,
    pub per_sqrt_hour: Perbill,
    pub max: Perbill,
}

impl Default for HaircutParams {
    fn default() -> Self {
        HaircutParams {
            base: Perbill::from_percent(5),
            per_sqrt_hour: Perbill::from_percent(2),
            max: Perbill::from_percent(40),
        }
    }
}

/// A market: options on `index` settled in `settlement`.
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
pub struct Market {
    pub index: CryptoIndex,
    pub settlement: AssetId,
    /// Decimals of the settlement asset (from its metadata at creation).
    pub settlement_decimals: u8,
    pub params: MarketParams,
    /// Inactive markets take no new risk; positions can still be reduced.
    pub active: bool,
}

/// A series and its book, aggregated over every position so that valuing the book and moving
/// funding are O(series), never O(positions).
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
pub struct Series {
    pub market: MarketId,
    pub strike: FixedU128,
    pub kind: OptionKind,
    /// Delisted series take no new risk; positions can still be reduced.
    pub active: bool,
    /// Contracts held long by traders.
    pub long: u128,
    /// Contracts held short by traders.
    pub short: u128,
    /// Sum over positions of `size * entry` (USD): with the mark, the traders' unrealised PnL.
    pub entry_sum: FixedI128,
    /// Cumulative funding per contract, in whole settlement tokens (longs pay when it rises).
    pub funding_index: FixedI128,
    /// Sum over positions of `size * funding index at their last settlement`.
    pub funding_sum: FixedI128,
    /// When funding was last accrued (ms).
    pub funding_time: Moment,
    /// The pool's margin requirement for its side of this series, USD (kept current by
    /// trades and the block hook).
    pub pool_margin: FixedU128,
    /// Traders' net dollar delta in this series (the pool holds the opposite), USD per 100%
    /// move of the index, at the quote of its last refresh (the block hook, each trade).
    /// `BookDelta` is the sum over a settlement's series: the pool's delta limit reads it in
    /// O(1) instead of pricing every series on every trade.
    pub delta_usd: FixedI128,
    /// Traders' net position when the block of `funding_time` started (recorded by the
    /// block's first touch): liquidations value the curve's skew at it, so no trade in the
    /// block can move the price an account is liquidated at.
    pub block_net: i128,
    /// How far `funding_sum` may lie from the sum over positions (units of 10^-18): a split
    /// scales the sum as a whole and each position's snapshot on its own, each rounded, so
    /// each split adds up to one unit per contract held and one for the sum (and scales what
    /// earlier splits left). Zero again when the series has no position.
    pub funding_rounding: u128,
}

/// What a series adds to its settlement's book aggregates (`PoolMargin`, `BookDelta`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SeriesRisk {
    pub margin: FixedU128,
    pub delta: FixedI128,
}

impl Series {
    /// What this series adds to its settlement's book aggregates now.
    pub fn risk(&self) -> SeriesRisk {
        SeriesRisk {
            margin: self.pool_margin,
            delta: self.delta_usd,
        }
    }
    /// Traders' net position: long minus short.
    pub fn net(&self) -> i128 {
        (self.long as i128).saturating_sub(self.short as i128)
    }
    /// Open interest: long plus short.
    pub fn open_interest(&self) -> u128 {
        self.long.saturating_add(self.short)
    }
    /// Starts the block of `now` for this series, if not started: records the net position
    /// the block starts with, and moves the funding clock to `now`.
    pub fn open_block(&mut self, now: Moment) {
        if self.funding_time != now {
            self.block_net = self.net();
        }
        self.funding_time = now;
    }
    /// Traders' net position at the start of the block of `now`.
    pub fn net_at_block_start(&self, now: Moment) -> i128 {
        if self.funding_time == now {
            self.block_net
        } else {
            self.net()
        }
    }
}

/// A trader's position in a series.
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
pub struct Position {
    /// Contracts: positive long, negative short.
    pub size: i128,
    /// Average entry price, USD per contract.
    pub entry: FixedU128,
    /// The series' funding index when funding was last settled.
    pub funding_index: FixedI128,
}

/// A trader's margin account in one settlement asset: its collateral and its positions, one
/// storage value, so a trade reads and writes its trader once (issue 19).
#[derive(
    frame_support::CloneNoBound,
    frame_support::PartialEqNoBound,
    frame_support::EqNoBound,
    frame_support::DefaultNoBound,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    frame_support::DebugNoBound,
)]
#[scale_info(skip_type_params(MaxPositions))]
#[codec(mel_bound())]
pub struct MarginAccount<MaxPositions: frame_support::traits::Get<u32>> {
    /// Settlement-asset collateral, base units (held in the settlement's pot account).
    pub collateral: Balance,
    /// How many of the settlement stock's corporate actions this account has been carried
    /// through (see [`LedgerAction`]).
    pub epoch: u32,
    /// Open positions, by series, in the order they were opened; a closed position leaves.
    pub positions: frame_support::BoundedVec<(SeriesId, Position), MaxPositions>,
}

impl<M: frame_support::traits::Get<u32>> MarginAccount<M> {
    /// An empty account starting in corporate-action `epoch`.
    pub fn new(epoch: u32) -> Self {
        MarginAccount {
            collateral: 0,
            epoch,
            positions: Default::default(),
        }
    }

    /// The position in `series`, if open.
    pub fn position(&self, series: SeriesId) -> Option<Position> {
        self.positions
            .iter()
            .find(|(id, _)| *id == series)
            .map(|(_, p)| *p)
    }

    /// The series this account has positions in.
    pub fn series(&self) -> impl Iterator<Item = SeriesId> + '_ {
        self.positions.iter().map(|(id, _)| *id)
    }
}

/// A corporate action of a settlement stock, being carried through its margin accounts:
/// each account still below `epoch` is carried through on its next touch or when the walk
/// reaches it, whichever comes first.
#[derive(
    Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub struct LedgerAction<AccountId> {
    /// The epoch accounts move into.
    pub epoch: u32,
    pub kind: LedgerActionKind<AccountId>,
    /// The last account the walk reached (raw storage key), `None` before the first.
    pub cursor: Option<frame_support::BoundedVec<u8, frame_support::traits::ConstU32<128>>>,
}

/// What a corporate action does to a margin account.
#[derive(
    Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
pub enum LedgerActionKind<AccountId> {
    /// A split: collateral becomes `floor(collateral * numerator / denominator)` and each
    /// position's funding snapshot scales like the series' funding index did at the start.
    Split {
        numerator: u32,
        denominator: u32,
        /// Collateral of the accounts not carried through yet, pre-split units (the accounts
        /// carried through are in `TotalCollateral`).
        unscaled: Balance,
    },
    /// A cash dividend received by the pot: each account is paid `terms.payout(collateral)`
    /// on the collateral it had when the dividend started; what is left goes to the funder.
    Dividend {
        terms: perpetua_primitives::DividendTerms<AccountId>,
        received: Balance,
        paid: Balance,
    },
}

/// Funding ledger of a settlement asset, base units: paid by traders to the pool and paid by
/// the pool to traders, as settled.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
)]
pub struct FundingLedger {
    pub paid_by_traders: Balance,
    pub paid_to_traders: Balance,
}

/// What a trade checks.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TradeMode {
    /// A trader's trade: every check, the trader's initial margin last.
    Trader,
    /// A quote: every check but the trader's margin (the quote reports it instead).
    Quote,
    /// A liquidation, which only reduces: no fee, and no activity, open-interest, pool-limit or
    /// margin checks; a loss or funding beyond the collateral is reported as a shortfall.
    Liquidation,
    /// Auto-deleveraging of a profitable position: as a liquidation, and a profit or funding
    /// the pool cannot pay is forfeited (reported as unpaid) instead of becoming a claim.
    Deleverage,
}

impl TradeMode {
    /// A close the trader did not ask for.
    pub fn forced(self) -> bool {
        matches!(self, TradeMode::Liquidation | TradeMode::Deleverage)
    }
}

/// What a forced close could not settle, settlement base units.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct Gaps {
    /// Owed by the trader beyond their collateral (a liquidation's bad debt).
    pub shortfall: Balance,
    /// Owed to the trader beyond what the pool could pay, forfeited (deleveraging).
    pub unpaid: Balance,
    /// Owed to the trader beyond what the pool could pay, recorded as a claim on the pool.
    pub claimed: Balance,
}

/// A trade's fill.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fill {
    /// Average price, USD per contract.
    pub price: FixedU128,
    /// Signed cost, USD (negative: the trader received).
    pub cost: FixedI128,
    /// Fee, settlement base units.
    pub fee: Balance,
    /// PnL realised and moved, settlement base units.
    pub realised: i128,
    /// The position after the trade.
    pub position: i128,
    /// Forced closes: owed by the trader beyond their collateral.
    pub shortfall: Balance,
    /// Deleveraging: owed to the trader beyond what the pool could pay.
    pub unpaid: Balance,
    /// Forced closes: the market's liquidation penalty on the closed notional (not charged
    /// here: the liquidation pallet charges and splits it).
    pub penalty: Balance,
    /// A trade that paid a fee had already brought the market into this block (the trade is
    /// charged the marginal weight).
    pub warm: bool,
    /// The trader's positions in the settlement asset after the trade (what its weight
    /// valued).
    pub positions: u32,
    /// Stocks in the trader's basket of extra collateral (what its weight valued).
    pub basket: u32,
}

/// How a listed stock is valued as extra collateral of a margin account (besides the
/// settlement stock): its price less a haircut `min(max, base + per_sqrt_hour * sqrt(hours
/// unpriced))`, where `base` is `initial` for opening risk and withdrawals and `maintenance`
/// for liquidation (loan-to-value and liquidation threshold: Kamino's TSLAx 55/65 is
/// `initial` 45%, `maintenance` 35%). The hours are the stock's own unpriced interval, so a
/// stock whose market is closed for the weekend is valued lower on Monday morning than on
/// Friday at noon, whatever the settlement stock does.
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
pub struct CollateralParams {
    /// Haircut for opening risk and withdrawing (its volatility tier), e.g. 45%.
    pub initial: Perbill,
    /// Haircut below which the account is liquidated, e.g. 35%.
    pub maintenance: Perbill,
    /// The market-hours gap term per square root of an unpriced hour, e.g. 2%.
    pub per_sqrt_hour: Perbill,
    /// The most haircut, e.g. 90%.
    pub max: Perbill,
    /// The most of this stock held as extra collateral in one settlement's pot, base units:
    /// what one settlement's auctions may have to sell.
    pub cap: Balance,
    /// Whether new deposits are taken (existing collateral keeps its value either way).
    pub accepted: bool,
}

/// Why collateral parameters were refused: one name per bound.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CollateralParamsError {
    /// The maintenance haircut is above the initial one: liquidation would come before the
    /// margin check that opens risk refuses.
    MaintenanceHaircutAboveInitial,
    /// A base haircut is above the maximum.
    HaircutAboveMax,
    /// The maximum haircut is 100% or more: the asset would count for nothing (list it as
    /// not accepted instead).
    MaxHaircutNotBelowOne,
    /// The cap is zero.
    ZeroCollateralCap,
}

impl CollateralParams {
    /// Every bound, each with its own error.
    pub fn validate(&self) -> Result<(), CollateralParamsError> {
        use CollateralParamsError::*;
        if self.maintenance > self.initial {
            return Err(MaintenanceHaircutAboveInitial);
        }
        if self.initial > self.max {
            return Err(HaircutAboveMax);
        }
        if self.max >= Perbill::one() {
            return Err(MaxHaircutNotBelowOne);
        }
        if self.cap == 0 {
            return Err(ZeroCollateralCap);
        }
        Ok(())
    }

    /// The gap-risk parameters at `level` (`initial` or `maintenance` as the base).
    pub fn haircut_at(&self, liquidation: bool) -> HaircutParams {
        HaircutParams {
            base: if liquidation {
                self.maintenance
            } else {
                self.initial
            },
            per_sqrt_hour: self.per_sqrt_hour,
            max: self.max,
        }
    }
}

/// The Dutch auction of a margin account's extra collateral, sold to keepers for the
/// settlement stock to repay the account's debt: the price of a token starts at the oracle's
/// (in settlement tokens: the asset's price over the settlement's) less `start_discount`,
/// and falls by `step` per block to the oracle's less `max_discount`.
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
pub struct AuctionParams {
    /// The discount on the oracle's price in the auction's first block, e.g. 1%.
    pub start_discount: Perbill,
    /// How much the discount grows per block, e.g. 0.5%.
    pub step: Perbill,
    /// The floor: the most discount, e.g. 15%.
    pub max_discount: Perbill,
    /// The most auction purchases in one block, over all accounts.
    pub max_buys_per_block: u32,
}

impl Default for AuctionParams {
    fn default() -> Self {
        AuctionParams {
            start_discount: Perbill::from_percent(1),
            step: Perbill::from_parts(5_000_000),
            max_discount: Perbill::from_percent(15),
            max_buys_per_block: 50,
        }
    }
}

/// Why auction parameters were refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AuctionParamsError {
    /// The start discount is above the floor's.
    StartDiscountAboveMax,
    /// The discount never grows: an auction that nobody takes would never clear.
    ZeroAuctionStep,
    /// The floor's discount is 50% or more: the owner would lose more to the keeper than any
    /// haircut holds back.
    MaxDiscountTooLarge,
    /// No purchase fits in a block.
    ZeroBuysPerBlock,
}

impl AuctionParams {
    /// Every bound, each with its own error.
    pub fn validate(&self) -> Result<(), AuctionParamsError> {
        use AuctionParamsError::*;
        if self.start_discount > self.max_discount {
            return Err(StartDiscountAboveMax);
        }
        if self.step.is_zero() {
            return Err(ZeroAuctionStep);
        }
        if self.max_discount >= Perbill::from_percent(50) {
            return Err(MaxDiscountTooLarge);
        }
        if self.max_buys_per_block == 0 {
            return Err(ZeroBuysPerBlock);
        }
        Ok(())
    }

    /// The discount `blocks` after the auction started.
    pub fn discount(&self, blocks: u32) -> Perbill {
        let parts = (self.step.deconstruct() as u64)
            .saturating_mul(blocks as u64)
            .saturating_add(self.start_discount.deconstruct() as u64)
            .min(self.max_discount.deconstruct() as u64);
        Perbill::from_parts(parts as u32)
    }
}

/// One stock held as extra collateral by a settlement's pot for its margin accounts: the
/// tokens and the shares they are divided into. An account holds shares, so a split of the
/// stock (which scales the tokens) keeps every account's part without touching the accounts.
#[derive(
    Clone,
    PartialEq,
    Eq,
    Default,
    Encode,
    Decode,
    DecodeWithMemTracking,
    MaxEncodedLen,
    TypeInfo,
    Debug,
)]
pub struct CollateralHolding {
    /// Tokens of the stock the pot holds for the accounts, base units.
    pub amount: Balance,
    /// Shares over all accounts.
    pub shares: Balance,
    /// Dividends on the stock paid to the pot, per payout asset (`None`: the native token):
    /// base units of it per share, summed over the dividends. An account is owed its shares
    /// times the growth since its last claim.
    pub dividends: frame_support::BoundedVec<(Option<AssetId>, FixedU128), MaxDividendAssets>,
}

/// Payout assets one holding of extra collateral tracks dividends in (a dividend in yet
/// another one goes back to its funder).
pub type MaxDividendAssets = frame_support::traits::ConstU32<4>;

impl CollateralHolding {
    /// Tokens of `shares` shares, rounded down.
    pub fn tokens_of(&self, shares: Balance) -> Balance {
        if self.shares == 0 {
            return 0;
        }
        perpetua_pricing::fixed::mul_div_u128(
            shares,
            self.amount,
            self.shares,
            perpetua_pricing::Rounding::Down,
        )
        .unwrap_or(0)
    }

    /// Shares `tokens` tokens buy, rounded down (the first deposit: one share per token).
    pub fn shares_for(&self, tokens: Balance) -> Balance {
        if self.shares == 0 || self.amount == 0 {
            return tokens;
        }
        perpetua_pricing::fixed::mul_div_u128(
            tokens,
            self.shares,
            self.amount,
            perpetua_pricing::Rounding::Down,
        )
        .unwrap_or(0)
    }

    /// Shares to burn to take `tokens` tokens out, rounded up.
    pub fn shares_to_take(&self, tokens: Balance) -> Option<Balance> {
        if self.amount == 0 {
            return None;
        }
        perpetua_pricing::fixed::mul_div_u128(
            tokens,
            self.shares,
            self.amount,
            perpetua_pricing::Rounding::Up,
        )
    }
}

/// A margin account's extra collateral and its debt in the settlement stock.
#[derive(
    Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Debug,
)]
#[scale_info(skip_type_params(MaxAssets))]
pub struct Basket<BlockNumber, MaxAssets: frame_support::traits::Get<u32>> {
    /// Settlement-stock base units owed to the pool: what the settlement collateral could
    /// not pay of a loss, funding or penalty. Backed by the extra collateral.
    pub debt: Balance,
    /// Shares of each stock's holding in the settlement's pot.
    pub assets: frame_support::BoundedVec<(AssetId, Balance), MaxAssets>,
    /// The block the auction of this account's extra collateral started, while it runs.
    pub auction: Option<BlockNumber>,
}

impl<B, M: frame_support::traits::Get<u32>> Default for Basket<B, M> {
    fn default() -> Self {
        Basket {
            debt: 0,
            assets: Default::default(),
            auction: None,
        }
    }
}

impl<B, M: frame_support::traits::Get<u32>> Basket<B, M> {
    /// Shares of `asset`.
    pub fn shares(&self, asset: AssetId) -> Balance {
        self.assets
            .iter()
            .find(|(a, _)| *a == asset)
            .map(|(_, s)| *s)
            .unwrap_or(0)
    }

    /// Whether the basket holds nothing and owes nothing.
    pub fn is_empty(&self) -> bool {
        self.debt == 0 && self.assets.is_empty()
    }
}
