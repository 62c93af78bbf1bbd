//! # pallet-pool
//!
//! One liquidity pool per settlement asset (a stock token such as TSLA): the counterparty to
//! every option settled in that asset. LPs deposit the asset and receive share tokens
//! (pallet-assets assets, so wallets show them) of one of two tranches:
//!
//! - **main** (senior): the option seller's capital;
//! - **insurance** (junior): takes the pool's losses first, earns a larger share of fees and all
//!   liquidation penalties.
//!
//! Share price = tranche NAV / share supply, where NAV includes the book's unrealised PnL at
//! mark (from [`PoolBook`]). While a settlement stock's market is closed (or its price is not
//! fresh), deposits and withdrawals are queued to the next open, when a fresh price values them.
//! The options and liquidation pallets use the pool through [`PoolLedger`].
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
pub use weights::WeightInfo;

use frame_support::{
    ensure,
    pallet_prelude::DispatchResult,
    traits::{
        fungibles::{self, Inspect as _},
        tokens::{Fortitude, Precision, Preservation},
        Get, Time,
    },
};
use perpetua_primitives::{
    AssetId, Balance, CorporateActionHandler, Inflow, MarketClock, Moment, OracleKey, PoolBook,
    PoolLedger, PriceProvider, Session, StockRegistry, Tranche,
};
use sp_runtime::{
    helpers_128bit::multiply_by_rational_with_rounding, traits::AccountIdConversion, DispatchError,
    FixedPointNumber, Rounding,
};

/// Deposit and withdrawal weights are evaluated at this many LPs, the top of their benchmark
/// range (their cost does not grow with the number of LPs: the benchmark shows a flat slope).
pub const LP_WEIGHT_BOUND: u32 = 1000;

