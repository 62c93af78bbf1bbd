//! # pallet-equities
//!
//! Tokenized US stocks on top of pallet-assets. Each stock token is backed 1:1 by shares held
//! by a custodian:
//!
//! - the admin lists a stock (the pallet creates and owns its pallet-assets asset), halts and
//!   delists it;
//! - the custodian attests its reserve; minting (by the custodian or a registered bridge) can
//!   never take the supply above the latest attestation, and is refused while it is stale;
//! - any holder redeems: the tokens are burned and an event carries the off-chain delivery
//!   reference;
//! - corporate actions (cash dividends, splits) walk the holders a bounded number per block;
//!   holders' own transfers wait (the asset is frozen in pallet-assets), and the pallets that
//!   hold the stock for users move it through [`AssetMover`], which brings each side through
//!   first, so every holder is processed once, on its balance at the start;
//! - other pallets ask [`StockRegistry`] what a stock is and [`BalanceGuard`] whether a
//!   balance can move.
//!
//! See the README for the calls, the corporate-action design, invariants and errors.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

mod actions;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod invariants;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
pub use weights::WeightInfo;

use frame_support::traits::{
    fungible,
    fungibles::{self, Inspect as _},
    tokens::{Fortitude, Precision, Preservation, WithdrawConsequence},
};
use perpetua_primitives::{
    split_amount, AssetId, Balance, BalanceGuard, CorporateActionHandler, ExchangeId,
    ExchangeRegistry, Moment, MoveError, StockRegistry, StockStatus,
};
use sp_runtime::traits::{AccountIdConversion, StaticLookup};

/// Largest split factor either way (e.g. 100-for-1, 1-for-100).
pub const MAX_SPLIT_FACTOR: u32 = 100;

/// The most whole shares a reserve attestation may cover: more than any company has issued
/// (Apple, about 1.5 x 10^10), few enough that the USD value of every holding fits the
/// runtime's fixed-point valuations at any price up to 10^8 USD a share. Found by the fuzzer:
/// an attestation of `u128::MAX` let the custodian mint collateral no margin account could
/// be valued with.
pub const MAX_RESERVE_SHARES: Balance = 1_000_000_000_000;

/// Places in `ActiveActions` a dividend needs free: its own, and one for each share token of
/// the stock's pool, to which the pool passes its dividend on.
pub const DIVIDEND_ACTION_SLOTS: usize = 3;

#[frame_support::pallet]
pub mod pallet {
    use super::*;
    use alloc::vec::Vec;
    use frame_support::{pallet_prelude::*, traits::Time, PalletId};
    use frame_system::pallet_prelude::*;

