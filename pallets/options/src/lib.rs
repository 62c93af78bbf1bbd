//! # pallet-options
//!
//! Perpetual (everlasting) options on BTC and ETH, coin-margined in a settlement asset (a stock
//! token): a TSLA x BTC market is BTC calls and puts whose premium, funding and profit are paid
//! in TSLA. The liquidity pool of the settlement asset is the counterparty to every trade.
//!
//! - **Markets** (index, settlement asset) and **series** (market, strike, call or put) are
//!   listed by the admin with every risk parameter.
//! - **Margin accounts** per trader and settlement asset hold the settlement asset as collateral
//!   (in a pot account per settlement asset) and cross-margin every position in that asset.
//! - **Trades** fill against the pool at its mark (the everlasting price moved by the pool's
//!   exposure) plus a fee, within the trader's limit price and deadline. Positions carry an
//!   average entry price; reducing one realises its PnL, paid in the settlement asset.
//! - **Funding** accrues per series once per block into a cumulative index in settlement units
//!   per contract (O(series)); positions settle it lazily when touched.
//! - **Health**: equity (collateral after a haircut that grows with the time until the
//!   settlement stock's market opens, plus unrealised PnL, less unsettled funding) against
//!   initial and maintenance margin from the pricing crate.
//!
//! Amounts in USD are `Fixed` (18 decimals); amounts in the settlement asset are base units.
//! Every conversion rounds in the pool's favour.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

/// A margin account of this pallet's runtime.
pub type AccountOf<T> = MarginAccount<<T as Config>::MaxPositions>;

mod api;
#[cfg(test)]
mod attack_tests;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod book;
pub mod collateral;
#[cfg(test)]
mod collateral_tests;
pub mod corporate;
#[cfg(test)]
mod corporate_tests;
mod funding;
mod invariants;
mod ledger;
pub mod migrations;
mod positions;
pub use positions::{AccountSeries, OpenAccounts, Positions};
mod series_book;
pub use series_book::SeriesBook;
#[cfg(test)]
mod mock;
pub mod risk;
#[cfg(test)]
mod tests;
pub mod trade;
pub mod types;
pub mod valuation;
pub mod weights;
pub use weights::WeightInfo;

use alloc::vec::Vec;
use frame_support::{
    ensure,
    traits::{Get, Time},
};
use perpetua_pricing::{margin::MarginLevel, Fixed, Rounding};
use perpetua_primitives::{
    AssetId, AssetMover, Balance, FixedI128, FixedU128, Inflow, MarketClock, Moment, OracleKey,
    PoolBook, PoolLedger, PriceError, PriceProvider,
};
use sp_runtime::{
    traits::{AccountIdConversion, Saturating, Zero},
    DispatchError,
};
use valuation::{MarketPrices, ValuationError};

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
    /// A settlement asset (12 decimals) whose pool holds `capital` deposited by `lp` (funded by
    /// the helper), with usable prices for it, BTC and BTC's volatility. The clock is set
    /// inside its market's session.
    fn settlement(lp: &AccountId, capital: Balance) -> AssetId {
        Self::settlement_at(0, lp, capital)
    }
    /// The `i`-th such settlement asset, created (with its pool and prices) if needed:
    /// `settlement` is the 0th.
    fn settlement_at(i: u32, lp: &AccountId, capital: Balance) -> AssetId;
    /// Moves the chain's clock forward by `ms` (prices stay usable).
    fn advance_time(ms: Moment);
    /// The `i`-th stock for extra collateral (12 decimals, a usable price of 150 USD),
    /// created if needed, with 1,000,000 tokens minted to `to`.
    fn collateral_stock(i: u32, to: &AccountId) -> AssetId;
    /// Sets a usable price for `key` (a block's feed: the index or a settlement moves).
    fn set_price(key: OracleKey, price: perpetua_primitives::Price);
}

/// The most decimals a settlement asset may have: amounts convert through 18-decimal fixed
/// point.
pub const MAX_SETTLEMENT_DECIMALS: u8 = 18;