/// `a * b / c` rounded as asked; `None` on overflow or `c == 0`.
fn mul_div(a: Balance, b: Balance, c: Balance, r: Rounding) -> Option<Balance> {
    if c == 0 {
        return None;
    }
    multiply_by_rational_with_rounding(a, b, c, r)
}

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use frame_support::{pallet_prelude::*, PalletId};
    use frame_system::pallet_prelude::*;

    #[pallet::pallet]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config:
        frame_system::Config + pallet_assets::Config<AssetId = AssetId, Balance = Balance>
    {
        /// The overarching event type.
        #[allow(deprecated)]
        type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
        /// Creates pools, sets parameters, opens and closes pools, sweeps surplus.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// The options book's unrealised PnL, for NAV.
        type Book: PoolBook;
        /// Market sessions, to queue flows of stock-settled pools while closed.
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
        /// Receives the protocol's share of fees.
        type ProtocolAccount: Get<Self::AccountId>;
        /// Most pools.
        #[pallet::constant]
        type MaxPools: Get<u32>;
        /// Most queued requests per pool.
        #[pallet::constant]
        type MaxQueue: Get<u32>;
        /// Most queued requests executed per block, across pools.
        #[pallet::constant]
        type FlowsPerBlock: Get<u32>;
        /// The first asset id given to share tokens.
        #[pallet::constant]
        type FirstShareAssetId: Get<AssetId>;
        /// Weights.
        type WeightInfo: WeightInfo;
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

    /// Requests waiting for the market to open, first in first out.
    #[pallet::storage]
    pub type Queue<T: Config> = StorageMap<
        _,
        Blake2_128Concat,
        AssetId,
        BoundedVec<Request<T::AccountId>, T::MaxQueue>,
        ValueQuery,
    >;

    /// Pools with queued requests.
    #[pallet::storage]
    pub type QueuedPools<T: Config> = StorageValue<_, BoundedVec<AssetId, T::MaxPools>, ValueQuery>;

    /// Id of the next request.
    #[pallet::storage]
    pub type NextRequestId<T: Config> = StorageValue<_, u32, ValueQuery>;

    /// When each account last deposited into each tranche of each pool (ms).
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
        /// A flow waits for the market to open (its funds or shares are held by the pool).
        Queued {
            asset: AssetId,
            request: u32,
            who: T::AccountId,
            tranche: Tranche,
            kind: RequestKind,
        },
        /// A queued flow could not execute and was refunded.
        RequestRefunded {
            asset: AssetId,
            request: u32,
            who: T::AccountId,
            reason: FlowRefusal,
        },
        /// A queued flow was cancelled by its owner and refunded.
        RequestCancelled { asset: AssetId, request: u32 },
        /// The pool received money from the options pallet.
        Received {
            asset: AssetId,
            kind: Inflow,
            amount: Balance,
            to_main: Balance,
            to_insurance: Balance,
            to_protocol: Balance,
        },
        /// The pool paid a trader (insurance first, then main); `shortfall` could not be paid.
        Paid {
            asset: AssetId,
            to: T::AccountId,
            from_insurance: Balance,
            from_main: Balance,
            shortfall: Balance,
        },
        /// A bad debt was absorbed: insurance made main whole for `covered`; `beyond_capital`
        /// exceeded both tranches.
        LossAbsorbed {
            asset: AssetId,
            amount: Balance,
            covered: Balance,
            beyond_capital: Balance,
        },
        /// A tranche lost all its capital: its share token is frozen for good and a new one
        /// takes its place.
        TrancheWipedOut {
            asset: AssetId,
            tranche: Tranche,
            old_share: AssetId,
            new_share: AssetId,
        },
        /// The options pallet set the margin the pool must hold.
        RequiredMarginSet { asset: AssetId, amount: Balance },
        /// Tokens sent to the pool account outside its ledger were credited to insurance.
        SurplusSwept { asset: AssetId, amount: Balance },
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
        /// The tranche's realised capital is below the payout (its NAV includes unrealised PnL).
        TrancheCash,
        /// The book cannot be valued now (stale prices): NAV is unknown.
        BookUnpriceable,
        /// The pool's queue is full.
        QueueFull,
        /// No such queued request.
        UnknownRequest,
        /// Only the request's owner can cancel it.
        NotRequester,
        /// Parameters out of range.
        InvalidParams,
        /// No tokens beyond the ledger.
        NoSurplus,
        /// Arithmetic overflow.
        Overflow,
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
                        let r =
                            Pallet::<T>::execute_deposit(who, *asset, tranche, *amount, 0, false);
                        assert!(r.is_ok(), "genesis seed of {asset}: {r:?}"); // proof: genesis only
                    }
                }
            }
        }
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
            if QueuedPools::<T>::decode_len().unwrap_or(0) == 0 {
                return T::DbWeight::get().reads(1);
            }
            let processed = Self::process(T::FlowsPerBlock::get());
            <T as Config>::WeightInfo::process_queue(processed)
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
            Self::validate(&params)?;
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

        /// Deposits `amount` of the settlement asset into `tranche` for shares (at least
        /// `min_shares`). Queued until the open while the settlement stock's market is closed.
        #[pallet::call_index(3)]
        #[pallet::weight(<T as Config>::WeightInfo::deposit(LP_WEIGHT_BOUND))]
        pub fn deposit(
            origin: OriginFor<T>,
            asset: AssetId,
            tranche: Tranche,
            amount: Balance,
            min_shares: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            ensure!(Pools::<T>::contains_key(asset), Error::<T>::UnknownPool);
            ensure!(amount > 0, Error::<T>::ZeroAmount);
            if Self::flows_allowed(asset) {
                return Self::execute_deposit(&who, asset, tranche, amount, min_shares, false)
                    .map(|_| ());
            }
            Self::transfer(asset, &who, &Self::account(asset), amount)?;
            Pools::<T>::try_mutate(asset, |p| -> DispatchResult {
                let p = p.as_mut().ok_or(Error::<T>::UnknownPool)?;
                p.queued_deposits = p
                    .queued_deposits
                    .checked_add(amount)
                    .ok_or(Error::<T>::Overflow)?;
                Ok(())
            })?;
            Self::enqueue(
                asset,
                who,
                tranche,
                RequestKind::Deposit { amount, min_shares },
            )
        }

        /// Redeems `shares` of `tranche` for the settlement asset (at least `min_amount`, after
        /// the withdrawal fee). Queued until the open while the settlement stock's market is
        /// closed.
        #[pallet::call_index(4)]
        #[pallet::weight(<T as Config>::WeightInfo::withdraw(LP_WEIGHT_BOUND))]
        pub fn withdraw(
            origin: OriginFor<T>,
            asset: AssetId,
            tranche: Tranche,
            shares: Balance,
            min_amount: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
            ensure!(shares > 0, Error::<T>::ZeroAmount);
            let share = info.tranche(tranche).1;
            ensure!(
                pallet_assets::Pallet::<T>::balance(share, &who) >= shares,
                Error::<T>::InsufficientShares
            );
            if Self::flows_allowed(asset) {
                return Self::execute_withdraw(&who, asset, tranche, shares, min_amount, false)
                    .map(|_| ());
            }
            Self::transfer(share, &who, &Self::account(asset), shares)?;
            Self::enqueue(
                asset,
                who,
                tranche,
                RequestKind::Withdraw { shares, min_amount },
            )
        }

        /// Cancels one's own queued request and takes back its funds or shares.
        #[pallet::call_index(5)]
        #[pallet::weight(<T as Config>::WeightInfo::cancel_request())]
        pub fn cancel_request(
            origin: OriginFor<T>,
            asset: AssetId,
            request: u32,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let req = Queue::<T>::try_mutate(
                asset,
                |q| -> Result<Request<T::AccountId>, DispatchError> {
                    let i = q
                        .iter()
                        .position(|r| r.id == request)
                        .ok_or(Error::<T>::UnknownRequest)?;
                    ensure!(q[i].who == who, Error::<T>::NotRequester);
                    Ok(q.remove(i))
                },
            )?;
            Self::refund(asset, &req)?;
            Self::clean_queue_index(asset);
            Self::deposit_event(Event::RequestCancelled { asset, request });
            Ok(())
        }

        /// Executes up to `max` queued requests now, if the markets allow (anyone; the block
        /// hook does the same every block).
        #[allow(clippy::useless_conversion)]
        #[pallet::call_index(6)]
        #[pallet::weight(<T as Config>::WeightInfo::process_queue(*max))]
        pub fn process_queue(origin: OriginFor<T>, max: u32) -> DispatchResultWithPostInfo {
            ensure_signed(origin)?;
            let processed = Self::process(max.min(T::FlowsPerBlock::get()));
            Ok(Some(<T as Config>::WeightInfo::process_queue(processed)).into())
        }

        /// Credits tokens sent to the pool account outside its ledger to the insurance tranche
        /// (admin).
        #[pallet::call_index(7)]
        #[pallet::weight(<T as Config>::WeightInfo::sweep_surplus())]
        pub fn sweep_surplus(origin: OriginFor<T>, asset: AssetId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let mut info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
            let held = pallet_assets::Pallet::<T>::balance(asset, Self::account(asset));
            let surplus = held.saturating_sub(Self::recorded(&info));
            ensure!(surplus > 0, Error::<T>::NoSurplus);
            let tranche = Self::receiving_tranche(&info, Tranche::Insurance);
            *info.capital_mut(tranche) = info.capital_mut(tranche).saturating_add(surplus);
            Pools::<T>::insert(asset, info);
            Self::deposit_event(Event::SurplusSwept {
                asset,
                amount: surplus,
            });
            Ok(())
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

        fn validate(p: &PoolParams) -> DispatchResult {
            let fees = p.fee_to_main.deconstruct() as u64 + p.fee_to_insurance.deconstruct() as u64;
            ensure!(
                fees <= 1_000_000_000
                    && p.min_liquidity_ratio >= sp_runtime::FixedU128::one()
                    && p.early_withdrawal_fee >= p.withdrawal_fee
                    && p.early_withdrawal_fee <= sp_runtime::Perbill::from_percent(10),
                Error::<T>::InvalidParams
            );
            Ok(())
        }

        pub(crate) fn do_create(asset: AssetId, params: PoolParams) -> DispatchResult {
            ensure!(!Pools::<T>::contains_key(asset), Error::<T>::PoolExists);
            ensure!(
                pallet_assets::Pallet::<T>::asset_exists(asset),
                Error::<T>::UnknownAsset
            );
            let count = PoolCount::<T>::get();
            ensure!(count < T::MaxPools::get(), Error::<T>::TooManyPools);
            Self::validate(&params)?;
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
        fn new_share(
            asset: AssetId,
            tranche: Tranche,
            reissue: bool,
        ) -> Result<AssetId, DispatchError> {
            let mut id = NextShareAssetId::<T>::get().unwrap_or_else(T::FirstShareAssetId::get);
            while pallet_assets::Pallet::<T>::asset_exists(id) {
                id = id.checked_add(1).ok_or(Error::<T>::Overflow)?;
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
            pallet_assets::Pallet::<T>::force_set_metadata(
                frame_system::RawOrigin::Root.into(),
                id.into(),
                name,
                symbol,
                meta.decimals,
                false,
            )?;
            NextShareAssetId::<T>::put(id.saturating_add(1));
            Ok(id)
        }

        /// Whether LP flows of `asset`'s pool execute now: always for a 24/7 asset; for a stock,
        /// only while its market is open and its price fresh.
        pub fn flows_allowed(asset: AssetId) -> bool {
            if !T::Stocks::is_stock(asset) {
                return true;
            }
            let now = T::Time::now();
            matches!(T::Clock::session(asset, now), Some(Session::Open { .. }))
                && T::Prices::is_fresh(OracleKey::Asset(asset))
        }

        /// NAV of both tranches with the book at mark: gains split as `gains_to_insurance`,
        /// losses hit insurance first.
        pub fn navs(asset: AssetId) -> Result<(Balance, Balance), DispatchError> {
            let info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
            let params = Params::<T>::get(asset).unwrap_or_default();
            let u = T::Book::unrealised_pnl(asset).map_err(|_| Error::<T>::BookUnpriceable)?;
            Ok(split_nav(&info, &params, u))
        }

        pub(crate) fn supply(share: AssetId) -> Balance {
            pallet_assets::Pallet::<T>::total_supply(share)
        }

        pub(crate) fn transfer(
            asset: AssetId,
            from: &T::AccountId,
            to: &T::AccountId,
            amount: Balance,
        ) -> DispatchResult {
            <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::transfer(
                asset,
                from,
                to,
                amount,
                Preservation::Expendable,
            )
            .map(|_| ())
        }

        /// Deposit now; the funds are in the pool account already if `escrowed`.
        pub(crate) fn execute_deposit(
            who: &T::AccountId,
            asset: AssetId,
            tranche: Tranche,
            amount: Balance,
            min_shares: Balance,
            escrowed: bool,
        ) -> Result<Balance, DispatchError> {
            let (main_nav, ins_nav) = Self::navs(asset)?;
            let mut info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
            let nav = if tranche == Tranche::Main {
                main_nav
            } else {
                ins_nav
            };
            let share = info.tranche(tranche).1;
            let supply = Self::supply(share);
            let shares = if supply == 0 || nav == 0 {
                amount
            } else {
                mul_div(amount, supply, nav, Rounding::Down).ok_or(Error::<T>::Overflow)?
            };
            ensure!(shares > 0, Error::<T>::ZeroAmount);
            ensure!(shares >= min_shares, Error::<T>::Slippage);
            if escrowed {
                info.queued_deposits = info.queued_deposits.saturating_sub(amount);
            } else {
                Self::transfer(asset, who, &Self::account(asset), amount)?;
            }
            *info.capital_mut(tranche) = info
                .capital_mut(tranche)
                .checked_add(amount)
                .ok_or(Error::<T>::Overflow)?;
            <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::mint_into(share, who, shares)?;
            Pools::<T>::insert(asset, info);
            LastDeposit::<T>::insert((asset, tranche, who.clone()), T::Time::now());
            Self::deposit_event(Event::Deposited {
                asset,
                tranche,
                who: who.clone(),
                amount,
                shares,
            });
            Ok(shares)
        }

        /// Withdraw now; the shares are in the pool account already if `escrowed`.
        pub(crate) fn execute_withdraw(
            who: &T::AccountId,
            asset: AssetId,
            tranche: Tranche,
            shares: Balance,
            min_amount: Balance,
            escrowed: bool,
        ) -> Result<Balance, DispatchError> {
            let (main_nav, ins_nav) = Self::navs(asset)?;
            let mut info = Pools::<T>::get(asset).ok_or(Error::<T>::UnknownPool)?;
            let params = Params::<T>::get(asset).unwrap_or_default();
            let nav = if tranche == Tranche::Main {
                main_nav
            } else {
                ins_nav
            };
            let (capital, share) = info.tranche(tranche);
            let supply = Self::supply(share);
            ensure!(supply >= shares, Error::<T>::InsufficientShares);
            let gross = mul_div(shares, nav, supply, Rounding::Down).ok_or(Error::<T>::Overflow)?;
            let early = LastDeposit::<T>::get((asset, tranche, who.clone()))
                .is_some_and(|t| T::Time::now().saturating_sub(t) < params.cooldown);
            let rate = if early {
                params.early_withdrawal_fee
            } else {
                params.withdrawal_fee
            };
            let fee = rate.mul_ceil(gross);
            let net = gross.saturating_sub(fee);
            ensure!(net > 0, Error::<T>::ZeroAmount);
            ensure!(net >= min_amount, Error::<T>::Slippage);
            ensure!(net <= capital, Error::<T>::TrancheCash);
            let remaining = info.capital().saturating_sub(net);
            ensure!(
                remaining
                    >= params
                        .min_liquidity_ratio
                        .saturating_mul_int(info.required_margin),
                Error::<T>::LiquidityLimit
            );
            let holder = if escrowed {
                Self::account(asset)
            } else {
                who.clone()
            };
            <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::burn_from(
                share,
                &holder,
                shares,
                Preservation::Expendable,
                Precision::Exact,
                Fortitude::Force,
            )?;
            Self::transfer(asset, &Self::account(asset), who, net)?;
            *info.capital_mut(tranche) = capital.saturating_sub(net);
            Pools::<T>::insert(asset, info);
            Self::deposit_event(Event::Withdrawn {
                asset,
                tranche,
                who: who.clone(),
                shares,
                amount: net,
                fee,
            });
            Ok(net)
        }

        pub(crate) fn enqueue(
            asset: AssetId,
            who: T::AccountId,
            tranche: Tranche,
            kind: RequestKind,
        ) -> DispatchResult {
            let id = NextRequestId::<T>::mutate(|n| {
                let id = *n;
                *n = n.wrapping_add(1);
                id
            });
            let req = Request {
                id,
                who: who.clone(),
                tranche,
                kind,
                at: T::Time::now(),
            };
            Queue::<T>::try_mutate(asset, |q| q.try_push(req))
                .map_err(|_| Error::<T>::QueueFull)?;
            QueuedPools::<T>::try_mutate(|p| -> DispatchResult {
                if !p.contains(&asset) {
                    p.try_push(asset).map_err(|_| Error::<T>::TooManyPools)?;
                }
                Ok(())
            })?;
            Self::deposit_event(Event::Queued {
                asset,
                request: id,
                who,
                tranche,
                kind,
            });
            Ok(())
        }

        fn refund(asset: AssetId, req: &Request<T::AccountId>) -> DispatchResult {
            let pool = Self::account(asset);
            match req.kind {
                RequestKind::Deposit { amount, .. } => {
                    Self::transfer(asset, &pool, &req.who, amount)?;
                    Pools::<T>::mutate(asset, |p| {
                        if let Some(p) = p {
                            p.queued_deposits = p.queued_deposits.saturating_sub(amount);
                        }
                    });
                }
                RequestKind::Withdraw { shares, .. } => {
                    let share = Pools::<T>::get(asset)
                        .ok_or(Error::<T>::UnknownPool)?
                        .tranche(req.tranche)
                        .1;
                    // A wiped-out tranche's old shares are frozen and worthless: nothing to return.
                    let _ = Self::transfer(share, &pool, &req.who, shares);
                }
            }
            Ok(())
        }

        fn clean_queue_index(asset: AssetId) {
            if Queue::<T>::decode_len(asset).unwrap_or(0) == 0 {
                Queue::<T>::remove(asset);
                QueuedPools::<T>::mutate(|p| p.retain(|a| *a != asset));
            }
        }

        /// Executes up to `budget` queued requests, oldest pool first. Returns how many.
        pub fn process(budget: u32) -> u32 {
            let mut done = 0u32;
            for asset in QueuedPools::<T>::get() {
                while done < budget && Self::flows_allowed(asset) {
                    let Some(req) =
                        Queue::<T>::mutate(asset, |q| (!q.is_empty()).then(|| q.remove(0)))
                    else {
                        break;
                    };
                    done += 1;
                    let result = match req.kind {
                        RequestKind::Deposit { amount, min_shares } => Self::execute_deposit(
                            &req.who,
                            asset,
                            req.tranche,
                            amount,
                            min_shares,
                            true,
                        ),
                        RequestKind::Withdraw { shares, min_amount } => Self::execute_withdraw(
                            &req.who,
                            asset,
                            req.tranche,
                            shares,
                            min_amount,
                            true,
                        ),
                    };
                    if let Err(e) = result {
                        let reason = refusal::<T>(e);
                        let _ = Self::refund(asset, &req);
                        Self::deposit_event(Event::RequestRefunded {
                            asset,
                            request: req.id,
                            who: req.who,
                            reason,
                        });
                    }
                }
                Self::clean_queue_index(asset);
                if done >= budget {
                    break;
                }
            }
            done
        }

        /// The pool API's view of `asset`'s pool.
        pub fn state(asset: AssetId) -> Option<perpetua_primitives::runtime_api::PoolStateInfo> {
            let info = Pools::<T>::get(asset)?;
            let navs = Self::navs(asset).ok();
            let capital = info.capital();
            let utilisation_ppb = if capital == 0 {
                0
            } else {
                mul_div(
                    info.required_margin.min(capital),
                    1_000_000_000,
                    capital,
                    Rounding::Up,
                )
                .unwrap_or(0) as u32
            };
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
                open: info.open,
            })
        }

        /// Tokens the ledger says the pool account holds.
        pub fn recorded(info: &PoolInfo) -> Balance {
            info.main
                .saturating_add(info.insurance)
                .saturating_add(info.queued_deposits)
        }

        /// The tranche that receives `preferred`'s inflow: the other one while `preferred` has
        /// no shareholders (so that a tranche holds capital if and only if it has shares).
        pub(crate) fn receiving_tranche(info: &PoolInfo, preferred: Tranche) -> Tranche {
            let other = match preferred {
                Tranche::Main => Tranche::Insurance,
                Tranche::Insurance => Tranche::Main,
            };
            if Self::supply(info.tranche(preferred).1) == 0
                && Self::supply(info.tranche(other).1) > 0
            {
                other
            } else {
                preferred
            }
        }

        /// Replaces the share token of a tranche whose capital is gone: the old one is frozen.
        pub(crate) fn wipe_out_if_empty(asset: AssetId, info: &mut PoolInfo, tranche: Tranche) {
            let (capital, old) = info.tranche(tranche);
            if capital > 0 || Self::supply(old) == 0 {
                return;
            }
            let Ok(new) = Self::new_share(asset, tranche, true) else {
                return;
            };
            pallet_assets::Asset::<T>::mutate(old, |d| {
                if let Some(d) = d {
                    d.status = pallet_assets::AssetStatus::Frozen;
                }
            });
            match tranche {
                Tranche::Main => info.main_share = new,
                Tranche::Insurance => info.insurance_share = new,
            }
            Self::deposit_event(Event::TrancheWipedOut {
                asset,
                tranche,
                old_share: old,
                new_share: new,
            });
        }

        /// Invariants: every pool account holds at least its recorded capital plus queued
        /// deposits (exactly, unless someone sent it tokens outside the ledger; not checked
        /// while a corporate action rescales the asset); a tranche's share supply is zero if and
        /// only if its capital is zero; every queued request belongs to an indexed pool.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let mut count = 0;
            for (asset, info) in Pools::<T>::iter() {
                count += 1;
                if !T::Stocks::corporate_action_in_progress(asset) {
                    let held = pallet_assets::Pallet::<T>::balance(asset, Self::account(asset));
                    frame_support::ensure!(
                        held >= Self::recorded(&info),
                        "pool account holds less than its ledger"
                    );
                }
                for tranche in [Tranche::Main, Tranche::Insurance] {
                    let (capital, share) = info.tranche(tranche);
                    frame_support::ensure!(
                        (Self::supply(share) == 0) == (capital == 0),
                        "share supply zero iff tranche empty"
                    );
                }
                let queued: Balance = Queue::<T>::get(asset)
                    .iter()
                    .map(|r| match r.kind {
                        RequestKind::Deposit { amount, .. } => amount,
                        _ => 0,
                    })
                    .sum();
                frame_support::ensure!(queued == info.queued_deposits, "queued deposits mismatch");
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

/// NAV of (main, insurance): a positive book value is split like gains; a negative one hits
/// insurance first; neither goes below zero.
pub fn split_nav(info: &PoolInfo, params: &PoolParams, unrealised: i128) -> (Balance, Balance) {
    if unrealised >= 0 {
        let u = unrealised as u128;
        let to_ins = params.gains_to_insurance.mul_floor(u);
        (
            info.main.saturating_add(u - to_ins),
            info.insurance.saturating_add(to_ins),
        )
    } else {
        let loss = unrealised.unsigned_abs();
        let from_ins = loss.min(info.insurance);
        (
            info.main.saturating_sub(loss - from_ins),
            info.insurance - from_ins,
        )
    }
}

fn refusal<T: Config>(e: DispatchError) -> FlowRefusal {
    let is = |err: Error<T>| e == err.into();
    if is(Error::<T>::Slippage) {
        FlowRefusal::Slippage
    } else if is(Error::<T>::LiquidityLimit) {
        FlowRefusal::LiquidityLimit
    } else if is(Error::<T>::TrancheCash) {
        FlowRefusal::TrancheCash
    } else {
        FlowRefusal::Other
    }
}

impl<T: Config> PoolLedger<T::AccountId> for Pallet<T> {
    fn is_open(settlement: AssetId) -> bool {
        Pools::<T>::get(settlement).is_some_and(|p| p.open)
    }

    fn capital(settlement: AssetId) -> Balance {
        Pools::<T>::get(settlement).map_or(0, |p| p.capital())
    }

    fn set_required_margin(settlement: AssetId, amount: Balance, growing: bool) -> DispatchResult {
        let mut info = Pools::<T>::get(settlement).ok_or(Error::<T>::UnknownPool)?;
        if growing {
            ensure!(info.open, Error::<T>::PoolClosed);
            let params = Params::<T>::get(settlement).unwrap_or_default();
            ensure!(
                info.capital() >= params.min_liquidity_ratio.saturating_mul_int(amount),
                Error::<T>::LiquidityLimit
            );
        }
        info.required_margin = amount;
        Pools::<T>::insert(settlement, info);
        Self::deposit_event(Event::RequiredMarginSet {
            asset: settlement,
            amount,
        });
        Ok(())
    }

    fn check_net_delta(settlement: AssetId, net_delta_value: Balance) -> DispatchResult {
        let info = Pools::<T>::get(settlement).ok_or(Error::<T>::UnknownPool)?;
        let params = Params::<T>::get(settlement).unwrap_or_default();
        ensure!(
            net_delta_value <= params.max_net_delta.mul_floor(info.capital()),
            Error::<T>::NetDeltaLimit
        );
        Ok(())
    }

    fn receive(
        settlement: AssetId,
        from: &T::AccountId,
        amount: Balance,
        kind: Inflow,
    ) -> DispatchResult {
        if amount == 0 {
            return Ok(());
        }
        let mut info = Pools::<T>::get(settlement).ok_or(Error::<T>::UnknownPool)?;
        let params = Params::<T>::get(settlement).unwrap_or_default();
        let no_lps = Self::supply(info.main_share) == 0 && Self::supply(info.insurance_share) == 0;
        let (to_main, to_ins, to_protocol) = match kind {
            // A pool without LPs has no one to credit.
            _ if no_lps => (0, 0, amount),
            Inflow::Fee => {
                let m = params.fee_to_main.mul_floor(amount);
                let i = params.fee_to_insurance.mul_floor(amount);
                (m, i, amount - m - i)
            }
            Inflow::Gain => {
                let i = params.gains_to_insurance.mul_floor(amount);
                (amount - i, i, 0)
            }
            Inflow::Penalty => (0, amount, 0),
        };
        if amount > to_protocol {
            Self::transfer(
                settlement,
                from,
                &Self::account(settlement),
                amount - to_protocol,
            )?;
        }
        if to_protocol > 0 {
            Self::transfer(settlement, from, &T::ProtocolAccount::get(), to_protocol)?;
        }
        for (tranche, part) in [(Tranche::Main, to_main), (Tranche::Insurance, to_ins)] {
            let t = Self::receiving_tranche(&info, tranche);
            *info.capital_mut(t) = info.capital_mut(t).saturating_add(part);
        }
        Pools::<T>::insert(settlement, info);
        Self::deposit_event(Event::Received {
            asset: settlement,
            kind,
            amount,
            to_main,
            to_insurance: to_ins,
            to_protocol,
        });
        Ok(())
    }

    fn pay(
        settlement: AssetId,
        to: &T::AccountId,
        amount: Balance,
    ) -> Result<Balance, DispatchError> {
        let mut info = Pools::<T>::get(settlement).ok_or(Error::<T>::UnknownPool)?;
        let from_insurance = amount.min(info.insurance);
        let from_main = (amount - from_insurance).min(info.main);
        let paid = from_insurance + from_main;
        if paid > 0 {
            Self::transfer(settlement, &Self::account(settlement), to, paid)?;
        }
        info.insurance -= from_insurance;
        info.main -= from_main;
        Self::wipe_out_if_empty(settlement, &mut info, Tranche::Insurance);
        Self::wipe_out_if_empty(settlement, &mut info, Tranche::Main);
        Pools::<T>::insert(settlement, info);
        let shortfall = amount - paid;
        Self::deposit_event(Event::Paid {
            asset: settlement,
            to: to.clone(),
            from_insurance,
            from_main,
            shortfall,
        });
        Ok(shortfall)
    }

    fn absorb_loss(settlement: AssetId, amount: Balance) -> Balance {
        let Some(mut info) = Pools::<T>::get(settlement) else {
            return amount;
        };
        let params = Params::<T>::get(settlement).unwrap_or_default();
        let capital = info.capital();
        // The main tranche missed its share of the gain; insurance makes it whole.
        let main_share = amount - params.gains_to_insurance.mul_floor(amount);
        let covered = main_share.min(info.insurance);
        info.insurance -= covered;
        info.main = info.main.saturating_add(covered);
        Self::wipe_out_if_empty(settlement, &mut info, Tranche::Insurance);
        Pools::<T>::insert(settlement, info);
        let beyond_capital = amount.saturating_sub(capital);
        Self::deposit_event(Event::LossAbsorbed {
            asset: settlement,
            amount,
            covered,
            beyond_capital,
        });
        beyond_capital
    }
}

/// A split of a settlement stock rescales the pool's ledger at once (the pool account's
/// balance is rescaled by the equities pallet's walk like any holder's; share counts do not
/// change, so each share keeps its value).
impl<T: Config> CorporateActionHandler<T::AccountId> for Pallet<T> {
    fn on_dividend(_: &T::AccountId, _: AssetId, _: Option<AssetId>, _: Balance) {}

    fn on_split(asset: AssetId, numerator: u32, denominator: u32) {
        let scale = |b: Balance| {
            mul_div(
                b,
                numerator as u128,
                denominator.max(1) as u128,
                Rounding::Down,
            )
            .unwrap_or(b)
        };
        Pools::<T>::mutate(asset, |p| {
            if let Some(p) = p {
                p.main = scale(p.main);
                p.insurance = scale(p.insurance);
                p.required_margin = scale(p.required_margin);
            }
        });
        let mut queued = 0;
        Queue::<T>::mutate(asset, |q| {
            for r in q.iter_mut() {
                if let RequestKind::Deposit { amount, min_shares } = r.kind {
                    let amount = scale(amount);
                    queued += amount;
                    r.kind = RequestKind::Deposit { amount, min_shares };
                }
            }
        });
        Pools::<T>::mutate(asset, |p| {
            if let Some(p) = p {
                p.queued_deposits = queued;
            }
        });
    }
}