    /// The storage layout's version (README, "Storage"); a change of layout bumps it and
    /// ships a migration (`migrations.rs`, docs/UPGRADES.md). v1: `Stocks` counts itself.
    pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

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
        /// Lists, halts and delists stocks, sets custodians, minters, freezes, splits and the
        /// parameters.
        type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
        /// The native token, for dividends paid in PRP.
        type NativeCurrency: fungible::Mutate<Self::AccountId, Balance = Balance>;
        /// The chain's clock (pallet-timestamp).
        type Time: Time<Moment = Moment>;
        /// Which exchanges exist (pallet-market-calendar).
        type Exchanges: ExchangeRegistry;
        /// Pallets that hold stock tokens for users, and the prices pallet, hear about
        /// dividends and splits.
        type CorporateActions: CorporateActionHandler<Self::AccountId>;
        /// The most the pallets told of an action's start may do: bring their pots through
        /// it and carry its eager part through their ledgers (charged on top of the
        /// declaration's own weight).
        type ActionStartWeight: Get<Weight>;
        /// The pallet's account: owner, admin, issuer and freezer of every stock token, and the
        /// pot that dividends are paid from.
        #[pallet::constant]
        type PalletId: Get<PalletId>;
        /// Most stocks that can be listed at once (the oracle feeds them all in one call).
        #[pallet::constant]
        type MaxStocks: Get<u32>;
        /// Upper bound of `Params::holders_per_block`.
        #[pallet::constant]
        type MaxHoldersPerBlock: Get<u32>;
        /// Most bridge minters per stock.
        #[pallet::constant]
        type MaxMinters: Get<u32>;
        /// Most corporate actions in progress at once, across stocks.
        #[pallet::constant]
        type MaxConcurrentActions: Get<u32>;
        /// Longest off-chain delivery reference of a redemption.
        #[pallet::constant]
        type MaxDeliveryRefLen: Get<u32>;
        /// Weights.
        type WeightInfo: WeightInfo;
    }

    /// Listed stock tokens by asset id, delisted ones included (a listing is never removed):
    /// the map keeps its own count (`Stocks::count()`, bounded by `MaxStocks`).
    #[pallet::storage]
    pub type Stocks<T: Config> =
        CountedStorageMap<_, Blake2_128Concat, AssetId, StockInfo<T::AccountId>>;

    /// Asset id of each ticker (tickers are unique).
    #[pallet::storage]
    pub type TickerIndex<T: Config> = StorageMap<_, Blake2_128Concat, Ticker, AssetId>;

    #[pallet::type_value]
    pub fn DefaultNextStockId() -> AssetId {
        1
    }

    /// Asset id the next listing gets (skipping ids pallet-assets already uses).
    #[pallet::storage]
    pub type NextStockId<T: Config> = StorageValue<_, AssetId, ValueQuery, DefaultNextStockId>;

    /// Latest reserve attestation of each stock.
    #[pallet::storage]
    pub type Reserves<T: Config> = StorageMap<_, Blake2_128Concat, AssetId, Attestation>;

    /// Bridge accounts allowed to mint a stock (besides its custodian).
    #[pallet::storage]
    pub type Minters<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, AssetId, Blake2_128Concat, T::AccountId, ()>;

    /// Number of minters of each stock.
    #[pallet::storage]
    pub type MinterCount<T: Config> = StorageMap<_, Blake2_128Concat, AssetId, u32, ValueQuery>;

    #[pallet::type_value]
    pub fn DefaultParams() -> Params {
        Params {
            max_attestation_age: 24 * 60 * 60 * 1000,
            holders_per_block: 256,
        }
    }

    /// The pallet's parameters.
    #[pallet::storage]
    pub type ParamsStore<T: Config> = StorageValue<_, Params, ValueQuery, DefaultParams>;

    /// The corporate action in progress for a stock, if any.
    #[pallet::storage]
    pub type Actions<T: Config> =
        StorageMap<_, Blake2_128Concat, AssetId, CorporateAction<T::AccountId>>;

    /// Stocks with a corporate action in progress, in the order they started.
    #[pallet::storage]
    pub type ActiveActions<T: Config> =
        StorageValue<_, BoundedVec<AssetId, T::MaxConcurrentActions>, ValueQuery>;

    /// Holders brought through the action in progress on an asset out of order (touched by a
    /// pallet's transfer ahead of the walk's cursor), with the action's id: the walk skips
    /// them.
    #[pallet::storage]
    pub type Touched<T: Config> =
        StorageDoubleMap<_, Blake2_128Concat, AssetId, Blake2_128Concat, T::AccountId, u32>;

    /// Id of the next corporate action.
    #[pallet::storage]
    pub type NextActionId<T: Config> = StorageValue<_, u32, ValueQuery>;

    /// Id of the next redemption.
    #[pallet::storage]
    pub type NextRedemptionId<T: Config> = StorageValue<_, u64, ValueQuery>;

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A stock token was listed.
        Listed {
            asset: AssetId,
            ticker: Ticker,
            exchange: ExchangeId,
            custodian: T::AccountId,
        },
        /// A stock was delisted: no more minting; holders can still redeem.
        Delisted { asset: AssetId },
        /// Trading in a stock was halted or resumed.
        TradingStatusChanged { asset: AssetId, status: StockStatus },
        /// A stock's custodian changed.
        CustodianChanged {
            asset: AssetId,
            custodian: T::AccountId,
        },
        /// The custodian attested its reserve.
        ReserveAttested {
            asset: AssetId,
            reserve: Balance,
            as_of: Moment,
        },
        /// Tokens were minted against the reserve.
        Minted {
            asset: AssetId,
            to: T::AccountId,
            amount: Balance,
            by: T::AccountId,
        },
        /// Tokens were burned for delivery of the shares off chain.
        Redeemed {
            redemption: u64,
            asset: AssetId,
            who: T::AccountId,
            amount: Balance,
            delivery_ref: BoundedVec<u8, T::MaxDeliveryRefLen>,
        },
        /// A bridge may mint a stock.
        MinterAdded { asset: AssetId, who: T::AccountId },
        /// A bridge may no longer mint a stock.
        MinterRemoved { asset: AssetId, who: T::AccountId },
        /// An account's stock tokens were frozen (they cannot be sent).
        AccountFrozen { asset: AssetId, who: T::AccountId },
        /// An account's stock tokens were thawed.
        AccountThawed { asset: AssetId, who: T::AccountId },
        /// A corporate action started: the stock is frozen until it completes.
        CorporateActionStarted {
            asset: AssetId,
            action: u32,
            kind: ActionKind<T::AccountId>,
        },
        /// A holder was paid a dividend.
        DividendPaid {
            asset: AssetId,
            action: u32,
            holder: T::AccountId,
            amount: Balance,
        },
        /// A holder's dividend was too small to pay (below the existential deposit of the
        /// payout asset for a new account); it goes back to the funder.
        DividendSkipped {
            asset: AssetId,
            action: u32,
            holder: T::AccountId,
            amount: Balance,
        },
        /// A holder's balance was split.
        BalanceSplit {
            asset: AssetId,
            action: u32,
            holder: T::AccountId,
            old: Balance,
            new: Balance,
        },
        /// A corporate action completed; `refunded` went back to the dividend's funder.
        CorporateActionCompleted {
            asset: AssetId,
            action: u32,
            holders: u32,
            refunded: Balance,
        },
        /// Parameters changed.
        ParamsSet { params: Params },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// Not a listed stock.
        UnknownStock,
        /// The ticker is already listed.
        TickerTaken,
        /// A ticker is 1 to 8 of A-Z, 0-9 and '.'.
        InvalidTicker,
        /// Not a valid ISIN (format or check digit).
        InvalidIsin,
        /// No such exchange in the market calendar.
        UnknownExchange,
        /// `MaxStocks` stocks are listed already.
        TooManyStocks,
        /// Decimals must be at most 18.
        InvalidDecimals,
        /// The minimum balance must be above zero.
        InvalidMinBalance,
        /// Only the stock's custodian may do this.
        NotCustodian,
        /// Only the custodian or a registered minter may mint.
        NotMinter,
        /// The stock is delisted.
        Delisted,
        /// There is no reserve attestation yet.
        NoAttestation,
        /// The latest attestation is older than `max_attestation_age`.
        AttestationStale,
        /// An attestation cannot be dated in the future or before the previous one.
        InvalidAttestationTime,
        /// Minting would take the supply above the attested reserve.
        ExceedsReserve,
        /// The reserve attested is below the tokens already in circulation.
        ReserveBelowSupply,
        /// A dividend or split of this stock is in progress: its balances are locked.
        CorporateActionInProgress,
        /// `MaxConcurrentActions` corporate actions are in progress.
        TooManyActions,
        /// The amount must be above zero.
        ZeroAmount,
        /// Split factors must be positive, different, and at most 100 to 1 either way.
        InvalidSplit,
        /// The payout asset does not exist.
        UnknownPayoutAsset,
        /// The stock has no holders (zero supply).
        NoSupply,
        /// The whole dividend is below the payout asset's minimum balance.
        DividendTooSmall,
        /// Already a minter / not a minter.
        MinterExists,
        /// Not a minter.
        NotAMinter,
        /// `MaxMinters` minters already.
        TooManyMinters,
        /// Parameters out of range.
        InvalidParams,
        /// Arithmetic overflow.
        Overflow,
        /// No free stock asset id.
        NoAssetId,
        /// A reserve above [`MAX_RESERVE_SHARES`] whole shares.
        ReserveTooLarge,
        /// The move would leave a pallet's pot with part of its ledger but less than the
        /// token's minimum balance, which pallet-assets cannot hold (it would reap it).
        PotBelowMinimum,
    }

    #[pallet::genesis_config]
    #[derive(frame_support::DefaultNoBound)]
    pub struct GenesisConfig<T: Config> {
        /// Stocks: asset id, ticker, name, decimals, exchange, custodian, min balance.
        #[allow(clippy::type_complexity)]
        pub stocks: Vec<(
            AssetId,
            Vec<u8>,
            Vec<u8>,
            u8,
            ExchangeId,
            T::AccountId,
            Balance,
        )>,
        /// Initial holdings: asset, holder, amount (base units). The custodian's attestation
        /// at genesis equals the resulting supply, dated 0: minting needs a fresh one.
        pub holdings: Vec<(AssetId, T::AccountId, Balance)>,
    }

    #[pallet::genesis_build]
    impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
        fn build(&self) {
            for (asset, ticker, name, decimals, exchange, custodian, min_balance) in &self.stocks {
                let ticker: Ticker = ticker.clone().try_into().unwrap_or_default();
                let name: StockName = name.clone().try_into().unwrap_or_default();
                let r = Pallet::<T>::do_list(
                    Some(*asset),
                    ticker,
                    name,
                    *decimals,
                    *exchange,
                    custodian.clone(),
                    None,
                    *min_balance,
                );
                assert!(r.is_ok(), "genesis stock {asset}: {r:?}"); // proof: genesis only
            }
            for (asset, who, amount) in &self.holdings {
                let r = <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::mint_into(
                    *asset, who, *amount,
                );
                assert!(r.is_ok(), "genesis holding of {asset}: {r:?}"); // proof: genesis only
            }
            for (asset, ..) in &self.stocks {
                let reserve = pallet_assets::Pallet::<T>::total_supply(*asset);
                Reserves::<T>::insert(asset, Attestation { reserve, as_of: 0 });
            }
        }
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
            if ActiveActions::<T>::decode_len().unwrap_or(0) == 0 {
                return T::DbWeight::get().reads(1);
            }
            let budget = ParamsStore::<T>::get().holders_per_block;
            let processed = Self::process(budget);
            Self::walk_weight(processed)
        }

        fn integrity_test() {
            assert!(T::MaxHoldersPerBlock::get() > 0); // proof: integrity test, not a block
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            Self::do_try_state()
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Lists a stock token (admin): creates its pallet-assets asset, owned by this pallet,
        /// sufficient (an account may hold only it), with metadata for wallets.
        #[pallet::call_index(0)]
        #[pallet::weight(<T as Config>::WeightInfo::list_stock())]
        #[allow(clippy::too_many_arguments)]
        pub fn list_stock(
            origin: OriginFor<T>,
            ticker: Ticker,
            name: StockName,
            decimals: u8,
            exchange: ExchangeId,
            custodian: AccountIdLookupOf<T>,
            isin: Option<Isin>,
            min_balance: Balance,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let custodian = T::Lookup::lookup(custodian)?;
            Self::do_list(
                None,
                ticker,
                name,
                decimals,
                exchange,
                custodian,
                isin,
                min_balance,
            )
        }

        /// Delists a stock (admin): no more minting, trading status `Delisted`. Holders can
        /// still transfer and redeem.
        #[pallet::call_index(1)]
        #[pallet::weight(<T as Config>::WeightInfo::delist())]
        pub fn delist(origin: OriginFor<T>, asset: AssetId) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            Stocks::<T>::try_mutate(asset, |s| -> DispatchResult {
                let s = s.as_mut().ok_or(Error::<T>::UnknownStock)?;
                s.status = StockStatus::Delisted;
                Ok(())
            })?;
            Self::deposit_event(Event::Delisted { asset });
            Ok(())
        }

        /// Halts or resumes trading in a stock (admin). Other pallets see it through
        /// `StockRegistry::status` and the market calendar reports the stock `Halted`.
        #[pallet::call_index(2)]
        #[pallet::weight(<T as Config>::WeightInfo::set_halted())]
        pub fn set_halted(origin: OriginFor<T>, asset: AssetId, halted: bool) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let status =
                Stocks::<T>::try_mutate(asset, |s| -> Result<StockStatus, DispatchError> {
                    let s = s.as_mut().ok_or(Error::<T>::UnknownStock)?;
                    ensure!(s.status != StockStatus::Delisted, Error::<T>::Delisted);
                    s.status = if halted {
                        StockStatus::Halted
                    } else {
                        StockStatus::Active
                    };
                    Ok(s.status)
                })?;
            Self::deposit_event(Event::TradingStatusChanged { asset, status });
            Ok(())
        }

        /// Replaces a stock's custodian (admin).
        #[pallet::call_index(3)]
        #[pallet::weight(<T as Config>::WeightInfo::set_custodian())]
        pub fn set_custodian(
            origin: OriginFor<T>,
            asset: AssetId,
            custodian: AccountIdLookupOf<T>,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let custodian = T::Lookup::lookup(custodian)?;
            Stocks::<T>::try_mutate(asset, |s| -> DispatchResult {
                s.as_mut().ok_or(Error::<T>::UnknownStock)?.custodian = custodian.clone();
                Ok(())
            })?;
            Self::deposit_event(Event::CustodianChanged { asset, custodian });
            Ok(())
        }

        /// The custodian attests it holds `reserve` base units worth of shares, counted at
        /// `as_of` (ms; not in the future, not before the previous attestation). The reserve
        /// may not be below the supply already in circulation.
        #[pallet::call_index(4)]
        #[pallet::weight(<T as Config>::WeightInfo::attest_reserves())]
        pub fn attest_reserves(
            origin: OriginFor<T>,
            asset: AssetId,
            reserve: Balance,
            as_of: Moment,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let stock = Stocks::<T>::get(asset).ok_or(Error::<T>::UnknownStock)?;
            ensure!(who == stock.custodian, Error::<T>::NotCustodian);
            Self::ensure_unlocked(asset)?;
            let now = T::Time::now();
            let after_previous = Reserves::<T>::get(asset).is_none_or(|a| as_of >= a.as_of);
            ensure!(
                as_of <= now && after_previous,
                Error::<T>::InvalidAttestationTime
            );
            ensure!(
                reserve >= pallet_assets::Pallet::<T>::total_supply(asset),
                Error::<T>::ReserveBelowSupply
            );
            ensure!(
                reserve
                    <= 10u128
                        .pow(stock.decimals as u32)
                        .saturating_mul(MAX_RESERVE_SHARES),
                Error::<T>::ReserveTooLarge
            );
            Reserves::<T>::insert(asset, Attestation { reserve, as_of });
            Self::deposit_event(Event::ReserveAttested {
                asset,
                reserve,
                as_of,
            });
            Ok(())
        }

        /// Mints `amount` to `beneficiary` (the custodian, or a registered bridge minter).
        /// Refused if the stock is delisted, the attestation is missing or stale, or the
        /// supply would exceed the attested reserve.
        #[pallet::call_index(5)]
        #[pallet::weight(<T as Config>::WeightInfo::mint())]
        pub fn mint(
            origin: OriginFor<T>,
            asset: AssetId,
            beneficiary: AccountIdLookupOf<T>,
            amount: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let beneficiary = T::Lookup::lookup(beneficiary)?;
            let stock = Stocks::<T>::get(asset).ok_or(Error::<T>::UnknownStock)?;
            ensure!(
                who == stock.custodian || Minters::<T>::contains_key(asset, &who),
                Error::<T>::NotMinter
            );
            ensure!(stock.status != StockStatus::Delisted, Error::<T>::Delisted);
            ensure!(amount > 0, Error::<T>::ZeroAmount);
            Self::ensure_unlocked(asset)?;
            let att = Reserves::<T>::get(asset).ok_or(Error::<T>::NoAttestation)?;
            let age = T::Time::now().saturating_sub(att.as_of);
            ensure!(
                age <= ParamsStore::<T>::get().max_attestation_age,
                Error::<T>::AttestationStale
            );
            let supply = pallet_assets::Pallet::<T>::total_supply(asset);
            let after = supply.checked_add(amount).ok_or(Error::<T>::Overflow)?;
            ensure!(after <= att.reserve, Error::<T>::ExceedsReserve);
            <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::mint_into(
                asset,
                &beneficiary,
                amount,
            )?;
            Self::deposit_event(Event::Minted {
                asset,
                to: beneficiary,
                amount,
                by: who,
            });
            Ok(())
        }

        /// Burns `amount` of the caller's tokens for delivery of the shares off chain; the
        /// event carries `delivery_ref` (e.g. a brokerage account reference) and a
        /// redemption id the custodian settles against. Delisted stocks can be redeemed.
        #[pallet::call_index(6)]
        #[pallet::weight(<T as Config>::WeightInfo::redeem())]
        pub fn redeem(
            origin: OriginFor<T>,
            asset: AssetId,
            amount: Balance,
            delivery_ref: BoundedVec<u8, T::MaxDeliveryRefLen>,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            ensure!(Stocks::<T>::contains_key(asset), Error::<T>::UnknownStock);
            ensure!(amount > 0, Error::<T>::ZeroAmount);
            Self::ensure_unlocked(asset)?;
            <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::burn_from(
                asset,
                &who,
                amount,
                Preservation::Expendable,
                Precision::Exact,
                Fortitude::Polite,
            )?;
            let redemption = NextRedemptionId::<T>::mutate(|id| {
                let current = *id;
                *id = id.saturating_add(1);
                current
            });
            Self::deposit_event(Event::Redeemed {
                redemption,
                asset,
                who,
                amount,
                delivery_ref,
            });
            Ok(())
        }

        /// Lets a bridge account mint `asset` (admin). Bridged supply is backed by the same
        /// reserve: it counts against the same attestation.
        #[pallet::call_index(7)]
        #[pallet::weight(<T as Config>::WeightInfo::add_minter())]
        pub fn add_minter(
            origin: OriginFor<T>,
            asset: AssetId,
            who: AccountIdLookupOf<T>,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let who = T::Lookup::lookup(who)?;
            ensure!(Stocks::<T>::contains_key(asset), Error::<T>::UnknownStock);
            ensure!(
                !Minters::<T>::contains_key(asset, &who),
                Error::<T>::MinterExists
            );
            MinterCount::<T>::try_mutate(asset, |n| -> DispatchResult {
                ensure!(*n < T::MaxMinters::get(), Error::<T>::TooManyMinters);
                *n = n.saturating_add(1);
                Ok(())
            })?;
            Minters::<T>::insert(asset, &who, ());
            Self::deposit_event(Event::MinterAdded { asset, who });
            Ok(())
        }

        /// Stops a bridge account minting `asset` (admin).
        #[pallet::call_index(8)]
        #[pallet::weight(<T as Config>::WeightInfo::remove_minter())]
        pub fn remove_minter(
            origin: OriginFor<T>,
            asset: AssetId,
            who: AccountIdLookupOf<T>,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let who = T::Lookup::lookup(who)?;
            ensure!(
                Minters::<T>::contains_key(asset, &who),
                Error::<T>::NotAMinter
            );
            Minters::<T>::remove(asset, &who);
            MinterCount::<T>::mutate(asset, |n| *n = n.saturating_sub(1));
            Self::deposit_event(Event::MinterRemoved { asset, who });
            Ok(())
        }

        /// Freezes an account's tokens of `asset` in pallet-assets (admin, e.g. a court
        /// order): they cannot be sent until thawed.
        #[pallet::call_index(9)]
        #[pallet::weight(<T as Config>::WeightInfo::freeze_account())]
        pub fn freeze_account(
            origin: OriginFor<T>,
            asset: AssetId,
            who: AccountIdLookupOf<T>,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let who = T::Lookup::lookup(who)?;
            ensure!(Stocks::<T>::contains_key(asset), Error::<T>::UnknownStock);
            pallet_assets::Pallet::<T>::freeze(
                frame_system::RawOrigin::Signed(Self::account_id()).into(),
                asset.into(),
                T::Lookup::unlookup(who.clone()),
            )?;
            Self::deposit_event(Event::AccountFrozen { asset, who });
            Ok(())
        }

        /// Thaws an account's tokens of `asset` (admin).
        #[pallet::call_index(10)]
        #[pallet::weight(<T as Config>::WeightInfo::thaw_account())]
        pub fn thaw_account(
            origin: OriginFor<T>,
            asset: AssetId,
            who: AccountIdLookupOf<T>,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            let who = T::Lookup::lookup(who)?;
            ensure!(Stocks::<T>::contains_key(asset), Error::<T>::UnknownStock);
            pallet_assets::Pallet::<T>::thaw(
                frame_system::RawOrigin::Signed(Self::account_id()).into(),
                asset.into(),
                T::Lookup::unlookup(who.clone()),
            )?;
            Self::deposit_event(Event::AccountThawed { asset, who });
            Ok(())
        }

        /// The custodian declares a cash dividend of `per_share` base units of `paid_in`
        /// (`None`: PRP) per whole share and funds it now (the total for the current supply,
        /// rounded up, and the minimum balance the pots keep of `paid_in`). Whoever holds the
        /// stock now is paid: wallets by the walk, margin accounts and LPs through their
        /// pallets. Holders' own transfers of the stock wait until it completes; pallets' moves
        /// (trades, margin, LP flows, liquidations) go on.
        #[pallet::call_index(11)]
        #[pallet::weight(<T as Config>::WeightInfo::declare_dividend().saturating_add(T::ActionStartWeight::get()))]
        pub fn declare_dividend(
            origin: OriginFor<T>,
            asset: AssetId,
            paid_in: Option<AssetId>,
            per_share: Balance,
        ) -> DispatchResult {
            let who = ensure_signed(origin)?;
            let stock = Stocks::<T>::get(asset).ok_or(Error::<T>::UnknownStock)?;
            ensure!(who == stock.custodian, Error::<T>::NotCustodian);
            ensure!(per_share > 0, Error::<T>::ZeroAmount);
            if let Some(p) = paid_in {
                ensure!(
                    p != asset && pallet_assets::Pallet::<T>::asset_exists(p),
                    Error::<T>::UnknownPayoutAsset
                );
                ensure!(
                    !Actions::<T>::contains_key(p),
                    Error::<T>::CorporateActionInProgress
                );
            }
            Self::ensure_unlocked(asset)?;
            // The dividend's own place, and the pass-through on a pool's two share tokens.
            let free = (T::MaxConcurrentActions::get() as usize)
                .saturating_sub(ActiveActions::<T>::decode_len().unwrap_or(0));
            ensure!(free >= DIVIDEND_ACTION_SLOTS, Error::<T>::TooManyActions);
            let supply = pallet_assets::Pallet::<T>::total_supply(asset);
            ensure!(supply > 0, Error::<T>::NoSupply);
            let funded = Self::share_amount(supply, per_share, stock.decimals, true)?;
            let minimum = match paid_in {
                None => <T::NativeCurrency as fungible::Inspect<_>>::minimum_balance(),
                Some(p) => pallet_assets::Pallet::<T>::minimum_balance(p),
            };
            ensure!(funded >= minimum, Error::<T>::DividendTooSmall);
            Self::top_up(paid_in, &who, &Self::account_id())?;
            Self::transfer_payout(
                paid_in,
                &who,
                &Self::account_id(),
                funded,
                Preservation::Preserve,
            )?;
            let unit = 10u128
                .checked_pow(stock.decimals as u32)
                .ok_or(Error::<T>::Overflow)?;
            let kind = ActionKind::Dividend {
                paid_in,
                per_share,
                unit,
                funder: who,
                funded,
                paid: 0,
                exclude: None,
            };
            Self::start_action(asset, kind, supply)
        }

        /// Splits a stock (admin): every balance becomes `balance * numerator / denominator`
        /// (rounded down; e.g. 3 for 1 is `(3, 1)`, a 1-for-10 reverse split `(1, 10)`). The
        /// attested reserve, the oracle's price and the pallets' pots and ledgers scale at once;
        /// wallets are split over the next blocks (their own transfers wait meanwhile; pallets'
        /// moves go on).
        #[pallet::call_index(12)]
        #[pallet::weight(<T as Config>::WeightInfo::declare_split().saturating_add(T::ActionStartWeight::get()))]
        pub fn declare_split(
            origin: OriginFor<T>,
            asset: AssetId,
            numerator: u32,
            denominator: u32,
        ) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(Stocks::<T>::contains_key(asset), Error::<T>::UnknownStock);
            ensure!(
                numerator > 0
                    && denominator > 0
                    && numerator != denominator
                    && numerator <= MAX_SPLIT_FACTOR
                    && denominator <= MAX_SPLIT_FACTOR,
                Error::<T>::InvalidSplit
            );
            Self::ensure_unlocked(asset)?;
            let supply = pallet_assets::Pallet::<T>::total_supply(asset);
            let reserve_before = Reserves::<T>::get(asset).map_or(0, |a| a.reserve);
            Reserves::<T>::mutate(asset, |a| {
                if let Some(a) = a {
                    a.reserve = split_amount(a.reserve, numerator, denominator);
                }
            });
            let kind = ActionKind::Split {
                numerator,
                denominator,
                old_processed: 0,
                new_processed: 0,
                reserve_before,
            };
            Self::start_action(asset, kind, supply)
        }

        /// Processes up to `max_holders` holders of the corporate actions in progress (anyone;
        /// the block hook does the same every block).
        #[allow(clippy::useless_conversion)]
        #[pallet::call_index(13)]
        #[pallet::weight(Pallet::<T>::walk_weight(*max_holders))]
        pub fn process_actions(
            origin: OriginFor<T>,
            max_holders: u32,
        ) -> DispatchResultWithPostInfo {
            ensure_signed(origin)?;
            let max = max_holders.min(T::MaxHoldersPerBlock::get());
            let processed = Self::process(max);
            Ok(Some(Self::walk_weight(processed)).into())
        }

        /// Sets the parameters (admin).
        #[pallet::call_index(14)]
        #[pallet::weight(<T as Config>::WeightInfo::set_params())]
        pub fn set_params(origin: OriginFor<T>, params: Params) -> DispatchResult {
            T::AdminOrigin::ensure_origin(origin)?;
            ensure!(
                params.holders_per_block > 0
                    && params.holders_per_block <= T::MaxHoldersPerBlock::get()
                    && params.max_attestation_age > 0,
                Error::<T>::InvalidParams
            );
            ParamsStore::<T>::put(params);
            Self::deposit_event(Event::ParamsSet { params });
            Ok(())
        }
    }

    impl<T: Config> Pallet<T> {
        /// The weight of `n` steps of the walks: the benchmark's `process_holders(n)`, and each
        /// holder's out-of-order marker looked up and removed (`Touched`, which the benchmark
        /// predates).
        pub fn walk_weight(n: u32) -> Weight {
            <T as Config>::WeightInfo::process_holders(n)
                .saturating_add(T::DbWeight::get().reads_writes(n as u64, n as u64))
        }

        /// The pallet's account.
        pub fn account_id() -> T::AccountId {
            T::PalletId::get().into_account_truncating()
        }

        #[allow(clippy::too_many_arguments)]
        pub(crate) fn do_list(
            asset: Option<AssetId>,
            ticker: Ticker,
            name: StockName,
            decimals: u8,
            exchange: ExchangeId,
            custodian: T::AccountId,
            isin: Option<Isin>,
            min_balance: Balance,
        ) -> DispatchResult {
            ensure!(valid_ticker(&ticker), Error::<T>::InvalidTicker);
            ensure!(
                isin.as_ref().is_none_or(valid_isin),
                Error::<T>::InvalidIsin
            );
            ensure!(
                !TickerIndex::<T>::contains_key(&ticker),
                Error::<T>::TickerTaken
            );
            ensure!(
                T::Exchanges::exchange_exists(exchange),
                Error::<T>::UnknownExchange
            );
            ensure!(decimals <= 18, Error::<T>::InvalidDecimals);
            ensure!(min_balance > 0, Error::<T>::InvalidMinBalance);
            ensure!(
                Stocks::<T>::count() < T::MaxStocks::get(),
                Error::<T>::TooManyStocks
            );
            let asset = match asset {
                Some(a) => a,
                None => Self::next_free_asset_id()?,
            };
            let owner = Self::account_id();
            <pallet_assets::Pallet<T> as fungibles::Create<_>>::create(
                asset,
                owner.clone(),
                true,
                min_balance,
            )?;
            // pallet-assets' `ForceOrigin` must accept this pallet's account (the runtime
            // opens it to nobody else).
            pallet_assets::Pallet::<T>::force_set_metadata(
                frame_system::RawOrigin::Signed(owner.clone()).into(),
                asset.into(),
                name.into_inner(),
                ticker.clone().into_inner(),
                decimals,
                false,
            )?;
            TickerIndex::<T>::insert(&ticker, asset);
            Stocks::<T>::insert(
                asset,
                StockInfo {
                    ticker: ticker.clone(),
                    exchange,
                    custodian: custodian.clone(),
                    isin,
                    decimals,
                    status: StockStatus::Active,
                },
            );
            if NextStockId::<T>::get() <= asset {
                NextStockId::<T>::put(asset.saturating_add(1));
            }
            Self::deposit_event(Event::Listed {
                asset,
                ticker,
                exchange,
                custodian,
            });
            Ok(())
        }

        fn next_free_asset_id() -> Result<AssetId, DispatchError> {
            let mut id = NextStockId::<T>::get();
            // pallet-assets may use some ids already (e.g. LP share tokens); a few steps at most.
            for _ in 0..16 {
                if !pallet_assets::Pallet::<T>::asset_exists(id) {
                    return Ok(id);
                }
                id = id.checked_add(1).ok_or(Error::<T>::NoAssetId)?;
            }
            Err(Error::<T>::NoAssetId.into())
        }

        pub(crate) fn ensure_unlocked(asset: AssetId) -> DispatchResult {
            ensure!(
                !Actions::<T>::contains_key(asset),
                Error::<T>::CorporateActionInProgress
            );
            Ok(())
        }

        /// `amount * per_share / 10^decimals`, rounded up or down.
        pub(crate) fn share_amount(
            amount: Balance,
            per_share: Balance,
            decimals: u8,
            round_up: bool,
        ) -> Result<Balance, DispatchError> {
            let one = 10u128
                .checked_pow(decimals as u32)
                .ok_or(Error::<T>::Overflow)?;
            let rounding = if round_up {
                sp_runtime::Rounding::Up
            } else {
                sp_runtime::Rounding::Down
            };
            sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
                amount, per_share, one, rounding,
            )
            .ok_or_else(|| Error::<T>::Overflow.into())
        }

        pub(crate) fn transfer_payout(
            paid_in: Option<AssetId>,
            from: &T::AccountId,
            to: &T::AccountId,
            amount: Balance,
            preservation: Preservation,
        ) -> DispatchResult {
            match paid_in {
                None => <T::NativeCurrency as fungible::Mutate<_>>::transfer(
                    from,
                    to,
                    amount,
                    preservation,
                )
                .map(|_| ()),
                Some(a) => Self::transfer_exact(a, from, to, amount, preservation),
            }
        }

        /// Moves exactly `amount` of `asset`. The dust a move would leave the sender (more
        /// than nothing, less than the minimum balance) is burnt first, off the supply:
        /// fungibles' default `transfer` would debit it and credit nobody, so it would leave
        /// every account while still counted in the supply (found by the fuzzer). A move that
        /// would leave a pallet's pot with dust its ledger still counts is refused
        /// (`PotBelowMinimum`).
        pub(crate) fn transfer_exact(
            asset: AssetId,
            from: &T::AccountId,
            to: &T::AccountId,
            amount: Balance,
            preservation: Preservation,
        ) -> DispatchResult {
            let left = pallet_assets::Pallet::<T>::balance(asset, from).saturating_sub(amount);
            let min = <pallet_assets::Pallet<T> as fungibles::Inspect<_>>::minimum_balance(asset);
            let dust = if preservation == Preservation::Expendable && left > 0 && left < min {
                // Out of a pot, the dust may be its users' (the ledger keeps it): refused.
                let kept = T::CorporateActions::recorded(asset, from)
                    .map_or(0, |r| r.saturating_sub(amount));
                ensure!(kept == 0, Error::<T>::PotBelowMinimum);
                left
            } else {
                0
            };
            <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::transfer(
                asset,
                from,
                to,
                amount.saturating_add(dust),
                preservation,
            )?;
            if dust > 0 {
                // Nobody's: burnt, off the supply.
                <pallet_assets::Pallet<T> as fungibles::Mutate<_>>::burn_from(
                    asset,
                    to,
                    dust,
                    Preservation::Expendable,
                    Precision::Exact,
                    Fortitude::Force,
                )?;
            }
            Ok(())
        }
    }

    /// `AccountIdLookupOf` of this pallet.
    pub type AccountIdLookupOf<T> = <<T as frame_system::Config>::Lookup as StaticLookup>::Source;
}

