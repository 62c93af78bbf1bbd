//! # pallet-pool
//!
//! One liquidity pool per settlement asset (a stock token such as TSLA): the counterparty to
//! every option settled in that asset. LPs deposit the asset and receive share tokens
//! (pallet-assets assets, so wallets show them) of one of two tranches:
//!
//! - **main**: the option seller's capital;
//! - **insurance**: first-loss capital for bad debt, paid for it with penalties and a larger
//!   share of fees.
//!
//! Both bear the pool's ordinary results (funding, traders' PnL, the book's value) by one rule,
//! the same share for gains and losses ([`nav`]). Share price = tranche NAV / share supply,
//! where NAV values the book at prices no trade can move ([`PoolBook::book_value`]) and counts
//! the claims the pool owes as a liability. Every LP flow is queued and executes at the start
//! of a later block (`on_initialize`, before any trade), and for a stock only while its market
//! is open and its price fresh. What the pool cannot pay a trader is a claim, senior to the
//! LPs and paid from the next inflows. The options and liquidation pallets use the pool
//! through [`PoolLedger`].
//!
//! Code by role: [`nav`] the pure accounting, `ledger.rs` the one writer of tranche capital
//! and claims, `flows.rs` deposits, withdrawals and the queue.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod corporate;
mod flows;
mod ledger;
#[cfg(test)]
mod mock;
pub mod nav;
mod receivable;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
pub use weights::WeightInfo;

pub use corporate::PlainAssets;

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper {
    /// Sets the clock `Config::Time` reads to `now` (ms).
    fn set_time(now: Moment);
}

#[cfg(feature = "runtime-benchmarks")]
impl BenchmarkHelper for () {
    fn set_time(_: Moment) {}
}
use frame_support::{
    ensure,
    pallet_prelude::DispatchResult,
    traits::{
        fungibles::{self, Inspect as _},
        Get, Time,
    },
};
use perpetua_primitives::{
    AssetId, AssetMover, Balance, DividendDistributor, Inflow, MarketClock, Moment, OracleKey,
    PoolBook, PriceProvider, Session, StockRegistry, Tranche,
};
use sp_runtime::{traits::AccountIdConversion, ArithmeticError, DispatchError, FixedPointNumber};

/// Deposit and withdrawal weights are evaluated at this many LPs, the top of their benchmark
/// range (their cost does not grow with the number of LPs: the benchmark shows a flat slope).
pub const LP_WEIGHT_BOUND: u32 = 1000;

