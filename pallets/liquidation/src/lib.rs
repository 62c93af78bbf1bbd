//! # pallet-liquidation
//!
//! Keeps every options margin account above water, 24/7, whatever the stock market is doing.
//!
//! - **Offchain worker** (validators): values accounts with a resumable cursor per settlement
//!   asset kept in offchain storage under a `StorageLock`, a bounded number per run, and the
//!   accounts found close to the line (a watch list, also in offchain storage) first of all.
//!   Validators start their cursors at different places of the account space, so together they
//!   cover it faster. Each liquidatable account gets one unsigned `liquidate_unsigned`.
//! - **Unsigned liquidation**: validation checks that the account has positions (one read),
//!   then runs the whole liquidation and rolls it back: only one that would execute is valid,
//!   in the pool and in the block (`dry_run`); one `provides` tag per account, a short
//!   longevity and the highest priority. Anyone can also call the signed `liquidate` and earn
//!   the keeper's share of the penalty.
//! - **Health** is judged at the mark of the book the block started with: no trade in the
//!   block can push an account under.
//! - **Partial liquidation**: positions are closed along the pool's curve, largest maintenance
//!   margin first, just enough to bring equity back to the initial margin (plus a buffer);
//!   the penalty (a share of the maintenance margin the close frees) is split between the
//!   keeper and the insurance tranche.
//!   At most one liquidation per account per block and `max_per_block` in all.
//! - **Bad debt** (losses beyond the collateral) goes through the pool's waterfall
//!   (`PoolLedger::absorb_loss`, insurance first): the pool holds less, but owes nobody for it,
//!   so bad debt alone is never a deficit.
//! - **Auto-deleveraging**: a deficit is what the pool owes traders and could not pay (their
//!   claims). While the claims exceed what the pool has and its book is worth
//!   (`PoolLedger::insolvency`), the most profitable positions, ranked by profit times leverage,
//!   are closed just enough along the curve, forfeiting the profit the pool cannot pay: the pool's
//!   shortfall falls by what they forfeit. One event each.
//! - **Prices**: nothing is liquidated on a stale, missing or held price; while the settlement
//!   stock's market is open, only on a fresh post-open price (never on Friday's close carried
//!   into Monday's session).
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

use alloc::{collections::BTreeSet, vec::Vec};
use frame_support::{
    ensure,
    traits::{Get, Time},
};
use perpetua_primitives::{
    AccountRisk, AssetId, Balance, CloseKind, FixedI128, Inflow, MarginEngine, MarketClock, Moment,
    OracleKey, PoolLedger, PositionRisk, PriceProvider, Session,
};
use sp_runtime::{
    offchain::{
        storage::StorageValueRef,
        storage_lock::{StorageLock, Time as LockTime},
        Duration,
    },
    traits::Zero,
    DispatchError, FixedPointNumber, Perbill, Saturating,
};

/// Which validator this node is, among how many (for splitting the scan).
pub trait LocalValidator {
    /// `(index, count)` of this node's validator key among the current validators.
    fn local() -> Option<(u32, u32)>;
}

impl LocalValidator for () {
    fn local() -> Option<(u32, u32)> {
        None
    }
}

/// What the benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
    /// `n` accounts, each short one put in each of `positions` series of a settlement asset
    /// (returned with them); healthy at current prices.
    fn accounts(n: u32, positions: u32) -> (AssetId, Vec<AccountId>);
    /// Moves the index: `down`, so far that the accounts of `accounts` are under water (bad
    /// debt); else up, so that they are in profit.
    fn crash(settlement: AssetId, down: bool);
}

/// Offchain storage keys.
const LOCK_KEY: &[u8] = b"perpetua/liquidation/lock";
const WATCH_KEY: &[u8] = b"perpetua/liquidation/watch";
const CURSOR_KEY: &[u8] = b"perpetua/liquidation/cursor/";
/// The worker's lock expires after this long (a run that dies does not block the next).
const LOCK_MS: u64 = 20_000;
/// Most accounts on the watch list.
pub const MAX_WATCH: usize = 1_024;
/// Settlement assets with a deficit deleveraged per block.
const MAX_DEFICITS_PER_BLOCK: usize = 4;
/// Accounts read from storage per batch of a scan.
const SCAN_BATCH: u32 = 256;
/// Margin accounts a worker's scan may look at per account it may value: a scan also passes
/// accounts with collateral only, which cost one read each and are skipped.
const LOOKS_PER_VALUATION: u32 = 4;