/// An account's health, USD.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Health {
    /// Collateral after funding and haircut, plus unrealised PnL.
    pub equity: Fixed,
    /// Margin needed to open or increase risk.
    pub initial: Fixed,
    /// Below this the account is liquidated.
    pub maintenance: Fixed,
    /// Unrealised PnL: longs at the lower of mark and theoretical price, shorts at the higher.
    pub unrealised: Fixed,
    /// Funding owed (positive) or due (negative), whole settlement tokens.
    pub funding_owed: Fixed,
    /// The haircut applied to collateral.
    pub haircut: Fixed,
    /// Extra collateral (other stocks) after their haircuts, USD.
    pub extra: Fixed,
}

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use frame_support::{pallet_prelude::*, PalletId};
    use frame_system::pallet_prelude::*;

    /// The storage layout's version (README, "Storage"); a change of layout bumps it and
    /// ships a migration (docs/UPGRADES.md).
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config:
        frame_system::Config + pallet_assets::Config<AssetId = AssetId, Balance = Balance>
    {
        /// The overarching event type.
        #[allow(deprecated)]
        type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
        /// Creates markets, lists and delists series, sets parameters.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// Prices, freshness-checked.
        type Prices: PriceProvider;
        /// Market sessions of settlement stocks (for the collateral haircut).
        type Clock: MarketClock;
        /// The pools.
        type Pool: PoolLedger<Self::AccountId>;
        /// Moves tokens in and out of the pots (pallet-equities: through corporate actions).
        type Mover: AssetMover<Self::AccountId>;
        /// What carrying one margin account and one wallet through a corporate action costs,
        /// charged on top of every call that touches an account. The runtime's value depends on
        /// the state: the worst case while an action is in progress, nothing otherwise.
        type ActionTouchWeight: Get<Weight>;
        /// The chain's clock.
        type Time: Time<Moment = Moment>;
        /// Pot accounts (one per settlement asset) derive from it.
        #[pallet::constant]
        type PalletId: Get<PalletId>;
        /// Most markets.
        #[pallet::constant]
        type MaxMarkets: Get<u32>;
        /// Most series per settlement asset (the book is valued over them).
        #[pallet::constant]
        type MaxSeriesPerSettlement: Get<u32>;
        /// Most series with a price, over all markets (the block hook's work).
        #[pallet::constant]
        type MaxSeries: Get<u32>;
        /// Most positions of one account in one settlement asset.
        #[pallet::constant]
        type MaxPositions: Get<u32>;
        /// Most stocks one margin account holds as extra collateral.
        #[pallet::constant]
        type MaxCollateralAssets: Get<u32>;
        /// Weights.
        type WeightInfo: WeightInfo;
        /// Sets up a pool and prices for the benchmarks.
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
    }

    /// Markets.
    #[pallet::storage]
    pub type Markets<T: Config> = StorageMap<_, Twox64Concat, MarketId, Market>;

    /// The next market id.
    #[pallet::storage]
    pub type NextMarketId<T: Config> = StorageValue<_, MarketId, ValueQuery>;

    /// Each settlement's series with their aggregates, in `SettlementSeries` order: one value
    /// per book, so the block hook reads and writes a book once, not each of its series. Read
    /// and written only through [`SeriesBook`] (one series) and the hook (a whole book).
    #[pallet::storage]
    pub type Books<T: Config> = StorageMap<
        _,
        Twox64Concat,
        AssetId,
        BoundedVec<(SeriesId, Series), T::MaxSeriesPerSettlement>,
        ValueQuery,
    >;

    /// Where each series is: its settlement asset and its place in that book.
    #[pallet::storage]
    pub type SeriesSlot<T: Config> = StorageMap<_, Twox64Concat, SeriesId, (AssetId, u32)>;

    /// The next series id.
    #[pallet::storage]
    pub type NextSeriesId<T: Config> = StorageValue<_, SeriesId, ValueQuery>;

    /// Every listed series (active or with positions): the block hook walks them.
    #[pallet::storage]
    pub type AllSeries<T: Config> = StorageValue<_, BoundedVec<SeriesId, T::MaxSeries>, ValueQuery>;

    /// The settlement assets of the markets, each once, in listing order: what the block hook,
    /// the liquidation worker and a corporate action walk (one read, not one per market).
    /// Written at market creation only.
    #[pallet::storage]
    pub type Settlements<T: Config> =
        StorageValue<_, BoundedVec<AssetId, T::MaxMarkets>, ValueQuery>;

    /// Series of each settlement asset: the pool's book.
    #[pallet::storage]
    pub type SettlementSeries<T: Config> = StorageMap<
        _,
        Twox64Concat,
        AssetId,
        BoundedVec<SeriesId, T::MaxSeriesPerSettlement>,
        ValueQuery,
    >;

    /// Collateral haircut parameters per settlement asset.
    #[pallet::storage]
    pub type Haircuts<T: Config> = StorageMap<_, Twox64Concat, AssetId, HaircutParams, ValueQuery>;

    /// Margin accounts, with their positions: (settlement asset, trader), so that a corporate
    /// action of the settlement stock can walk them and a trade reads and writes its trader
    /// once. Written only by the margin ledger (`ledger.rs`); read one position at a time
    /// through [`Positions`], the open accounts through [`OpenAccounts`].
    #[pallet::storage]
    pub type Accounts<T: Config> = StorageDoubleMap<
        _,
        Twox64Concat,
        AssetId,
        Blake2_128Concat,
        T::AccountId,
        AccountOf<T>,
        ValueQuery,
    >;

    /// Total collateral per settlement asset (held by its pot account).
    #[pallet::storage]
    pub type TotalCollateral<T: Config> = StorageMap<_, Twox64Concat, AssetId, Balance, ValueQuery>;

    /// Funding settled per settlement asset.
    #[pallet::storage]
    pub type Funding<T: Config> = StorageMap<_, Twox64Concat, AssetId, FundingLedger, ValueQuery>;

    /// How many corporate actions of each settlement stock have reached its margin accounts
    /// (an account's `epoch` says which it has been carried through).
    #[pallet::storage]
    pub type ActionEpoch<T: Config> = StorageMap<_, Twox64Concat, AssetId, u32, ValueQuery>;

    /// The corporate action of a settlement stock being carried through its margin accounts.
    #[pallet::storage]
    pub type LedgerActions<T: Config> =
        StorageMap<_, Twox64Concat, AssetId, LedgerAction<T::AccountId>>;

    /// The pool's margin requirement over a settlement asset's book, USD (sum of the series').
    #[pallet::storage]
    pub type PoolMargin<T: Config> = StorageMap<_, Twox64Concat, AssetId, FixedU128, ValueQuery>;

    /// Traders' net dollar delta over a settlement asset's book, USD (sum of the series'
    /// `delta_usd`; the pool holds the opposite). Written only by `book_risk_moved`.
    #[pallet::storage]
    pub type BookDelta<T: Config> = StorageMap<_, Twox64Concat, AssetId, FixedI128, ValueQuery>;

    /// The block of each market's last successful trade that paid a fee. A trade that finds
    /// this block here finds the market's shared state (its prices, its settlement's pool,
    /// ledger totals and the pool's receivable) already read and written in this block, and
    /// is charged only its own items: the marginal weight `trades_in_block` measures.
    #[pallet::storage]
    pub type LastTraded<T: Config> = StorageMap<_, Twox64Concat, MarketId, BlockNumberFor<T>>;

    /// Stocks accepted as extra collateral of margin accounts, with their haircuts.
    #[pallet::storage]
    pub type CollateralAssets<T: Config> = StorageMap<_, Twox64Concat, AssetId, CollateralParams>;

    /// The Dutch auctions' parameters.
    #[pallet::storage]
    pub type Auction<T: Config> = StorageValue<_, AuctionParams, ValueQuery>;

    /// Each margin account's extra collateral (shares of its settlement pot's holdings), debt
    /// and auction: (settlement asset, trader). Written only by `collateral.rs`.
    #[pallet::storage]
    pub type Baskets<T: Config> = StorageDoubleMap<
        _,
        Twox64Concat,
        AssetId,
        Blake2_128Concat,
        T::AccountId,
        Basket<BlockNumberFor<T>, T::MaxCollateralAssets>,
        ValueQuery,
    >;

    /// What a settlement's pot holds of each stock for its accounts' extra collateral:
    /// (settlement asset, stock). Its shares are the sum of the baskets'.
    #[pallet::storage]
    pub type CollateralHoldings<T: Config> = StorageDoubleMap<
        _,
        Twox64Concat,
        AssetId,
        Twox64Concat,
        AssetId,
        CollateralHolding,
        ValueQuery,
    >;

    /// Where each account's dividends on a stock of its extra collateral were last claimed:
    /// (settlement, trader, stock) -> the holding's per-share sums then (by payout asset, in
    /// the holding's order; missing: zero).
    #[pallet::storage]
    pub type DividendClaims<T: Config> = StorageNMap<
        _,
        (
            NMapKey<Twox64Concat, AssetId>,
            NMapKey<Blake2_128Concat, T::AccountId>,
            NMapKey<Twox64Concat, AssetId>,
        ),
        BoundedVec<FixedU128, MaxDividendAssets>,
        ValueQuery,
    >;

    /// The settlement stock owed to the pool over all accounts (the sum of the baskets'
    /// debts carried through any split in progress).
    #[pallet::storage]
    pub type TotalDebt<T: Config> = StorageMap<_, Twox64Concat, AssetId, Balance, ValueQuery>;

    /// Debt of accounts a split of the settlement stock has not reached yet, pre-split units.
    #[pallet::storage]
    pub type UnscaledDebt<T: Config> = StorageMap<_, Twox64Concat, AssetId, Balance, ValueQuery>;

    /// Auction purchases in the current block: (block, count).
    #[pallet::storage]
    pub type AuctionBuys<T: Config> = StorageValue<_, (BlockNumberFor<T>, u32), ValueQuery>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A market was created.
        MarketCreated {
            market: MarketId,
            index: perpetua_primitives::CryptoIndex,
            settlement: AssetId,
        },
        /// A market's parameters or status changed.
        MarketUpdated { market: MarketId, active: bool },
        /// A series was listed.
        SeriesListed {
            series: SeriesId,
            market: MarketId,
            strike: FixedU128,
            kind: OptionKind,
        },
        /// A series was delisted or relisted.
        SeriesStatus { series: SeriesId, active: bool },
        /// A split of the settlement stock reached a margin account: its collateral went from
        /// `old` to `new` (rounded down) and its positions' funding snapshots scaled alike.
        CollateralSplit {
            who: T::AccountId,
            settlement: AssetId,
            old: Balance,
            new: Balance,
        },
        /// A margin account was paid the dividend on the collateral it held when the
        /// dividend of the settlement stock started.
        DividendPaid {
            who: T::AccountId,
            settlement: AssetId,
            paid_in: Option<AssetId>,
            amount: Balance,
        },
        /// A corporate action of the settlement stock has reached every margin account.
        CorporateActionCarried { settlement: AssetId, epoch: u32 },
        /// Collateral deposited.
        Deposited {
            who: T::AccountId,
            settlement: AssetId,
            amount: Balance,
        },
        /// Collateral withdrawn.
        Withdrawn {
            who: T::AccountId,
            settlement: AssetId,
            amount: Balance,
        },
        /// A trade filled. `cost` (USD, negative: received) excludes the fee; amounts paid in
        /// the settlement asset follow.
        Traded {
            who: T::AccountId,
            series: SeriesId,
            size: i128,
            price: FixedU128,
            cost: FixedI128,
            fee: Balance,
            realised: i128,
            position: i128,
        },
        /// Funding settled on a position: positive paid by the trader, negative paid to them.
        FundingSettled {
            who: T::AccountId,
            series: SeriesId,
            amount: i128,
        },
        /// Haircut parameters of a settlement asset changed.
        HaircutSet {
            settlement: AssetId,
            params: HaircutParams,
        },
        /// A stock's parameters as extra collateral changed.
        CollateralParamsSet {
            asset: AssetId,
            params: CollateralParams,
        },
        /// The Dutch auctions' parameters changed.
        AuctionParamsSet { params: AuctionParams },
        /// Extra collateral deposited into a margin account.
        CollateralDeposited {
            who: T::AccountId,
            settlement: AssetId,
            asset: AssetId,
            amount: Balance,
        },
        /// Extra collateral withdrawn from a margin account.
        CollateralWithdrawn {
            who: T::AccountId,
            settlement: AssetId,
            asset: AssetId,
            amount: Balance,
        },
        /// What the settlement collateral could not pay became debt, backed by the account's
        /// extra collateral.
        Borrowed {
            who: T::AccountId,
            settlement: AssetId,
            amount: Balance,
            debt: Balance,
        },
        /// Debt repaid (by a deposit, a profit or an auction purchase).
        Repaid {
            who: T::AccountId,
            settlement: AssetId,
            amount: Balance,
            debt: Balance,
        },
        /// A liquidation left debt: the account's extra collateral is auctioned.
        AuctionStarted {
            who: T::AccountId,
            settlement: AssetId,
            debt: Balance,
        },
        /// A keeper bought `amount` of `asset` from the account's auction for `paid` of the
        /// settlement stock, at `price` settlement tokens per token.
        CollateralAuctioned {
            who: T::AccountId,
            settlement: AssetId,
            asset: AssetId,
            keeper: T::AccountId,
            amount: Balance,
            paid: Balance,
            price: FixedU128,
        },
        /// A dividend on a stock of an account's extra collateral was paid to the account.
        CollateralDividendPaid {
            who: T::AccountId,
            settlement: AssetId,
            asset: AssetId,
            paid_in: Option<AssetId>,
            amount: Balance,
        },
        /// A dividend on a stock held as extra collateral in a payout asset beyond the
        /// `MaxDividendAssets` the holding tracks went back to its funder.
        CollateralDividendReturned {
            settlement: AssetId,
            asset: AssetId,
            paid_in: Option<AssetId>,
            amount: Balance,
        },
        /// The auction ended: the debt was repaid, or `bad_debt` was left with nothing to
        /// sell (absorbed by the pool, insurance first).
        AuctionEnded {
            who: T::AccountId,
            settlement: AssetId,
            bad_debt: Balance,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// No such market.
        UnknownMarket,
        /// No such series.
        UnknownSeries,
        /// `MaxMarkets` markets exist.
        TooManyMarkets,
        /// Too many series (per settlement asset or in all).
        TooManySeries,
        /// The settlement asset has no pool.
        NoPool,
        /// The series exists already (same market, strike and kind).
        DuplicateSeries,
        /// Parameters out of range (haircut base above its maximum; a zero strike).
        InvalidParams,
        /// Market parameters: `contract_size` is zero.
        ZeroContractSize,
        /// Market parameters: the funding period is not between one hour and one year.
        FundingPeriodOutOfRange,
        /// Market parameters: a maintenance term is above its initial term.
        MaintenanceAboveInitial,
        /// Market parameters: the curve's skew limit is not in (0, 1).
        SkewLimitOutOfRange,
        /// Market parameters: the open-interest cap is zero.
        ZeroOpenInterestCap,
        /// Market parameters: the funding cap is zero.
        ZeroFundingCap,
        /// A market's contract size and funding period cannot change (positions and the
        /// funding index are in its units).
        ImmutableParams,
        /// The series or its market takes no new risk (delisted or inactive); positions can
        /// only be reduced.
        SeriesInactive,
        /// The pool takes no new risk.
        PoolClosed,
        /// The size of a trade is zero.
        ZeroSize,
        /// The deadline has passed.
        DeadlineExpired,
        /// The fill is worse than the limit price.
        SlippageExceeded,
        /// The series' open interest would exceed its cap.
        OpenInterestCap,
        /// Equity would fall below the initial margin.
        InsufficientMargin,
        /// Not enough collateral for what must be paid now.
        InsufficientCollateral,
        /// Amounts must be above zero.
        ZeroAmount,
        /// `MaxPositions` positions in this settlement asset.
        TooManyPositions,
        /// A price needed is older than its market allows.
        StalePrice,
        /// A price needed is held by the circuit breaker.
        CircuitOpen,
        /// A price needed was never published.
        MissingPrice,
        /// The settlement stock is halted: its price is not usable.
        SettlementHalted,
        /// The pricing maths refused the inputs (strike, volatility or spot out of range).
        PricingFailed,
        /// The pool has no liquidity to price against.
        NoPoolLiquidity,
        /// The trade would skew the pool's book beyond its curve's limit.
        SkewLimit,
        /// Funding of the series could not be brought up to now (its valuation failed).
        FundingNotAccrued,
        /// The settlement asset has more decimals than the fixed-point maths carries (18).
        SettlementDecimalsTooLarge,
        /// A forced close (liquidation or deleveraging) must reduce the position.
        NotReducing,
        /// Arithmetic overflow.
        Overflow,
        /// The stock is not listed as extra collateral.
        NotCollateral,
        /// The stock takes no new deposits as extra collateral.
        CollateralNotAccepted,
        /// The settlement stock is the account's own collateral (`deposit`), not extra.
        SettlementAsExtraCollateral,
        /// The pot would hold more of the stock than its cap.
        CollateralCapReached,
        /// `MaxCollateralAssets` stocks in this account already.
        TooManyCollateralAssets,
        /// Not that much of the stock in the account.
        InsufficientExtraCollateral,
        /// Collateral parameters: the maintenance haircut is above the initial one.
        MaintenanceHaircutAboveInitial,
        /// Collateral parameters: a base haircut is above the maximum.
        HaircutAboveMax,
        /// Collateral parameters: the maximum haircut is 100% or more.
        MaxHaircutNotBelowOne,
        /// Collateral parameters: the cap is zero.
        ZeroCollateralCap,
        /// Auction parameters: the start discount is above the floor's.
        StartDiscountAboveMax,
        /// Auction parameters: the discount step is zero.
        ZeroAuctionStep,
        /// Auction parameters: the floor's discount is 50% or more.
        MaxDiscountTooLarge,
        /// Auction parameters: no purchase would fit in a block.
        ZeroBuysPerBlock,
        /// The account's extra collateral is not being auctioned.
        NoAuction,
        /// The auction's current price is above the keeper's limit.
        AuctionPriceAboveLimit,
        /// The block's auction purchases are used up.
        AuctionBlockCap,
        /// Nothing to buy: the account holds none of the stock, or owes nothing.
        NothingToBuy,
        /// A deposit of extra collateral below the stock's minimum balance.
        CollateralBelowMinimum,
    }

    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Markets with their series: (index, settlement, params, [(strike, kind)]).
        #[allow(clippy::type_complexity)]
        pub markets: Vec<(
            perpetua_primitives::CryptoIndex,
            AssetId,
            MarketParams,
            Vec<(FixedU128, OptionKind)>,
        )>,
        /// Stocks accepted as extra collateral, with their haircuts.
        pub collateral: Vec<(AssetId, CollateralParams)>,
        #[serde(skip)]
        pub _config: core::marker::PhantomData<T>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for (index, settlement, params, series) in &self.markets {
                let market = Pallet::<T>::do_create_market(*index, *settlement, *params);
                assert!(market.is_ok(), "genesis market: {market:?}"); // proof: genesis only
                let market = market.unwrap_or_default(); // proof: checked above
                for (strike, kind) in series {
                    let r = Pallet::<T>::do_list_series(market, *strike, *kind);
                    assert!(r.is_ok(), "genesis series: {r:?}"); // proof: genesis only
                }
            }
            for (asset, params) in &self.collateral {
                assert!(
                    params.validate().is_ok(),
                    "genesis collateral {asset}: {params:?}"
                ); // proof: genesis only
                CollateralAssets::<T>::insert(asset, params);
            }
        }
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
            // The hook is one `accrue_book` per settlement: what a book costs whatever its
            // size, plus what each series adds (the benchmark's intercept and slope).
            let books = Settlements::<T>::decode_len().unwrap_or(0) as u64;
            let series = AllSeries::<T>::decode_len().unwrap_or(0) as u64;
            let per_book = <T as Config>::WeightInfo::accrue_book(0);
            let per_series = <T as Config>::WeightInfo::accrue_book(1).saturating_sub(per_book);
            T::DbWeight::get()
                .reads(3)
                .saturating_add(per_book.saturating_mul(books))
                .saturating_add(per_series.saturating_mul(series))
        }

        /// Funding accrues once per block, after the block's price feeds, for every series:
        /// O(series), whatever the number of positions.
        fn on_finalize(_n: BlockNumberFor<T>) {
            Self::accrue_all();
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Creates a market of options on `index` settled in `settlement` (admin). The
        /// settlement asset needs a pool.
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::create_market())]
        pub fn create_market(
            origin: OriginFor<T>,
            index: perpetua_primitives::CryptoIndex,
            settlement: AssetId,
            params: MarketParams,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_create_market(index, settlement, params).map(|_| ())
        }

        /// Changes a market's parameters and status (admin).
        #[pallet::call_index(1)]
        #[pallet::weight(<T as Config>::WeightInfo::update_market())]
        pub fn update_market(
            origin: OriginFor<T>,
            market: MarketId,
            params: MarketParams,
            active: bool,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::validate(&params)?;
            Markets::<T>::try_mutate(market, |m| -> DispatchResult {
                let m = m.as_mut().ok_or(Error::<T>::UnknownMarket)?;
                ensure!(
                    m.params.funding_period_secs == params.funding_period_secs
                        && m.params.contract_size == params.contract_size,
                    Error::<T>::ImmutableParams
                );
                m.params = params;
                m.active = active;
                Ok(())
            })?;
            Self::deposit_event(Event::MarketUpdated { market, active });
            Ok(())
        }

        /// Lists a series (admin).
        #[pallet::call_index(2)]
        #[pallet::weight(<T as Config>::WeightInfo::list_series())]
        pub fn list_series(
            origin: OriginFor<T>,
            market: MarketId,
            strike: FixedU128,
            kind: OptionKind,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_list_series(market, strike, kind).map(|_| ())
        }

        /// Delists (or relists) a series (admin): no new risk; positions can still be reduced
        /// and keep paying funding.
        #[pallet::call_index(3)]
        #[pallet::weight(<T as Config>::WeightInfo::set_series_active())]
        pub fn set_series_active(
            origin: OriginFor<T>,
            series: SeriesId,
            active: bool,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            SeriesBook::<T>::try_mutate(series, |s| -> DispatchResult {
                s.as_mut().ok_or(Error::<T>::UnknownSeries)?.active = active;
                Ok(())
            })?;
            Self::deposit_event(Event::SeriesStatus { series, active });
            Ok(())
        }

        /// Sets the collateral haircut of a settlement asset (admin).
        #[pallet::call_index(4)]
        #[pallet::weight(<T as Config>::WeightInfo::set_haircut())]
        pub fn set_haircut(
            origin: OriginFor<T>,
            settlement: AssetId,
            params: HaircutParams,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(params.base <= params.max, Error::<T>::InvalidParams);
            Haircuts::<T>::insert(settlement, params);
            Self::deposit_event(Event::HaircutSet { settlement, params });
            Ok(())
        }

        /// Deposits `amount` of `settlement` as collateral.
        #[pallet::call_index(5)]
        #[pallet::weight(<T as Config>::WeightInfo::deposit().saturating_add(T::ActionTouchWeight::get()))]
        pub fn deposit(
            origin: OriginFor<T>,
            settlement: AssetId,
            amount: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            ensure!(amount > 0, Error::<T>::ZeroAmount);
            ensure!(
                !SettlementSeries::<T>::get(settlement).is_empty(),
                Error::<T>::UnknownMarket
            );
            T::Mover::transfer(settlement, &who, &Self::pot(settlement), amount)?;
            Self::credit(&who, settlement, amount)?;
            Self::deposit_event(Event::Deposited {
                who,
                settlement,
                amount,
            });
            Ok(())
        }

        /// Withdraws `amount` of collateral, if equity stays above the initial margin
        /// (funding is settled first).
        #[pallet::call_index(6)]
        #[pallet::weight(<T as Config>::WeightInfo::withdraw(T::MaxPositions::get()).saturating_add(Pallet::<T>::max_basket_weight()).saturating_add(T::ActionTouchWeight::get()))]
        #[allow(clippy::useless_conversion)]
        pub fn withdraw(
            origin: OriginFor<T>,
            settlement: AssetId,
            amount: Balance,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            ensure!(amount > 0, Error::<T>::ZeroAmount);
            Self::sync(&who, settlement);
            Self::settle_account_funding(&who, settlement)?;
            Self::debit(&who, settlement, amount)?;
            Self::ensure_initial_margin(&who, settlement)?;
            T::Mover::transfer(settlement, &Self::pot(settlement), &who, amount)?;
            let positions = AccountSeries::<T>::count(&who, settlement);
            let basket = Self::basket_len(&who, settlement);
            Self::deposit_event(Event::Withdrawn {
                who,
                settlement,
                amount,
            });
            // Charged for the positions valued, not for the most an account may hold.
            Ok(Some(
                <T as Config>::WeightInfo::withdraw(positions.max(1))
                    .saturating_add(Self::basket_weight(basket))
                    .saturating_add(T::ActionTouchWeight::get()),
            )
            .into())
        }

        /// Buys (`size` > 0) or sells (`size` < 0) contracts of `series` from the pool at no
        /// worse than `limit_price` (USD per contract, before the fee) and not after
        /// `deadline` (ms). Reducing a position realises its PnL.
        #[pallet::call_index(7)]
        #[pallet::weight(Pallet::<T>::trade_weight(T::MaxPositions::get(), false).saturating_add(Pallet::<T>::max_basket_weight()).saturating_add(T::ActionTouchWeight::get()))]
        #[allow(clippy::useless_conversion)]
        pub fn trade(
            origin: OriginFor<T>,
            series: SeriesId,
            size: i128,
            limit_price: FixedU128,
            deadline: Moment,
        ) -> DispatchResultWithPostInfo {
            let who = ensure_signed(origin)?;
            let fill = Self::do_trade(
                &who,
                series,
                size,
                Some((limit_price, deadline)),
                TradeMode::Trader,
            )?;
            // Charged for the positions valued, not for the most an account may hold, and
            // for the market's shared state only if no trade has brought it into this block.
            // An empty basket's read is in `trade`'s and `trades_in_block`'s benchmarks.
            let basket = match fill.basket {
                0 => Weight::zero(),
                assets => Self::basket_weight(assets),
            };
            let weight =
                Self::trade_weight(fill.positions.max(1), fill.warm).saturating_add(basket);
            Ok(Some(weight.saturating_add(T::ActionTouchWeight::get())).into())
        }

        /// Lists a stock as extra collateral of margin accounts, or changes its haircuts and
        /// cap (admin). Existing collateral is valued at the new haircuts at once.
        #[pallet::call_index(8)]
        #[pallet::weight(<T as Config>::WeightInfo::set_collateral_params())]
        pub fn set_collateral_params(
            origin: OriginFor<T>,
            asset: AssetId,
            params: CollateralParams,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            params.validate().map_err(Error::<T>::from)?;
            ensure!(
                pallet_assets::Asset::<T>::contains_key(asset),
                Error::<T>::NotCollateral
            );
            ensure!(
                pallet_assets::Metadata::<T>::get(asset).decimals <= MAX_SETTLEMENT_DECIMALS,
                Error::<T>::SettlementDecimalsTooLarge
            );
            CollateralAssets::<T>::insert(asset, params);
            Self::deposit_event(Event::CollateralParamsSet { asset, params });
            Ok(())
        }

        /// Sets the Dutch auctions' parameters (admin).
        #[pallet::call_index(9)]
        #[pallet::weight(<T as Config>::WeightInfo::set_auction_params())]
        pub fn set_auction_params(origin: OriginFor<T>, params: AuctionParams) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            params.validate().map_err(Error::<T>::from)?;
            Auction::<T>::put(params);
            Self::deposit_event(Event::AuctionParamsSet { params });
            Ok(())
        }

        /// Deposits `amount` of the stock `asset` into `who`'s margin account of `settlement`
        /// as extra collateral, valued at its price less its own haircut. It repays nothing:
        /// debt is repaid in the settlement stock (`deposit`).
        #[pallet::call_index(10)]
        #[pallet::weight(<T as Config>::WeightInfo::deposit_collateral().saturating_add(T::ActionTouchWeight::get()))]
        pub fn deposit_collateral(
            origin: OriginFor<T>,
            settlement: AssetId,
            asset: AssetId,
            amount: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_deposit_collateral(&who, settlement, asset, amount)
        }

        /// Withdraws `amount` of the extra collateral `asset`, if the account's equity stays
        /// at or above its initial margin (funding is settled first).
        #[pallet::call_index(11)]
        #[pallet::weight(<T as Config>::WeightInfo::withdraw_collateral(T::MaxPositions::get()).saturating_add(T::ActionTouchWeight::get()))]
        pub fn withdraw_collateral(
            origin: OriginFor<T>,
            settlement: AssetId,
            asset: AssetId,
            amount: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_withdraw_collateral(&who, settlement, asset, amount)
        }

        /// Buys up to `amount` of `asset` from the auction of `who`'s extra collateral in
        /// `settlement`, paying the settlement stock at the auction's current price (no more
        /// than `max_price` settlement tokens per token), which repays `who`'s debt. Buys no
        /// more than the debt needs.
        #[pallet::call_index(12)]
        #[pallet::weight(<T as Config>::WeightInfo::buy_collateral().saturating_add(T::ActionTouchWeight::get()))]
        pub fn buy_collateral(
            origin: OriginFor<T>,
            settlement: AssetId,
            who: T::AccountId,
            asset: AssetId,
            amount: Balance,
            max_price: FixedU128,
        ) -> DispatchResult {
            let keeper = ensure_signed(origin)?;
            Self::do_buy_collateral(&keeper, &who, settlement, asset, amount, max_price)
        }
    }

    impl<T: Config> Pallet<T> {
        /// Whether the market of `series` has had a successful trade in this block.
        pub fn traded_this_block(series: SeriesId) -> bool {
            SeriesBook::<T>::get(series)
                .and_then(|s| LastTraded::<T>::get(s.market))
                .is_some_and(|b| b == frame_system::Pallet::<T>::block_number())
        }

        /// What an account's extra collateral adds to a call that values the account: the
        /// basket's read, and with `assets` stocks in it their valuation and a repayment of
        /// debt from the pot (`basket_touch(assets)`).
        pub fn basket_weight(assets: u32) -> Weight {
            if assets == 0 {
                // An empty basket is one read of nothing (`basket_touch(0)`'s fitted intercept
                // is the fit, not the read: 56 µs measured on the dev-profile node).
                return <T as frame_system::Config>::DbWeight::get().reads(1);
            }
            <T as Config>::WeightInfo::basket_touch(assets)
        }

        /// The most `basket_weight` (a basket of `MaxCollateralAssets` stocks).
        pub fn max_basket_weight() -> Weight {
            Self::basket_weight(T::MaxCollateralAssets::get())
        }

        /// Stocks in `who`'s basket in `settlement`.
        pub fn basket_len(who: &T::AccountId, settlement: AssetId) -> u32 {
            Baskets::<T>::get(settlement, who).assets.len() as u32
        }

        /// The weight of a trade by an account with `positions` positions in the settlement.
        /// Cold (the market's first trade of the block): `trade(positions)`, plus moving the
        /// settlement's receivable to the pool at the block's end (the trade may open it).
        /// Warm (a trade that paid a fee came first, and opened the receivable): what one more
        /// trade adds to a block of trades on the market (`trades_in_block`'s slope), plus
        /// what the account's other positions add (`trade(positions) - trade(1)`).
        pub fn trade_weight(positions: u32, warm: bool) -> Weight {
            let w = |p| <T as Config>::WeightInfo::trade(p);
            if !warm {
                return w(positions).saturating_add(T::Pool::receivable_settlement_weight());
            }
            let n = |k| <T as Config>::WeightInfo::trades_in_block(k);
            n(2).saturating_sub(n(1))
                .saturating_add(w(positions).saturating_sub(w(1)))
        }

        /// The pot account holding a settlement asset's collateral.
        pub fn pot(settlement: AssetId) -> T::AccountId {
            T::PalletId::get().into_sub_account_truncating(settlement)
        }

        fn validate(p: &MarketParams) -> DispatchResult {
            p.validate().map_err(|e| Error::<T>::from(e).into())
        }

        pub fn do_create_market(
            index: perpetua_primitives::CryptoIndex,
            settlement: AssetId,
            params: MarketParams,
        ) -> Result<MarketId, DispatchError> {
            Self::validate(&params)?;
            ensure!(T::Pool::is_open(settlement), Error::<T>::NoPool);
            let id = NextMarketId::<T>::get();
            ensure!(id < T::MaxMarkets::get(), Error::<T>::TooManyMarkets);
            let decimals = pallet_assets::Metadata::<T>::get(settlement).decimals;
            // Base units convert through 18-decimal fixed point: 10^decimals must fit in it.
            ensure!(
                decimals <= MAX_SETTLEMENT_DECIMALS,
                Error::<T>::SettlementDecimalsTooLarge
            );
            // Markets never go, so neither does a settlement once listed; it fits, since there
            // are no more settlements than markets.
            Settlements::<T>::try_mutate(|all| {
                if all.contains(&settlement) {
                    return Ok(());
                }
                all.try_push(settlement)
            })
            .map_err(|_| Error::<T>::TooManyMarkets)?;
            Markets::<T>::insert(
                id,
                Market {
                    index,
                    settlement,
                    settlement_decimals: decimals,
                    params,
                    active: true,
                },
            );
            NextMarketId::<T>::put(id.saturating_add(1));
            Self::deposit_event(Event::MarketCreated {
                market: id,
                index,
                settlement,
            });
            Ok(id)
        }

        pub fn do_list_series(
            market: MarketId,
            strike: FixedU128,
            kind: OptionKind,
        ) -> Result<SeriesId, DispatchError> {
            let m = Markets::<T>::get(market).ok_or(Error::<T>::UnknownMarket)?;
            ensure!(!strike.is_zero(), Error::<T>::InvalidParams);
            let duplicate = Books::<T>::get(m.settlement)
                .iter()
                .any(|(_, x)| x.market == market && x.strike == strike && x.kind == kind);
            ensure!(!duplicate, Error::<T>::DuplicateSeries);
            let id = NextSeriesId::<T>::get();
            AllSeries::<T>::try_mutate(|a| a.try_push(id))
                .map_err(|_| Error::<T>::TooManySeries)?;
            SettlementSeries::<T>::try_mutate(m.settlement, |a| a.try_push(id))
                .map_err(|_| Error::<T>::TooManySeries)?;
            SeriesBook::<T>::list(
                m.settlement,
                id,
                Series {
                    market,
                    strike,
                    kind,
                    active: true,
                    long: 0,
                    short: 0,
                    entry_sum: FixedI128::zero(),
                    funding_index: FixedI128::zero(),
                    funding_sum: FixedI128::zero(),
                    funding_time: T::Time::now(),
                    pool_margin: FixedU128::zero(),
                    delta_usd: FixedI128::zero(),
                    block_net: 0,
                    funding_rounding: 0,
                },
            )?;
            NextSeriesId::<T>::put(id.saturating_add(1));
            Self::deposit_event(Event::SeriesListed {
                series: id,
                market,
                strike,
                kind,
            });
            Ok(id)
        }
    }
}