/// Storage reads of looking at one queued pool in the block hook without executing a flow:
/// its queue's head, whether it is a stock, its exchange's session (two) and its price's
/// freshness (two).
pub const QUEUE_LOOK_READS: u64 = 6;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use frame_support::{pallet_prelude::*, PalletId};
    use frame_system::pallet_prelude::*;

    /// The storage layout's version (README, "Storage"); a change of layout bumps it and
    /// ships a migration (docs/UPGRADES.md).
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

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
        /// Creates pools, sets parameters, opens and closes pools, sweeps surplus, settles
        /// deficits.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// The options book's value, for NAV.
        type Book: PoolBook;
        /// Moves the settlement asset and the share tokens (pallet-equities: through corporate
        /// actions).
        type Mover: AssetMover<Self::AccountId>;
        /// Pays a dividend received on the pool's stock to the holders of its share tokens
        /// (pallet-equities' walk).
        type Distributor: DividendDistributor<Self::AccountId>;
        /// What bringing the accounts a flow touches through a corporate action costs, charged
        /// on top of every request and every executed flow. The runtime's value depends on the
        /// state: the worst case while an action is in progress, nothing otherwise.
        type ActionTouchWeight: Get<Weight>;
        /// What valuing one pool's book costs (charged once per executed flow).
        type BookValuationWeight: Get<Weight>;
        /// Market sessions, to hold flows of stock-settled pools while closed.
        type Clock: MarketClock;
        /// Which settlement assets are stocks.
        type Stocks: StockRegistry;
        /// Whether the settlement asset's price is fresh.
        type Prices: PriceProvider;
        /// The chain's clock.
        type Time: Time<Moment = Moment>;
        /// Pools' accounts derive from it.
        #[pallet::constant]
        type PalletId: Get<PalletId>;
        /// Receives the protocol's share of fees, holds the shares of value no LP owns, and
        /// funds deficit settlements.
        type ProtocolAccount: Get<Self::AccountId>;
        /// Most pools.
        #[pallet::constant]
        type MaxPools: Get<u32>;
        /// Most queued requests per pool.
        #[pallet::constant]
        type MaxQueue: Get<u32>;
        /// Most queued requests of one account in one pool.
        #[pallet::constant]
        type MaxRequestsPerAccount: Get<u32>;
        /// Most queued requests executed per block, across pools.
        #[pallet::constant]
        type FlowsPerBlock: Get<u32>;
        /// A request executes at the start of the first block whose `on_initialize` sees a
        /// time at least this long after it was made (ms). In the runtime one block's time:
        /// `on_initialize` sees the previous block's timestamp, so a request of block b runs
        /// at the start of block b + 2, after the liquidations that validators submit for a
        /// price that landed in block b.
        #[pallet::constant]
        type FlowDelay: Get<Moment>;
        /// The first asset id given to share tokens.
        #[pallet::constant]
        type FirstShareAssetId: Get<AssetId>;
        /// Weights.
        type WeightInfo: WeightInfo;
        /// Sets the chain's clock for benchmarks (queued flows are due only after `FlowDelay`).
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: BenchmarkHelper;
    }

    /// Pools by settlement asset.
    #[pallet::storage]
    pub type Pools<T: Config> = StorageMap<_, Blake2_128Concat, AssetId, PoolInfo>;

    /// Parameters of each pool.
    #[pallet::storage]
    pub type Params<T: Config> = StorageMap<_, Blake2_128Concat, AssetId, PoolParams>;

    /// Number of pools.
    #[pallet::storage]
    pub type PoolCount<T: Config> = StorageValue<_, u32, ValueQuery>;

    /// Requests waiting to execute at the start of a later block, first in first out.
    #[pallet::storage]
    pub type Queue<T: Config> = StorageMap<
        _,
        Blake2_128Concat,
        AssetId,
        BoundedVec<Request<T::AccountId>, T::MaxQueue>,
        ValueQuery,
    >;

    /// Queued requests per (pool, account), at most `MaxRequestsPerAccount`.
    #[pallet::storage]
    pub type PendingRequests<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        AssetId,
        Blake2_128Concat,
        T::AccountId,
        u32,
        ValueQuery,
    >;

    /// Pools with queued requests.
    #[pallet::storage]
    pub type QueuedPools<T: Config> = StorageValue<_, BoundedVec<AssetId, T::MaxPools>, ValueQuery>;

    /// Id of the next request.
    #[pallet::storage]
    pub type NextRequestId<T: Config> = StorageValue<_, RequestId, ValueQuery>;

    /// When each account last deposited into each tranche of each pool (ms); removed once the
    /// account holds no shares of the tranche.
    #[pallet::storage]
    pub type LastDeposit<T: Config> = StorageNMap<
        _,
        (
            NMapKey<Blake2_128Concat, AssetId>,
            NMapKey<Blake2_128Concat, Tranche>,
            NMapKey<Blake2_128Concat, T::AccountId>,
        ),
        Moment,
    >;

    /// The asset id the next share token gets.
    #[pallet::storage]
    pub type NextShareAssetId<T: Config> = StorageValue<_, AssetId, OptionQuery>;

    /// What each pool owes traders and could not pay, and the cash set aside for it.
    #[pallet::storage]
    pub type Deficits<T: Config> = StorageMap<_, Blake2_128Concat, AssetId, DeficitLedger>;

    /// Each trader's claim on a pool (sums to the pool's `Deficits.owed`).
    #[pallet::storage]
    pub type Claims<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, AssetId, Blake2_128Concat, T::AccountId, Balance>;

    /// How many splits of the settlement stock each claim has been carried through (see
    /// `DeficitLedger::epoch`).
    #[pallet::storage]
    pub type ClaimEpochs<T: Config> = StorageDoubleMap<
        _,
        Blake2_128Concat,
        AssetId,
        Blake2_128Concat,
        T::AccountId,
        u32,
        ValueQuery,
    >;

    /// Per pool, the cash its ledger counts but the pot still holds (see [`Receivable`]): at
    /// most one entry per pool, written by `accrue_all`, zeroed when settled within the block
    /// and removed when settled at its end.
    #[pallet::storage]
    pub type Receivables<T: Config> =
        CountedStorageMap<_, Blake2_128Concat, AssetId, Receivable<T::AccountId>>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A pool was created with its two share tokens.
        PoolCreated {
            asset: AssetId,
            main_share: AssetId,
            insurance_share: AssetId,
        },
        /// A pool's parameters changed.
        ParamsSet { asset: AssetId, params: PoolParams },
        /// A pool was opened to, or closed to, new risk.
        PoolOpenSet { asset: AssetId, open: bool },
        /// An LP deposited and received shares.
        Deposited {
            asset: AssetId,
            tranche: Tranche,
            who: T::AccountId,
            amount: Balance,
            shares: Balance,
        },
        /// An LP redeemed shares; `fee` stayed in the tranche.
        Withdrawn {
            asset: AssetId,
            tranche: Tranche,
            who: T::AccountId,
            shares: Balance,
            amount: Balance,
            fee: Balance,
        },
        /// A flow waits to execute at the start of a later block (its funds or shares are
        /// held by the pool).
        Queued {
            asset: AssetId,
            request: RequestId,
            who: T::AccountId,
            tranche: Tranche,
            kind: RequestKind,
        },
        /// A queued flow could not execute and was refunded whole.
        RequestRefunded {
            asset: AssetId,
            request: RequestId,
            who: T::AccountId,
            reason: FlowRefusal,
        },
        /// A queued flow was cancelled by its owner and refunded.
        RequestCancelled { asset: AssetId, request: RequestId },
        /// The pool received money from the options pallet; `to_claims` went to the cash set
        /// aside for claims before anything else.
        Received {
            asset: AssetId,
            kind: Inflow,
            amount: Balance,
            to_claims: Balance,
            to_main: Balance,
            to_insurance: Balance,
            to_protocol: Balance,
        },
        /// The pool paid a trader, by the one rule; `shortfall` could not be paid.
        Paid {
            asset: AssetId,
            to: T::AccountId,
            from_main: Balance,
            from_insurance: Balance,
            shortfall: Balance,
        },
        /// A bad debt was absorbed: insurance made main whole for `covered`; main bore
        /// `main_bore` because insurance was too small.
        LossAbsorbed {
            asset: AssetId,
            amount: Balance,
            covered: Balance,
            main_bore: Balance,
        },
        /// A tranche with shares but no capital and no value took a new deposit: its old
        /// share token is frozen for good and a new one takes its place.
        TrancheWipedOut {
            asset: AssetId,
            tranche: Tranche,
            old_share: AssetId,
            new_share: AssetId,
        },
        /// Value no LP owned (an empty tranche's share of results) was credited as shares to
        /// the protocol account.
        OrphanValueToProtocol {
            asset: AssetId,
            tranche: Tranche,
            shares: Balance,
        },
        /// The options pallet set the margin the pool must hold.
        RequiredMarginSet { asset: AssetId, amount: Balance },
        /// Tokens sent to the pool account outside its ledger were credited to insurance.
        SurplusSwept { asset: AssetId, amount: Balance },
        /// A dividend on the pool's stock was passed on: to queued depositors, to each
        /// tranche's LPs pro rata to their shares (through the share tokens' walk and to the
        /// owners of escrowed shares), and what nobody owned back to the funder.
        DividendPassedOn {
            asset: AssetId,
            paid_in: Option<AssetId>,
            queued_deposits: Balance,
            main: Balance,
            insurance: Balance,
            refunded: Balance,
        },
        /// The pool owes `who` `amount` more it could not pay now.
        ClaimRecorded {
            asset: AssetId,
            who: T::AccountId,
            amount: Balance,
        },
        /// A claim was paid (in part or whole) from the cash set aside for claims.
        ClaimPaid {
            asset: AssetId,
            who: T::AccountId,
            amount: Balance,
            left: Balance,
        },
        /// The admin paid `amount` from the protocol account toward a pool's claims.
        DeficitSettled { asset: AssetId, amount: Balance },
        /// The cash of inflows booked earlier (the block's trades) moved from `from` to the
        /// pool account and the protocol's.
        ReceivableSettled {
            asset: AssetId,
            from: T::AccountId,
            to_pool: Balance,
            to_protocol: Balance,
        },
        /// The block's receivable could not be moved at its end (`error`); the ledger already
        /// counts it, the tokens stay where they are, and the next block's end tries again.
        ReceivableDeferred {
            asset: AssetId,
            error: DispatchError,
        },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// No pool for this asset.
        UnknownPool,
        /// A pool for this asset exists already.
        PoolExists,
        /// The settlement asset does not exist.
        UnknownAsset,
        /// `MaxPools` pools exist.
        TooManyPools,
        /// Amounts must be above zero (and mint at least one share).
        ZeroAmount,
        /// Below the pool's least deposit or withdrawal (`min_flow`).
        BelowMinimumFlow,
        /// The account has `MaxRequestsPerAccount` requests queued in this pool.
        TooManyRequests,
        /// The result is worse than the caller's limit.
        Slippage,
        /// Capital would fall below the minimum multiple of the required margin.
        LiquidityLimit,
        /// The book's net delta would exceed the pool's limit.
        NetDeltaLimit,
        /// The pool takes no new risk.
        PoolClosed,
        /// Not enough shares.
        InsufficientShares,
        /// The tranche's realised capital is below the payout (its NAV includes the book).
        TrancheCash,
        /// The tranche has shareholders and is worth nothing: a deposit would pay old losses.
        TrancheUnderwater,
        /// The book cannot be valued now (stale prices): NAV is unknown.
        BookUnpriceable,
        /// The pool's queue is full.
        QueueFull,
        /// No such queued request.
        UnknownRequest,
        /// Only the request's owner can cancel it.
        NotRequester,
        /// `fee_to_main + fee_to_insurance` is above 100%.
        FeeSharesAboveWhole,
        /// `min_liquidity_ratio` is below 1.
        LiquidityRatioBelowOne,
        /// `early_withdrawal_fee` is below `withdrawal_fee`.
        EarlyFeeBelowFee,
        /// The withdrawal fee is above the pallet's maximum (10%).
        WithdrawalFeeTooHigh,
        /// `insurance_share` is above the pallet's maximum (50%).
        InsuranceShareTooHigh,
        /// `min_flow` is zero.
        ZeroMinFlow,
        /// `depth_smoothing` is below the pallet's minimum (one hour).
        DepthSmoothingTooShort,
        /// No tokens beyond the ledger.
        NoSurplus,
        /// The caller has no claim on this pool, or no cash is set aside for claims yet.
        NothingToClaim,
        /// The pool owes no claims.
        NoDeficit,
        /// The tranche's share token is being walked by a dividend: retiring it (a wipe-out)
        /// must wait until the walk ends, so a deposit that would do it is refunded.
        ShareTokenBusy,
        /// The insurance tranche has no shares: swept into it, a surplus would belong to
        /// whoever deposits first (and be capital no share stands for until then).
        NoInsuranceShares,
    }

    impl<T> From<ParamsError> for Error<T> {
        fn from(e: ParamsError) -> Self {
            match e {
                ParamsError::FeeSharesAboveWhole => Error::FeeSharesAboveWhole,
                ParamsError::LiquidityRatioBelowOne => Error::LiquidityRatioBelowOne,
                ParamsError::EarlyFeeBelowFee => Error::EarlyFeeBelowFee,
                ParamsError::WithdrawalFeeTooHigh => Error::WithdrawalFeeTooHigh,
                ParamsError::InsuranceShareTooHigh => Error::InsuranceShareTooHigh,
                ParamsError::ZeroMinFlow => Error::ZeroMinFlow,
                ParamsError::DepthSmoothingTooShort => Error::DepthSmoothingTooShort,
            }
        }
    }

    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Pools: settlement asset, parameters, main seed and insurance seed as
        /// `(depositor, amount)`.
        #[allow(clippy::type_complexity)]
        pub pools: Vec<(
            AssetId,
            PoolParams,
            Vec<(T::AccountId, Balance)>,
            Vec<(T::AccountId, Balance)>,
        )>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for (asset, params, main, insurance) in &self.pools {
                let r = Pallet::<T>::do_create(*asset, *params);
                assert!(r.is_ok(), "genesis pool {asset}: {r:?}"); // proof: genesis only
                for (tranche, seeds) in [(Tranche::Main, main), (Tranche::Insurance, insurance)] {
                    for (who, amount) in seeds {
                        let r = Pallet::<T>::deposit_now(who, *asset, tranche, *amount, 0);
                        assert!(r.is_ok(), "genesis seed of {asset}: {r:?}"); // proof: genesis only
                    }
                }
            }
        }
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        /// Queued LP flows execute here, before any transaction of the block: no trade shares
        /// their block position.
        fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
            // A receivable left by an earlier block's end (its move failed) is tried again at
            // this block's end: charged here, since no trade of this block may open it.
            let left = Receivables::<T>::count();
            let retry = <T as Config>::WeightInfo::settle_receivable()
                .saturating_mul(left as u64)
                .saturating_add(T::DbWeight::get().reads(1));
            if QueuedPools::<T>::decode_len().unwrap_or(0) == 0 {
                return retry.saturating_add(T::DbWeight::get().reads(1));
            }
            let (processed, looked) = Self::process_counted(T::FlowsPerBlock::get());
            // A queued pool may be looked at without a flow executing (its head not due or its
            // market closed): its queue, the stock, its session and its price's freshness.
            let walk = T::DbWeight::get().reads(QUEUE_LOOK_READS.saturating_mul(looked.into()));
            retry
                .saturating_add(Self::process_weight(processed.max(1)))
                .saturating_add(walk)
        }

        /// The block's receivables move here, so every block ends with each pool account
        /// holding what its ledger counts. Paid for by the trade that opened each one.
        fn on_finalize(_n: BlockNumberFor<T>) {
            Self::settle_receivables();
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Creates the pool of `asset` with its two share tokens (admin).
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::create_pool())]
        pub fn create_pool(
            origin: OriginFor<T>,
            asset: AssetId,
            params: PoolParams,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_create(asset, params)
        }

        /// Sets a pool's parameters (admin).
        #[pallet::call_index(1)]
        #[pallet::weight(<T as Config>::WeightInfo::set_params())]
        pub fn set_params(
            origin: OriginFor<T>,
            asset: AssetId,
            params: PoolParams,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(Pools::<T>::contains_key(asset), Error::<T>::UnknownPool);
            params.validate().map_err(Error::<T>::from)?;
            Params::<T>::insert(asset, params);
            Self::deposit_event(Event::ParamsSet { asset, params });
            Ok(())
        }

        /// Opens or closes a pool to new risk (admin). Closing does not stop LP flows, funding
        /// or the settlement of open positions.
        #[pallet::call_index(2)]
        #[pallet::weight(<T as Config>::WeightInfo::set_open())]
        pub fn set_open(origin: OriginFor<T>, asset: AssetId, open: bool) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Pools::<T>::try_mutate(asset, |p| -> DispatchResult {
                p.as_mut().ok_or(Error::<T>::UnknownPool)?.open = open;
                Ok(())
            })?;
            Self::deposit_event(Event::PoolOpenSet { asset, open });
            Ok(())
        }

        /// Deposits `amount` of the settlement asset into `tranche` for at least `min_shares`
        /// shares. The funds are held by the pool and the deposit executes at the start of a
        /// later block (for a stock, once its market is open and its price fresh).
        #[pallet::call_index(3)]
        #[pallet::weight(<T as Config>::WeightInfo::deposit(LP_WEIGHT_BOUND).saturating_add(T::ActionTouchWeight::get()))]
        pub fn deposit(
            origin: OriginFor<T>,
            asset: AssetId,
            tranche: Tranche,
            amount: Balance,
            min_shares: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::request_deposit(who, asset, tranche, amount, min_shares)
        }

        /// Redeems `shares` of `tranche` for at least `min_amount` of the settlement asset
        /// (after the withdrawal fee). The shares are held by the pool and the withdrawal
        /// executes at the start of a later block (for a stock, once its market is open and its
        /// price fresh).
        #[pallet::call_index(4)]
        #[pallet::weight(<T as Config>::WeightInfo::withdraw(LP_WEIGHT_BOUND).saturating_add(T::ActionTouchWeight::get()))]
        pub fn withdraw(
            origin: OriginFor<T>,
            asset: AssetId,
            tranche: Tranche,
            shares: Balance,
            min_amount: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::request_withdraw(who, asset, tranche, shares, min_amount)
        }

        /// Cancels one's own queued request and takes back its funds or shares.
        #[pallet::call_index(5)]
        #[pallet::weight(<T as Config>::WeightInfo::cancel_request().saturating_add(<T as Config>::WeightInfo::settle_receivable()).saturating_add(T::ActionTouchWeight::get()))]
        pub fn cancel_request(
            origin: OriginFor<T>,
            asset: AssetId,
            request: RequestId,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_cancel(&who, asset, request)
        }

        /// Credits tokens sent to the pool account outside its ledger to the insurance tranche
        /// (admin).
        #[pallet::call_index(7)]
        #[pallet::weight(<T as Config>::WeightInfo::sweep_surplus())]
        pub fn sweep_surplus(origin: OriginFor<T>, asset: AssetId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_sweep(asset)
        }

        /// Pays the caller's claim on `asset`'s pool from the cash set aside for claims, as far
        /// as it goes.
        #[pallet::call_index(8)]
        #[pallet::weight(<T as Config>::WeightInfo::cancel_request().saturating_add(<T as Config>::WeightInfo::settle_receivable()).saturating_add(T::ActionTouchWeight::get()))]
        pub fn claim(origin: OriginFor<T>, asset: AssetId) -> DispatchResult {
            let who = ensure_signed(origin)?;
            Self::do_claim(&who, asset)
        }

        /// Pays up to `amount` from the protocol account toward `asset`'s pool's claims
        /// (admin).
        #[pallet::call_index(9)]
        #[pallet::weight(<T as Config>::WeightInfo::sweep_surplus().saturating_add(<T as Config>::WeightInfo::settle_receivable()).saturating_add(T::ActionTouchWeight::get()))]
        pub fn settle_deficit(
            origin: OriginFor<T>,
            asset: AssetId,
            amount: Balance,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Self::do_settle_deficit(asset, amount)
        }
    }

    impl<T: Config> Pallet<T> {
        /// The account holding a pool's assets.
        pub fn account(asset: AssetId) -> T::AccountId {
            T::PalletId::get().into_sub_account_truncating(asset)
        }

        /// The pallet's own account (owner of the share tokens).
        pub fn owner() -> T::AccountId {
            T::PalletId::get().into_account_truncating()
        }

        pub(crate) fn do_create(asset: AssetId, params: PoolParams) -> DispatchResult {
            ensure!(!Pools::<T>::contains_key(asset), Error::<T>::PoolExists);
            ensure!(
                pallet_assets::Pallet::<T>::asset_exists(asset),
                Error::<T>::UnknownAsset
            );
            let count = PoolCount::<T>::get();
            ensure!(count < T::MaxPools::get(), Error::<T>::TooManyPools);
            params.validate().map_err(Error::<T>::from)?;
            let main_share = Self::new_share(asset, Tranche::Main, false)?;
            let insurance_share = Self::new_share(asset, Tranche::Insurance, false)?;
            Pools::<T>::insert(
                asset,
                PoolInfo {
                    main_share,
                    insurance_share,
                    main: 0,
                    insurance: 0,
                    required_margin: 0,
                    queued_deposits: 0,
                    open: true,
                    depth: 0,
                    depth_at: 0,
                },
            );
            Params::<T>::insert(asset, params);
            PoolCount::<T>::put(count.saturating_add(1));
            Self::deposit_event(Event::PoolCreated {
                asset,
                main_share,
                insurance_share,
            });
            Ok(())
        }

        /// Creates a share token for `tranche` of `asset`'s pool: sufficient (an LP needs no
        /// PRP to hold it), with metadata derived from the settlement asset's.
        pub(crate) fn new_share(
            asset: AssetId,
            tranche: Tranche,
            reissue: bool,
        ) -> Result<AssetId, DispatchError> {
            let mut id = NextShareAssetId::<T>::get().unwrap_or_else(T::FirstShareAssetId::get);
            while pallet_assets::Pallet::<T>::asset_exists(id) {
                id = id.checked_add(1).ok_or(ArithmeticError::Overflow)?;
            }
            <pallet_assets::Pallet<T> as fungibles::Create<_>>::create(id, Self::owner(), true, 1)?;
            let meta = pallet_assets::Metadata::<T>::get(asset);
            let (prefix, word) = match tranche {
                Tranche::Main => (b'p', &b" main pool share"[..]),
                Tranche::Insurance => (b'i', &b" insurance pool share"[..]),
            };
            let mut symbol = alloc::vec![prefix];
            symbol.extend_from_slice(&meta.symbol);
            let mut name = meta.symbol.to_vec();
            name.extend_from_slice(word);
            if reissue {
                name.extend_from_slice(b" (reissued)");
            }
            // pallet-assets' `ForceOrigin` must accept this pallet's account (the runtime
            // opens it to nobody else).
            pallet_assets::Pallet::<T>::force_set_metadata(
                frame_system::RawOrigin::Signed(Self::owner()).into(),
                id.into(),
                name,
                symbol,
                meta.decimals,
                false,
            )?;
            NextShareAssetId::<T>::put(id.saturating_add(1));
            Ok(id)
        }

        /// Whether queued LP flows of `asset`'s pool may execute now: always for a 24/7 asset;
        /// for a stock, only while its market is open and its price fresh.
        pub fn flows_allowed(asset: AssetId) -> bool {
            if !T::Stocks::is_stock(asset) {
                return true;
            }
            let now = T::Time::now();
            matches!(T::Clock::session(asset, now), Some(Session::Open { .. }))
                && T::Prices::is_fresh(OracleKey::Asset(asset))
        }

        pub(crate) fn supply(share: AssetId) -> Balance {
            pallet_assets::Pallet::<T>::total_supply(share)
        }

        /// The pool API's view of `asset`'s pool.
        pub fn state(asset: AssetId) -> Option<perpetua_primitives::runtime_api::PoolStateInfo> {
            let info = Pools::<T>::get(asset)?;
            let navs = Self::navs(asset).ok();
            let capital = info.capital();
            let utilisation_ppb = if capital == 0 {
                0
            } else {
                nav::mul_div_down(info.required_margin.min(capital), 1_000_000_000, capital)
                    .unwrap_or(0) as u32
            };
            let deficit = Deficits::<T>::get(asset).unwrap_or_default();
            Some(perpetua_primitives::runtime_api::PoolStateInfo {
                main_share: info.main_share,
                insurance_share: info.insurance_share,
                main: info.main,
                insurance: info.insurance,
                main_nav: navs.map(|n| n.0),
                insurance_nav: navs.map(|n| n.1),
                main_supply: Self::supply(info.main_share),
                insurance_supply: Self::supply(info.insurance_share),
                required_margin: info.required_margin,
                utilisation_ppb,
                queued_deposits: info.queued_deposits,
                flows_open: Self::flows_allowed(asset),
                claims_owed: deficit.owed,
                claims_reserve: deficit.reserve,
                open: info.open,
            })
        }

        /// Tokens the ledger says the pool account holds now: both tranches, queued deposits
        /// and the cash set aside for claims, less the receivable the pot still owes it.
        pub fn recorded(asset: AssetId, info: &PoolInfo) -> Balance {
            info.main
                .saturating_add(info.insurance)
                .saturating_add(info.queued_deposits)
                .saturating_add(Deficits::<T>::get(asset).map_or(0, |d| d.reserve))
                .saturating_sub(Self::receivable_to_pool(asset))
        }

        /// Invariants: every pool account holds at least its recorded capital, queued deposits
        /// and claims cash (exactly, unless someone sent it tokens outside the ledger; not
        /// checked while a corporate action rescales the asset); a tranche without shares has
        /// no capital; queued deposits and per-account request counts equal the queue's; claims
        /// sum to the deficit's `owed`, whose cash is at most what is owed; every queued
        /// request belongs to an indexed pool.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let mut count = 0;
            for (asset, info) in Pools::<T>::iter() {
                count += 1;
                if !T::Stocks::corporate_action_in_progress(asset) {
                    let held = pallet_assets::Pallet::<T>::balance(asset, Self::account(asset));
                    frame_support::ensure!(
                        held >= Self::recorded(asset, &info),
                        "pool account holds less than its ledger"
                    );
                }
                for tranche in [Tranche::Main, Tranche::Insurance] {
                    let (capital, share) = info.tranche(tranche);
                    frame_support::ensure!(
                        Self::supply(share) > 0 || capital == 0,
                        "capital in a tranche without shares"
                    );
                }
                let queue = Queue::<T>::get(asset);
                let queued: Balance = queue
                    .iter()
                    .map(|r| match r.kind {
                        RequestKind::Deposit { amount, .. } => amount,
                        _ => 0,
                    })
                    .sum();
                frame_support::ensure!(queued == info.queued_deposits, "queued deposits mismatch");
                let mut per_account: Vec<(T::AccountId, u32)> = Vec::new();
                for r in queue.iter() {
                    match per_account.iter_mut().find(|(w, _)| *w == r.who) {
                        Some((_, n)) => *n += 1,
                        None => per_account.push((r.who.clone(), 1)),
                    }
                }
                let pending: Vec<(T::AccountId, u32)> =
                    PendingRequests::<T>::iter_prefix(asset).collect();
                frame_support::ensure!(
                    pending.len() == per_account.len()
                        && per_account
                            .iter()
                            .all(|(w, n)| PendingRequests::<T>::get(asset, w) == *n),
                    "pending request counts mismatch"
                );
                let deficit = Deficits::<T>::get(asset).unwrap_or_default();
                let (mut claims, mut unscaled): (Balance, Balance) = (0, 0);
                for (who, c) in Claims::<T>::iter_prefix(asset) {
                    let epoch = ClaimEpochs::<T>::get(asset, &who);
                    frame_support::ensure!(epoch <= deficit.epoch, "claim ahead of the ledger");
                    if epoch < deficit.epoch {
                        frame_support::ensure!(deficit.split.is_some(), "claim left behind");
                        unscaled = unscaled.saturating_add(c);
                    } else {
                        claims = claims.saturating_add(c);
                    }
                }
                frame_support::ensure!(claims == deficit.owed, "claims do not sum to the deficit");
                frame_support::ensure!(
                    deficit.split.as_ref().map_or(0, |s| s.unscaled) == unscaled,
                    "unscaled claims mismatch"
                );
                frame_support::ensure!(
                    deficit.reserve <= deficit.total_owed(),
                    "claims cash above claims"
                );
                frame_support::ensure!(
                    Deficits::<T>::contains_key(asset) != deficit.is_empty(),
                    "empty deficit stored"
                );
            }
            frame_support::ensure!(count == PoolCount::<T>::get(), "pool count mismatch");
            for (asset, q) in Queue::<T>::iter() {
                frame_support::ensure!(
                    q.is_empty() || QueuedPools::<T>::get().contains(&asset),
                    "queue not indexed"
                );
            }
            Ok(())
        }
    }
}