/// `InvalidTransaction::Custom` codes of `liquidate_unsigned`.
pub mod invalid {
    /// The account is not liquidatable.
    pub const NOT_LIQUIDATABLE: u8 = 1;
    /// The account cannot be valued now (stale, missing or held price).
    pub const UNPRICED: u8 = 2;
    /// The settlement stock's market is open and its price not yet fresh.
    pub const AWAITING_OPEN_PRICE: u8 = 3;
    /// The account has no positions in the settlement asset (refused before any valuation).
    pub const NO_POSITIONS: u8 = 4;
    /// The liquidation would fail at dispatch (e.g. the settlement stock is frozen by a
    /// corporate action's walk, or the pool cannot take what it would receive): refused here,
    /// so that nothing fails in a block for free.
    pub const WOULD_FAIL: u8 = 5;
}

/// Where a worker's scan of a settlement asset stands (offchain storage).
#[derive(codec::Encode, codec::Decode, Clone, PartialEq, Eq, Debug)]
pub enum ScanCursor {
    /// From the start of the account space.
    Start,
    /// After this raw storage key.
    After(Vec<u8>),
}

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use frame_support::pallet_prelude::*;
    use frame_system::{
        offchain::{CreateBare, SubmitTransaction},
        pallet_prelude::*,
    };

    /// The storage layout's version (README, "Storage"); a change of layout bumps it and
    /// ships a migration (docs/UPGRADES.md).
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: frame_system::Config + CreateBare<Call<Self>> {
        /// The overarching event type.
        #[allow(deprecated)]
        type RuntimeEvent: From<Event<Self>> + IsType<<Self as frame_system::Config>::RuntimeEvent>;
        /// Sets the parameters.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// The margin accounts (pallet-options).
        type Engine: MarginEngine<Self::AccountId>;
        /// The pools (bad debt).
        type Pool: PoolLedger<Self::AccountId>;
        /// Freshness of settlement prices.
        type Prices: PriceProvider;
        /// Market sessions of settlement stocks.
        type Clock: MarketClock;
        /// The chain's clock.
        type Time: Time<Moment = Moment>;
        /// Which validator this node is.
        type Validators: LocalValidator;
        /// Priority of unsigned liquidations: above anything a tip can buy.
        #[pallet::constant]
        type UnsignedPriority: Get<TransactionPriority>;
        /// Blocks an unsigned liquidation stays valid in the pool.
        #[pallet::constant]
        type UnsignedLongevity: Get<u64>;
        /// Most positions of an account (the engine's limit): bounds a liquidation's loop.
        #[pallet::constant]
        type MaxPositions: Get<u32>;
        /// What carrying the account and the keeper's wallet through a corporate action costs,
        /// charged on top of every liquidation. The runtime's value depends on the state: the
        /// worst case while an action is in progress, nothing otherwise.
        type ActionTouchWeight: Get<Weight>;
        /// Upper bound of `LiquidationParams::max_per_block`.
        #[pallet::constant]
        type MaxPerBlock: Get<u32>;
        /// Weights.
        type WeightInfo: WeightInfo;
        /// Accounts and crashes for the benchmarks.
        #[cfg(feature = "runtime-benchmarks")]
        type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
    }

    /// The parameters.
    #[pallet::storage]
    pub type Params<T: Config> = StorageValue<_, LiquidationParams, ValueQuery>;

    /// Accounts liquidated in this block: (account, settlement asset).
    #[pallet::storage]
    pub type LiquidatedThisBlock<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, AssetId, ()>;

    /// How many liquidations this block.
    #[pallet::storage]
    pub type LiquidationCount<T: Config> = StorageValue<_, u32, ValueQuery>;

    /// Where auto-deleveraging's scan of a settlement asset stands.
    #[pallet::storage]
    pub type AdlCursor<T: Config> =
        StorageMap<_, Twox64Concat, AssetId, BoundedVec<u8, ConstU32<128>>>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// An account was liquidated: `contracts` closed, the penalty split, bad debt passed
        /// to the pool.
        Liquidated {
            who: T::AccountId,
            settlement: AssetId,
            keeper: Option<T::AccountId>,
            contracts: u128,
            to_keeper: Balance,
            to_insurance: Balance,
            bad_debt: Balance,
            /// Whether positions remain (a partial liquidation).
            partial: bool,
        },
        /// Contracts of a profitable position were closed to clear the pool's shortfall;
        /// `unpaid` of their profit was forfeited.
        Deleveraged {
            who: T::AccountId,
            series: u32,
            size: i128,
            unpaid: Balance,
        },
        /// The parameters changed.
        ParamsSet { params: LiquidationParams },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The account's equity is not below its maintenance margin.
        NotLiquidatable,
        /// The account was liquidated in this block already.
        AlreadyLiquidatedThisBlock,
        /// `max_per_block` liquidations happened in this block.
        BlockCapReached,
        /// The settlement stock's market is open and no fresh post-open price is in yet.
        AwaitingOpenPrice,
        /// Parameters out of range.
        InvalidParams,
        /// A keeper cannot liquidate its own account (it would pay itself the keeper's share).
        SelfLiquidation,
        /// `max_per_block` below the liquidations this block has already made: the cap
        /// would be broken in the block it is lowered in (found by the fuzzer). Lower it in
        /// the next block.
        CapBelowThisBlock,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        /// Clears the last block's liquidation marks, then goes on deleveraging open deficits.
        fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
            let count = LiquidationCount::<T>::take();
            if count > 0 {
                let _ = LiquidatedThisBlock::<T>::clear(count, None);
            }
            let mut weight = T::DbWeight::get().reads_writes(2, count.saturating_add(1) as u64);
            // Pools with claims outstanding (rare: the pool could not pay a trader), a few per
            // block; each is deleveraged only while it is short of what it owes.
            let open: Vec<AssetId> = T::Pool::with_claims()
                .into_iter()
                .take(MAX_DEFICITS_PER_BLOCK)
                .collect();
            weight = weight.saturating_add(T::DbWeight::get().reads(1 + open.len() as u64));
            if !open.is_empty() {
                let scan = Params::<T>::get().adl_scan;
                for settlement in open {
                    Self::deleverage(settlement, scan);
                    weight = weight.saturating_add(<T as Config>::WeightInfo::deleverage(scan));
                }
            }
            weight
        }

        fn offchain_worker(n: BlockNumberFor<T>) {
            if !sp_io::offchain::is_validator() {
                return;
            }
            let mut lock =
                StorageLock::<LockTime>::with_deadline(LOCK_KEY, Duration::from_millis(LOCK_MS));
            let Ok(_guard) = lock.try_lock() else {
                log::debug!(target: "runtime::liquidation", "worker of block {n:?} skipped: a run is in progress");
                return;
            };
            let report = Self::run_worker();
            log::info!(
                target: "runtime::liquidation",
                "block {n:?}: scanned {} accounts ({} watched), {} unpriced, {} liquidations submitted",
                report.scanned, report.watched, report.unpriced, report.submitted
            );
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Liquidates `who`'s account in `settlement` (anyone, for the keeper's share of the
        /// penalty).
        #[pallet::call_index(0)]
        #[pallet::weight(Pallet::<T>::liquidate_weight(T::MaxPositions::get(), T::Engine::basket_weight(who, *settlement)))]
        #[allow(clippy::useless_conversion)]
        pub fn liquidate(
            origin: OriginFor<T>,
            who: T::AccountId,
            settlement: AssetId,
        ) -> DispatchResultWithPostInfo {
            let keeper = ensure_signed(origin)?;
            ensure!(keeper != who, Error::<T>::SelfLiquidation);
            let basket = T::Engine::basket_weight(&who, settlement);
            let closes = Self::do_liquidate(&who, settlement, Some(keeper))?;
            Ok(Some(Self::liquidate_weight(closes, basket)).into())
        }

        /// Liquidates `who`'s account in `settlement`: submitted by validators' offchain
        /// workers, unsigned, validated against current prices.
        #[pallet::call_index(1)]
        #[pallet::weight((Pallet::<T>::unsigned_liquidate_weight(T::MaxPositions::get(), T::Engine::basket_weight(who, *settlement)), DispatchClass::Operational))]
        #[allow(clippy::useless_conversion)]
        pub fn liquidate_unsigned(
            origin: OriginFor<T>,
            who: T::AccountId,
            settlement: AssetId,
        ) -> DispatchResultWithPostInfo {
            ensure_none(origin)?;
            let basket = T::Engine::basket_weight(&who, settlement);
            let closes = Self::do_liquidate(&who, settlement, None)?;
            Ok(Some(Self::unsigned_liquidate_weight(closes, basket)).into())
        }

        /// Sets the parameters (admin).
        #[pallet::call_index(2)]
        #[pallet::weight(<T as Config>::WeightInfo::set_params())]
        pub fn set_params(origin: OriginFor<T>, params: LiquidationParams) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(
                params.max_per_block > 0
                    && params.max_per_block <= T::MaxPerBlock::get()
                    && params.scan_per_run > 0
                    && params.adl_scan > 0,
                Error::<T>::InvalidParams
            );
            ensure!(
                params.max_per_block >= LiquidationCount::<T>::get(),
                Error::<T>::CapBelowThisBlock
            );
            Params::<T>::put(params);
            Self::deposit_event(Event::ParamsSet { params });
            Ok(())
        }
    }

    #[pallet::validate_unsigned]
    impl<T: Config> ValidateUnsigned for Pallet<T> {
        type Call = Call<T>;

        /// A candidate from anywhere is checked in two steps: the account must have positions
        /// (one read, so a flood of made-up candidates costs one read each), then the whole
        /// liquidation is run and rolled back: only one that would execute is valid. The tag
        /// (account, settlement) lets one candidate per account into the pool, and the pool
        /// bans a refused transaction's hash for a while.
        fn validate_unsigned(_source: TransactionSource, call: &Self::Call) -> TransactionValidity {
            let Call::liquidate_unsigned { who, settlement } = call else {
                return InvalidTransaction::Call.into();
            };
            Self::dry_run(who, *settlement).map_err(InvalidTransaction::Custom)?;
            ValidTransaction::with_tag_prefix("PerpetuaLiquidation")
                .priority(T::UnsignedPriority::get())
                .and_provides((who, settlement))
                .longevity(T::UnsignedLongevity::get())
                .propagate(true)
                .build()
        }

        /// In a block: also the per-block caps, so a block never carries a liquidation that
        /// cannot execute.
        fn pre_dispatch(call: &Self::Call) -> Result<(), TransactionValidityError> {
            let Call::liquidate_unsigned { who, settlement } = call else {
                return Err(InvalidTransaction::Call.into());
            };
            if LiquidationCount::<T>::get() >= Params::<T>::get().max_per_block {
                return Err(InvalidTransaction::ExhaustsResources.into());
            }
            if LiquidatedThisBlock::<T>::contains_key(who, settlement) {
                return Err(InvalidTransaction::Stale.into());
            }
            // In the block's state: a liquidation that would fail is not included.
            Self::dry_run(who, *settlement).map_err(InvalidTransaction::Custom)?;
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// The weight charged for a liquidation that closes `closes` positions. The cost grows
        /// quadratically, as the account is re-valued between closes (release node, this
        /// issue's run: 1,025 µs for one close, 8,322 µs for 16), so the benchmark's linear fit
        /// (895 µs + 382 µs per close) falls below it for many closes; the component charged,
        /// `c + c² / 32`, stays above every measured point (1,276 and 10,063 µs). Check it
        /// against `scripts/bench.sh pallet_liquidation` when the weights are regenerated.
        /// `basket`: what the account's extra collateral adds to one valuation of it
        /// (`MarginEngine::basket_weight`); the account is valued once per close and once
        /// more.
        pub fn liquidate_weight(closes: u32, basket: Weight) -> Weight {
            let c = closes.max(1);
            <T as Config>::WeightInfo::liquidate(c.saturating_add(c.saturating_mul(c) / 32))
                .saturating_add(basket.saturating_mul(c.saturating_add(1).into()))
                .saturating_add(T::ActionTouchWeight::get())
        }

        /// The weight of an unsigned liquidation: the liquidation, and its dry run (rolled
        /// back) that `pre_dispatch` makes before it in the block.
        pub fn unsigned_liquidate_weight(closes: u32, basket: Weight) -> Weight {
            Self::liquidate_weight(closes, basket).saturating_mul(2)
        }

        /// Whether liquidations in `settlement` wait for a fresh price: its stock's market is
        /// open and the usable price is one carried over the close (an unusable price is the
        /// engine's named error instead).
        pub fn awaiting_open_price(settlement: AssetId) -> bool {
            let now = T::Time::now();
            let key = OracleKey::Asset(settlement);
            matches!(
                T::Clock::session(settlement, now),
                Some(Session::Open { .. })
            ) && T::Prices::price(key).is_ok()
                && !T::Prices::is_fresh(key)
        }

        /// `Ok` if liquidating `who` in `settlement` now would execute: a cheap check that the
        /// account has positions, then the liquidation itself in a storage transaction that is
        /// always rolled back. Else an `invalid` code.
        pub fn dry_run(who: &T::AccountId, settlement: AssetId) -> Result<(), u8> {
            use frame_support::storage::{with_transaction, TransactionOutcome};
            if !T::Engine::is_open(who, settlement) {
                return Err(invalid::NO_POSITIONS);
            }
            if Self::awaiting_open_price(settlement) {
                return Err(invalid::AWAITING_OPEN_PRICE);
            }
            // The per-block marks and cap are the block's business (`pre_dispatch` checks them):
            // the pool validates against the last block's state, where they are still set.
            let outcome = with_transaction(|| -> TransactionOutcome<Result<_, DispatchError>> {
                LiquidatedThisBlock::<T>::remove(who, settlement);
                LiquidationCount::<T>::put(0);
                TransactionOutcome::Rollback(Ok(Self::do_liquidate(who, settlement, None)))
            });
            match outcome {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) if e == Error::<T>::NotLiquidatable.into() => {
                    Err(invalid::NOT_LIQUIDATABLE)
                }
                Ok(Err(e)) if e == Error::<T>::AwaitingOpenPrice.into() => {
                    Err(invalid::AWAITING_OPEN_PRICE)
                }
                // The account could not be valued (a stale, missing or held price).
                Ok(Err(_))
                    if T::Engine::risk(who, settlement, &mut Default::default()).is_err() =>
                {
                    Err(invalid::UNPRICED)
                }
                _ => Err(invalid::WOULD_FAIL),
            }
        }

        /// `Ok` if `who` is liquidatable in `settlement` now, else an `invalid` code (a
        /// valuation only: see [`Self::dry_run`] for whether it would execute).
        pub fn check_liquidatable(who: &T::AccountId, settlement: AssetId) -> Result<(), u8> {
            if Self::awaiting_open_price(settlement) {
                return Err(invalid::AWAITING_OPEN_PRICE);
            }
            match T::Engine::risk(who, settlement, &mut Default::default()) {
                Ok(r) if r.liquidatable() => Ok(()),
                Ok(_) => Err(invalid::NOT_LIQUIDATABLE),
                Err(_) => Err(invalid::UNPRICED),
            }
        }

        /// Liquidates `who` in `settlement`; returns how many closes it made.
        pub fn do_liquidate(
            who: &T::AccountId,
            settlement: AssetId,
            keeper: Option<T::AccountId>,
        ) -> Result<u32, DispatchError> {
            let params = Params::<T>::get();
            ensure!(
                LiquidationCount::<T>::get() < params.max_per_block,
                Error::<T>::BlockCapReached
            );
            ensure!(
                !LiquidatedThisBlock::<T>::contains_key(who, settlement),
                Error::<T>::AlreadyLiquidatedThisBlock
            );
            ensure!(
                !Self::awaiting_open_price(settlement),
                Error::<T>::AwaitingOpenPrice
            );
            // One valuation cache for the whole liquidation: prices read and series priced
            // once; the book's valuations are forgotten after each move of money.
            let mut cache = Default::default();
            let (mut risk, mut positions) = T::Engine::positions(who, settlement, &mut cache)?;
            ensure!(risk.liquidatable(), Error::<T>::NotLiquidatable);
            // Largest risk first.
            positions.sort_by_key(|p| core::cmp::Reverse(p.maintenance));
            positions.truncate(T::MaxPositions::get() as usize);

            let mut contracts: u128 = 0;
            let mut owed: Balance = 0;
            let mut to_keeper: Balance = 0;
            let mut to_insurance: Balance = 0;
            let mut closes = 0u32;
            let mut open = positions.len();
            let mut moved = false;
            for p in positions {
                if moved {
                    // Re-valued only when another position may need closing: the last close
                    // of a liquidation needs no valuation after it.
                    moved = false;
                    T::Engine::forget_book(&mut cache);
                    risk = T::Engine::risk(who, settlement, &mut cache)?;
                    if risk.healthy() {
                        break;
                    }
                }
                let size = p.size.unsigned_abs();
                let n = Self::contracts_to_close(&risk, &p, params.close_buffer).min(size);
                if n == 0 {
                    continue;
                }
                let signed = if p.size > 0 { -(n as i128) } else { n as i128 };
                let closed =
                    T::Engine::close(who, p.series, signed, CloseKind::Liquidation, &mut cache)?;
                closes = closes.saturating_add(1);
                moved = true;
                contracts = contracts.saturating_add(n);
                if n == size {
                    open = open.saturating_sub(1);
                }
                // Losses first: what the collateral could not pay now is recovered from later
                // profits of this liquidation, else it is bad debt.
                owed = owed.saturating_add(closed.shortfall);
                if owed > 0 {
                    let back = T::Engine::seize_to_pool(who, settlement, owed, Inflow::Gain)?;
                    owed = owed.saturating_sub(back);
                }
                // Then the penalty, from what is left.
                let (k, i) = Self::charge_penalty(
                    who,
                    settlement,
                    closed.penalty,
                    keeper.as_ref(),
                    params.keeper_share,
                )?;
                to_keeper = to_keeper.saturating_add(k);
                to_insurance = to_insurance.saturating_add(i);
            }
            let bad_debt = owed;
            if bad_debt > 0 {
                // Insurance first; the pool owes nobody for it, so no deficit opens.
                T::Pool::absorb_loss(settlement, bad_debt);
            }
            // Debt the settlement collateral could not pay, backed by other stocks: they are
            // auctioned to keepers for the settlement stock.
            T::Engine::start_auction(who, settlement);
            LiquidatedThisBlock::<T>::insert(who, settlement, ());
            LiquidationCount::<T>::mutate(|c| *c = c.saturating_add(1));
            Self::deposit_event(Event::Liquidated {
                who: who.clone(),
                settlement,
                keeper,
                contracts,
                to_keeper,
                to_insurance,
                bad_debt,
                partial: open > 0,
            });
            Ok(closes)
        }

        /// Contracts of `p` to close so that equity reaches the initial margin: each contract
        /// closed releases its initial margin and costs its penalty (a share of its
        /// maintenance margin, so it always releases more than it costs), so the deficit over
        /// what one contract nets, plus `buffer` (for the curve's slippage). All of it when
        /// equity is negative (closing cannot bring it back) or a contract nets nothing.
        pub fn contracts_to_close(risk: &AccountRisk, p: &PositionRisk, buffer: Perbill) -> u128 {
            let size = p.size.unsigned_abs();
            if risk.equity.is_negative() || size == 0 {
                return size;
            }
            let deficit = risk.initial.saturating_sub(risk.equity);
            if deficit <= FixedI128::zero() {
                return 0;
            }
            let per = p.initial.saturating_sub(p.penalty).into_inner() / size as i128;
            if per <= 0 {
                return size;
            }
            let need = deficit
                .into_inner()
                .saturating_add(buffer.mul_ceil(deficit.into_inner() as u128) as i128);
            let n = need.checked_div(per).unwrap_or(0).saturating_add(1);
            (n.max(1) as u128).min(size)
        }

        /// Takes the penalty from `who`'s collateral (as far as it goes): the keeper's share to
        /// the keeper, the rest to the insurance tranche. Returns (to keeper, to insurance).
        fn charge_penalty(
            who: &T::AccountId,
            settlement: AssetId,
            penalty: Balance,
            keeper: Option<&T::AccountId>,
            keeper_share: Perbill,
        ) -> Result<(Balance, Balance), DispatchError> {
            if penalty == 0 {
                return Ok((0, 0));
            }
            let mut to_keeper = 0;
            if let Some(k) = keeper {
                let share = keeper_share.mul_floor(penalty);
                // A keeper account that cannot receive (below the asset's minimum) forgoes it.
                to_keeper = T::Engine::seize(who, settlement, share, k).unwrap_or(0);
            }
            let to_insurance = T::Engine::seize_to_pool(
                who,
                settlement,
                penalty.saturating_sub(to_keeper),
                Inflow::Penalty,
            )?;
            Ok((to_keeper, to_insurance))
        }

        /// Clears `settlement`'s pool's shortfall ([`PoolLedger::insolvency`]) by closing
        /// profitable positions along the curve, the most profitable (profit times leverage,
        /// among up to `scan` accounts from a rotating cursor) first, each just enough, at most
        /// `scan` closes: a close forfeits the profit the pool cannot pay, and the shortfall
        /// falls by what it forfeits. Returns the accounts valued.
        pub fn deleverage(settlement: AssetId, scan: u32) -> u32 {
            let mut shortfall = T::Pool::insolvency(settlement);
            if shortfall == 0 {
                return 0;
            }
            let cursor = AdlCursor::<T>::get(settlement).map(|c| c.into_inner());
            let (accounts, next) = T::Engine::open_accounts(settlement, cursor, scan);
            match next.and_then(|c| BoundedVec::try_from(c).ok()) {
                Some(c) => AdlCursor::<T>::insert(settlement, c),
                None => AdlCursor::<T>::remove(settlement),
            }
            let valued = accounts.len() as u32;
            let mut cache = Default::default();
            let mut ranked: Vec<(FixedI128, T::AccountId, PositionRisk)> = Vec::new();
            for who in accounts {
                let Ok((risk, positions)) = T::Engine::positions(&who, settlement, &mut cache)
                else {
                    continue;
                };
                let notional = positions
                    .iter()
                    .fold(FixedI128::zero(), |a, p| a.saturating_add(p.notional));
                // Leverage: notional over equity (a floor of one unit of USD).
                let equity = risk.equity.max(FixedI128::one());
                let leverage = notional.checked_div(&equity).unwrap_or(FixedI128::zero());
                for p in positions {
                    if p.unrealised.is_positive() {
                        ranked.push((p.unrealised.saturating_mul(leverage), who.clone(), p));
                    }
                }
            }
            ranked.sort_by_key(|r| core::cmp::Reverse(r.0));
            // At most `scan` closes per call: what the hook is charged for (`deleverage(scan)`
            // is benchmarked with `scan` accounts of the most positions and `scan` closes).
            for (_, who, p) in ranked.into_iter().take(scan as usize) {
                if shortfall == 0 {
                    break;
                }
                let size = p.size.unsigned_abs();
                // Just enough contracts: the shortfall over one contract's profit, rounded up.
                let per_contract =
                    FixedI128::from_inner(p.unrealised.into_inner() / size.max(1) as i128);
                let n = match T::Engine::usd_to_units(settlement, per_contract) {
                    Some(u) if u > 0 => shortfall.div_ceil(u).min(size),
                    _ => size,
                };
                let signed = if p.size > 0 { -(n as i128) } else { n as i128 };
                let Ok(closed) =
                    T::Engine::close(&who, p.series, signed, CloseKind::Deleverage, &mut cache)
                else {
                    continue;
                };
                shortfall = shortfall.saturating_sub(closed.unpaid);
                Self::deposit_event(Event::Deleveraged {
                    who,
                    series: p.series,
                    size: signed,
                    unpaid: closed.unpaid,
                });
            }
            valued
        }

        /// One run of the offchain worker: the watch list, then the cursor scan of each
        /// settlement asset, `scan_per_run` accounts in all; one unsigned liquidation per
        /// liquidatable account, at most `max_per_block`.
        pub fn run_worker() -> WorkerReport {
            let params = Params::<T>::get();
            let mut report = WorkerReport::default();
            let mut cache = Default::default();
            let mut budget = params.scan_per_run;
            let mut watch: Vec<(u64, AssetId, T::AccountId)> = Vec::new();
            let mut seen: BTreeSet<(AssetId, T::AccountId)> = BTreeSet::new();
            let settlements: Vec<AssetId> = T::Engine::settlements()
                .into_iter()
                .filter(|s| !Self::awaiting_open_price(*s))
                .collect();

            let watched: Vec<(AssetId, T::AccountId)> = StorageValueRef::persistent(WATCH_KEY)
                .get()
                .ok()
                .flatten()
                .unwrap_or_default();
            for (settlement, who) in watched.into_iter().take(MAX_WATCH) {
                if budget == 0 {
                    break;
                }
                if !settlements.contains(&settlement) || seen.contains(&(settlement, who.clone())) {
                    continue;
                }
                budget = budget.saturating_sub(1);
                report.watched = report.watched.saturating_add(1);
                Self::examine(
                    settlement,
                    &who,
                    &params,
                    &mut cache,
                    &mut report,
                    &mut watch,
                );
                seen.insert((settlement, who));
            }

            let (index, count) = T::Validators::local().unwrap_or((0, 1));
            let mut looks = params.scan_per_run.saturating_mul(LOOKS_PER_VALUATION);
            for settlement in settlements {
                let mut key = CURSOR_KEY.to_vec();
                key.extend_from_slice(&codec::Encode::encode(&settlement));
                let store = StorageValueRef::persistent(&key);
                let mut cursor = match store.get::<ScanCursor>().ok().flatten() {
                    Some(ScanCursor::Start) => None,
                    Some(ScanCursor::After(c)) => Some(c),
                    // First run: each validator starts at its own share of the account space.
                    None => {
                        let fraction = (index as u64 * 1_000_000_000 / count.max(1) as u64) as u32;
                        Some(T::Engine::cursor_at(settlement, fraction))
                    }
                };
                while budget > 0 && looks > 0 {
                    // Margin accounts without positions or debt are looked at (one read each)
                    // but not valued: they spend the looks, not the budget.
                    let batch = budget.min(SCAN_BATCH).min(looks);
                    looks = looks.saturating_sub(batch);
                    let (accounts, next) = T::Engine::open_accounts(settlement, cursor, batch);
                    for who in accounts {
                        if seen.contains(&(settlement, who.clone())) {
                            continue;
                        }
                        budget = budget.saturating_sub(1);
                        Self::examine(
                            settlement,
                            &who,
                            &params,
                            &mut cache,
                            &mut report,
                            &mut watch,
                        );
                    }
                    cursor = next;
                    if cursor.is_none() {
                        // The end: the next run starts over.
                        break;
                    }
                }
                store.set(&match cursor {
                    Some(c) => ScanCursor::After(c),
                    None => ScanCursor::Start,
                });
            }

            // The closest to the line first.
            watch.sort_by_key(|w| w.0);
            watch.truncate(MAX_WATCH);
            let watch: Vec<(AssetId, T::AccountId)> =
                watch.into_iter().map(|(_, s, w)| (s, w)).collect();
            StorageValueRef::persistent(WATCH_KEY).set(&watch);
            report
        }

        /// Values one account: submits its liquidation if it is liquidatable, or puts it on the
        /// watch list if it is close.
        fn examine(
            settlement: AssetId,
            who: &T::AccountId,
            params: &LiquidationParams,
            cache: &mut <T::Engine as MarginEngine<T::AccountId>>::Cache,
            report: &mut WorkerReport,
            watch: &mut Vec<(u64, AssetId, T::AccountId)>,
        ) {
            report.scanned = report.scanned.saturating_add(1);
            let risk = match T::Engine::risk(who, settlement, cache) {
                Ok(r) => r,
                Err(_) => {
                    report.unpriced = report.unpriced.saturating_add(1);
                    return;
                }
            };
            if risk.liquidatable() {
                if report.submitted < params.max_per_block {
                    let call = Call::liquidate_unsigned {
                        who: who.clone(),
                        settlement,
                    };
                    let xt = T::create_bare(call.into());
                    if SubmitTransaction::<T, Call<T>>::submit_transaction(xt).is_ok() {
                        report.submitted = report.submitted.saturating_add(1);
                    }
                }
                watch.push((0, settlement, who.clone()));
                return;
            }
            // Equity over maintenance, in parts per billion: the watch list's order.
            let m = risk.maintenance.into_inner();
            if m > 0 {
                let ratio = (risk.equity.into_inner().max(0) / (m / 1_000_000_000).max(1)) as u64;
                let limit =
                    1_000_000_000u64.saturating_add(params.watch_ratio.deconstruct() as u64);
                if ratio < limit {
                    watch.push((ratio, settlement, who.clone()));
                }
            }
        }

        /// Values up to `max` accounts of `settlement` from the start of its account space with
        /// one shared cache, as the worker does; returns how many it valued.
        pub fn value_accounts(settlement: AssetId, max: u32) -> u32 {
            let mut cache = Default::default();
            let (accounts, _) = T::Engine::open_accounts(settlement, None, max);
            let mut valued = 0;
            for who in accounts {
                let _ = T::Engine::risk(&who, settlement, &mut cache);
                valued = valued.saturating_add(1);
            }
            valued
        }

        /// Invariants: the per-block count matches the marks; deficits only where there is a
        /// settlement asset.
        pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
            let marks = LiquidatedThisBlock::<T>::iter_keys().count() as u32;
            ensure!(
                marks == LiquidationCount::<T>::get(),
                "liquidation count mismatch"
            );
            ensure!(
                LiquidationCount::<T>::get() <= Params::<T>::get().max_per_block,
                "more liquidations than the cap"
            );
            Ok(())
        }
    }
}