/// Tickers are 1 to 8 of `A-Z`, `0-9` and `.`, starting with a letter.
pub fn valid_ticker(t: &[u8]) -> bool {
    !t.is_empty()
        && t.len() <= 8
        && t[0].is_ascii_uppercase()
        && t.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'.')
}

/// ISO 6166: two letters, nine alphanumerics, a Luhn check digit over the digits obtained by
/// writing each letter as its number (A = 10 ... Z = 35).
pub fn valid_isin(isin: &Isin) -> bool {
    if !isin[..2].iter().all(u8::is_ascii_uppercase)
        || !isin[2..11]
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        || !isin[11].is_ascii_digit()
    {
        return false;
    }
    // Expand to digits (at most 2 per character: 22 + 1 digits).
    let mut digits = [0u8; 24];
    let mut n = 0;
    for c in &isin[..11] {
        let v = if c.is_ascii_digit() {
            c - b'0'
        } else {
            c - b'A' + 10
        };
        if v >= 10 {
            digits[n] = v / 10;
            digits[n + 1] = v % 10;
            n += 2;
        } else {
            digits[n] = v;
            n += 1;
        }
    }
    // Luhn: double every second digit from the right of the payload.
    let mut sum = 0u32;
    for (i, d) in digits[..n].iter().rev().enumerate() {
        let mut x = *d as u32;
        if i % 2 == 0 {
            x *= 2;
            if x > 9 {
                x -= 9;
            }
        }
        sum += x;
    }
    let check = (10 - sum % 10) % 10;
    check == (isin[11] - b'0') as u32
}

impl<T: Config> StockRegistry for Pallet<T> {
    fn exchange_of(asset: AssetId) -> Option<ExchangeId> {
        Stocks::<T>::get(asset).map(|s| s.exchange)
    }
    fn status(asset: AssetId) -> Option<StockStatus> {
        Stocks::<T>::get(asset).map(|s| s.status)
    }
    fn corporate_action_in_progress(asset: AssetId) -> bool {
        Actions::<T>::contains_key(asset)
    }
}

impl<T: Config> BalanceGuard<T::AccountId> for Pallet<T> {
    fn can_move(asset: AssetId, who: &T::AccountId, amount: Balance) -> Result<(), MoveError> {
        if Actions::<T>::contains_key(asset) {
            return Err(MoveError::CorporateAction);
        }
        match pallet_assets::Pallet::<T>::can_withdraw(asset, who, amount) {
            WithdrawConsequence::Success | WithdrawConsequence::ReducedToZero(_) => Ok(()),
            WithdrawConsequence::UnknownAsset => Err(MoveError::UnknownAsset),
            WithdrawConsequence::Frozen => Err(MoveError::Frozen),
            _ => Err(MoveError::InsufficientBalance),
        }
    }
}