impl<T: Config> From<PriceError> for Error<T> {
    /// A price's named reason it is not usable.
    fn from(e: PriceError) -> Self {
        match e {
            PriceError::Stale => Error::<T>::StalePrice,
            PriceError::CircuitOpen => Error::<T>::CircuitOpen,
            PriceError::Missing => Error::<T>::MissingPrice,
            PriceError::Halted => Error::<T>::SettlementHalted,
        }
    }
}

impl<T: Config> From<CollateralParamsError> for Error<T> {
    fn from(e: CollateralParamsError) -> Self {
        match e {
            CollateralParamsError::MaintenanceHaircutAboveInitial => {
                Error::<T>::MaintenanceHaircutAboveInitial
            }
            CollateralParamsError::HaircutAboveMax => Error::<T>::HaircutAboveMax,
            CollateralParamsError::MaxHaircutNotBelowOne => Error::<T>::MaxHaircutNotBelowOne,
            CollateralParamsError::ZeroCollateralCap => Error::<T>::ZeroCollateralCap,
        }
    }
}

impl<T: Config> From<AuctionParamsError> for Error<T> {
    fn from(e: AuctionParamsError) -> Self {
        match e {
            AuctionParamsError::StartDiscountAboveMax => Error::<T>::StartDiscountAboveMax,
            AuctionParamsError::ZeroAuctionStep => Error::<T>::ZeroAuctionStep,
            AuctionParamsError::MaxDiscountTooLarge => Error::<T>::MaxDiscountTooLarge,
            AuctionParamsError::ZeroBuysPerBlock => Error::<T>::ZeroBuysPerBlock,
        }
    }
}

impl<T: Config> From<ParamsError> for Error<T> {
    fn from(e: ParamsError) -> Self {
        match e {
            ParamsError::ZeroContractSize => Error::<T>::ZeroContractSize,
            ParamsError::FundingPeriodOutOfRange => Error::<T>::FundingPeriodOutOfRange,
            ParamsError::MaintenanceAboveInitial => Error::<T>::MaintenanceAboveInitial,
            ParamsError::SkewLimitOutOfRange => Error::<T>::SkewLimitOutOfRange,
            ParamsError::ZeroOpenInterestCap => Error::<T>::ZeroOpenInterestCap,
            ParamsError::ZeroFundingCap => Error::<T>::ZeroFundingCap,
        }
    }
}

impl<T: Config> PoolBook for Pallet<T> {
    fn book_value(
        settlement: AssetId,
        capital: Balance,
    ) -> Result<perpetua_primitives::BookValue, PriceError> {
        Self::book_value(settlement, capital)
    }
}
