//! A mock runtime with the real pool pallet as counterparty (its book valued by this pallet),
//! settable prices and market session, and TSLA as the settlement stock.

use crate as pallet_options;
use core::cell::RefCell;
use frame_support::{
    derive_impl, parameter_types,
    traits::{AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64, Hooks},
    PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use perpetua_primitives::{
    AssetId, Balance, CryptoIndex, ExchangeId, MarketClock, Moment, OracleKey, Price, PriceError,
    PriceProvider, Session, StockRegistry, StockStatus,
};
use sp_runtime::BuildStorage;
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Assets: pallet_assets,
        Timestamp: pallet_timestamp,
        Pool: pallet_pool,
        Options: pallet_options,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type Balance = Balance;
    type ExistentialDeposit = ConstU128<1>;
    type AccountStore = System;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
    type Balance = Balance;
    type AssetId = AssetId;
    type AssetIdParameter = codec::Compact<AssetId>;
    type Currency = Balances;
    type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
    /// Root for the tests; pallet-pool calls `force_set_metadata` as its account.
    type ForceOrigin =
        frame_support::traits::EitherOfDiverse<EnsureRoot<AccountId>, EnsureSigned<AccountId>>;
    type Freezer = ();
    type AssetDeposit = ConstU128<1>;
    type AssetAccountDeposit = ConstU128<1>;
    type MetadataDepositBase = ConstU128<1>;
    type MetadataDepositPerByte = ConstU128<1>;
    type ApprovalDeposit = ConstU128<1>;
}

impl pallet_timestamp::Config for Test {
    type Moment = u64;
    type OnTimestampSet = ();
    type MinimumPeriod = ConstU64<1>;
    type WeightInfo = ();
}

thread_local! {
    static PRICES: RefCell<BTreeMap<OracleKey, Result<Price, PriceError>>> = const { RefCell::new(BTreeMap::new()) };
    static EMAS: RefCell<BTreeMap<OracleKey, Price>> = const { RefCell::new(BTreeMap::new()) };
    static NEXT_OPEN: RefCell<Option<Moment>> = const { RefCell::new(None) };
    static CLOSED_UNKNOWN: RefCell<bool> = const { RefCell::new(false) };
    static UNPRICED: RefCell<BTreeMap<AssetId, Moment>> = const { RefCell::new(BTreeMap::new()) };
}

/// Prices the tests set (every price usable and fresh unless set otherwise).
pub struct MockPrices;
impl MockPrices {
    pub fn set(key: OracleKey, p: Result<Price, PriceError>) {
        PRICES.with(|m| m.borrow_mut().insert(key, p));
    }
    /// How long a stock other than TSLA has gone unpriced (its market closed), ms.
    pub fn set_unpriced(asset: AssetId, ms: Moment) {
        UNPRICED.with(|m| m.borrow_mut().insert(asset, ms));
    }
    /// An EMA that lags the price (after a crash), until set again.
    pub fn set_ema(key: OracleKey, p: Price) {
        EMAS.with(|m| m.borrow_mut().insert(key, p));
    }
}
impl PriceProvider for MockPrices {
    fn price(key: OracleKey) -> Result<Price, PriceError> {
        PRICES.with(|m| {
            m.borrow()
                .get(&key)
                .copied()
                .unwrap_or(Err(PriceError::Missing))
        })
    }
    /// The settlement stock's price is a stale close while `close_until` says it is closed.
    fn is_fresh(key: OracleKey) -> bool {
        Self::price(key).is_ok() && !(key == OracleKey::Asset(TSLA) && closed_now())
    }
    fn ema_price(key: OracleKey) -> Result<Price, PriceError> {
        let price = Self::price(key)?;
        Ok(EMAS
            .with(|m| m.borrow().get(&key).copied())
            .unwrap_or(price))
    }
    /// While closed: the time until the open stands for the whole unpriced interval.
    fn unpriced_interval(asset: AssetId) -> Option<Moment> {
        if asset != TSLA {
            return Some(UNPRICED.with(|m| m.borrow().get(&asset).copied().unwrap_or(0)));
        }
        let now = pallet_timestamp::Now::<Test>::get();
        match NEXT_OPEN.with(|x| *x.borrow()) {
            Some(t) if t > now => Some(t - now),
            _ if CLOSED_UNKNOWN.with(|x| *x.borrow()) => None,
            _ => Some(0),
        }
    }
}

fn closed_now() -> bool {
    let now = pallet_timestamp::Now::<Test>::get();
    NEXT_OPEN.with(|x| x.borrow().is_some_and(|t| t > now)) || CLOSED_UNKNOWN.with(|x| *x.borrow())
}

/// The settlement stock's market: open unless `close_until` was called.
pub struct MockClock;
pub fn close_until(next_open: Option<Moment>) {
    NEXT_OPEN.with(|x| *x.borrow_mut() = next_open);
}
/// Closed with no reopening in sight (a halt): the maximum haircut.
pub fn close_indefinitely(closed: bool) {
    CLOSED_UNKNOWN.with(|x| *x.borrow_mut() = closed);
}
impl MarketClock for MockClock {
    fn session(asset: AssetId, now: Moment) -> Option<Session> {
        if asset != TSLA {
            return None;
        }
        Some(match NEXT_OPEN.with(|x| *x.borrow()) {
            Some(t) if t > now => Session::Closed { next_open: Some(t) },
            _ => Session::Open {
                closes_at: now + 3_600_000,
            },
        })
    }
    fn exchange_session(_: ExchangeId, now: Moment) -> Option<Session> {
        Self::session(TSLA, now)
    }
}

pub struct MockStocks;
impl StockRegistry for MockStocks {
    fn exchange_of(asset: AssetId) -> Option<ExchangeId> {
        (asset == TSLA).then_some(0)
    }
    fn status(asset: AssetId) -> Option<StockStatus> {
        (asset == TSLA).then_some(StockStatus::Active)
    }
    fn corporate_action_in_progress(_: AssetId) -> bool {
        false
    }
}

parameter_types! {
    pub const PoolPalletId: PalletId = PalletId(*b"prp/pool");
    pub const OptionsPalletId: PalletId = PalletId(*b"prp/optn");
    pub const Protocol: AccountId = 999;
}

impl pallet_pool::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type Book = Options;
    type Mover = pallet_pool::PlainAssets<Test, Balances>;
    type Distributor = pallet_pool::PlainAssets<Test, Balances>;
    type ActionTouchWeight = ();
    type Clock = MockClock;
    type Stocks = MockStocks;
    type Prices = MockPrices;
    type Time = Timestamp;
    type PalletId = PoolPalletId;
    type ProtocolAccount = Protocol;
    type MaxPools = ConstU32<8>;
    type MaxQueue = ConstU32<16>;
    type MaxRequestsPerAccount = ConstU32<4>;
    type FlowsPerBlock = ConstU32<8>;
    type FlowDelay = ConstU64<0>;
    type BookValuationWeight = ();
    type FirstShareAssetId = ConstU32<1_000_000>;
    type WeightInfo = ();
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = ();
}

impl pallet_options::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type Prices = MockPrices;
    type Clock = MockClock;
    type Pool = Pool;
    type Mover = pallet_pool::PlainAssets<Test, Balances>;
    type ActionTouchWeight = ();
    type Time = Timestamp;
    type PalletId = OptionsPalletId;
    type MaxMarkets = ConstU32<4>;
    type MaxSeriesPerSettlement = ConstU32<16>;
    type MaxSeries = ConstU32<32>;
    type MaxPositions = ConstU32<4>;
    type MaxCollateralAssets = ConstU32<4>;
    type WeightInfo = ();
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = BenchHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_options::BenchmarkHelper<AccountId> for BenchHelper {
    fn settlement_at(i: u32, lp: &AccountId, capital: Balance) -> AssetId {
        use frame_support::traits::fungibles::{Create, Inspect, Mutate};
        // A 24/7 asset (not a stock): the pool's flows always execute.
        let asset: AssetId = if i == 0 { 900_002 } else { 901_000 + i };
        if !<Assets as Inspect<AccountId>>::asset_exists(asset) {
            let _ = <Assets as Create<AccountId>>::create(asset, *lp, true, 1);
            let _ = Assets::force_set_metadata(
                RuntimeOrigin::root(),
                asset.into(),
                b"Bench".to_vec(),
                b"BNCH".to_vec(),
                12,
                false,
            );
        }
        let _ = <Assets as Mutate<AccountId>>::mint_into(asset, lp, capital.saturating_mul(2));
        let _ = Pool::create_pool(
            RuntimeOrigin::root(),
            asset,
            pallet_pool::PoolParams::default(),
        );
        let _ = Pool::deposit_now(lp, asset, perpetua_primitives::Tranche::Main, capital, 0);
        MockPrices::set(OracleKey::Asset(asset), Ok(p(400)));
        asset
    }
    fn set_price(key: OracleKey, price: Price) {
        MockPrices::set(key, Ok(price));
    }
    fn advance_time(ms: Moment) {
        pallet_timestamp::Now::<Test>::mutate(|t| *t += ms);
    }
    fn collateral_stock(i: u32, to: &AccountId) -> AssetId {
        use frame_support::traits::fungibles::{Create, Inspect, Mutate};
        let asset = 900_100 + i;
        if !<Assets as Inspect<AccountId>>::asset_exists(asset) {
            let _ = <Assets as Create<AccountId>>::create(asset, LP, true, 1);
            let _ = Assets::force_set_metadata(
                RuntimeOrigin::root(),
                asset.into(),
                b"Collateral".to_vec(),
                b"COLL".to_vec(),
                12,
                false,
            );
        }
        let _ = <Assets as Mutate<AccountId>>::mint_into(asset, to, 1_000_000 * TSLA_UNIT);
        MockPrices::set(OracleKey::Asset(asset), Ok(p(150)));
        asset
    }
}

pub const LP: AccountId = 1;
pub const INSURER: AccountId = 2;
pub const BOB: AccountId = 3;
pub const CAROL: AccountId = 4;
pub const TSLA: AssetId = 1;
/// TSLA has 12 decimals.
pub const TSLA_UNIT: Balance = 1_000_000_000_000;
pub const BTC: OracleKey = OracleKey::Crypto(CryptoIndex::Btc);
pub const BTC_VOL: OracleKey = OracleKey::ImpliedVol(CryptoIndex::Btc);
pub const TSLA_KEY: OracleKey = OracleKey::Asset(TSLA);
/// Monday 2026-11-30 15:00 UTC.
pub const START: Moment = 1_796_050_800_000;
/// Block time.
pub const BLOCK_MS: Moment = 3_000;

pub fn p(x: u64) -> Price {
    Price::from_u32(x as u32)
}

/// BTC 100,000 USD, 60% vol, TSLA 400 USD; an LP with 10,000 TSLA in the pool's main tranche
/// and 1,000 in insurance; Bob and Carol with 5,000 TSLA each.
pub fn new_test_ext() -> Ext {
    let mut storage = frame_system::GenesisConfig::<Test>::default()
        .build_storage()
        .unwrap();
    pallet_balances::GenesisConfig::<Test> {
        balances: vec![
            (LP, 1_000),
            (INSURER, 1_000),
            (BOB, 1_000),
            (CAROL, 1_000),
            (Protocol::get(), 1),
        ],
        ..Default::default()
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    pallet_assets::GenesisConfig::<Test> {
        assets: vec![(TSLA, LP, true, 1)],
        metadata: vec![(TSLA, b"Tesla".to_vec(), b"TSLA".to_vec(), 12)],
        accounts: vec![
            (TSLA, LP, 100_000 * TSLA_UNIT),
            (TSLA, INSURER, 10_000 * TSLA_UNIT),
            (TSLA, BOB, 5_000 * TSLA_UNIT),
            (TSLA, CAROL, 5_000 * TSLA_UNIT),
        ],
        next_asset_id: None,
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    pallet_pool::GenesisConfig::<Test> {
        pools: vec![(
            TSLA,
            pallet_pool::PoolParams::default(),
            vec![(LP, 10_000 * TSLA_UNIT)],
            vec![(INSURER, 1_000 * TSLA_UNIT)],
        )],
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    PRICES.with(|m| m.borrow_mut().clear());
    EMAS.with(|m| m.borrow_mut().clear());
    UNPRICED.with(|m| m.borrow_mut().clear());
    MockPrices::set(BTC, Ok(p(100_000)));
    MockPrices::set(BTC_VOL, Ok(Price::from_rational(60, 100)));
    MockPrices::set(TSLA_KEY, Ok(p(400)));
    close_until(None);
    close_indefinitely(false);
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| {
        System::set_block_number(1);
        pallet_timestamp::Now::<Test>::put(START);
    });
    Ext(ext)
}

/// Test externalities that check every invariant of the options and pool pallets at the end
/// of each test (as `next_block` does after every block).
pub struct Ext(pub sp_io::TestExternalities);

impl Ext {
    pub fn execute_with<R>(&mut self, test: impl FnOnce() -> R) -> R {
        self.0.execute_with(|| {
            let r = test();
            Options::do_try_state().expect("options invariants at the end of the test");
            Pool::do_try_state().expect("pool invariants at the end of the test");
            r
        })
    }
}

/// The protocol's `asset`: its wallet, and its share of the block's fees the pot still owes
/// it until the block's end.
pub fn protocol_balance(asset: AssetId) -> Balance {
    Assets::balance(asset, Protocol::get())
        + pallet_pool::Receivables::<Test>::get(asset).map_or(0, |r| r.to_protocol)
}

/// The TSLA in `who`'s wallets, the protocol's with its share of the block's fees still owed.
pub fn wallets_tsla(who: &[AccountId]) -> Balance {
    who.iter()
        .map(|w| {
            if *w == Protocol::get() {
                protocol_balance(TSLA)
            } else {
                Assets::balance(TSLA, w)
            }
        })
        .sum()
}

/// Ends the block (the pool's receivable moves, funding accrues) and starts the next one
/// `BLOCK_MS` later.
pub fn next_block() {
    let n = System::block_number();
    Pool::on_finalize(n);
    Options::on_finalize(n);
    Options::do_try_state().unwrap();
    Pool::do_try_state().unwrap();
    System::set_block_number(n + 1);
    pallet_timestamp::Now::<Test>::mutate(|t| *t += BLOCK_MS);
    // Queued LP flows execute first in the new block.
    Pool::on_initialize(n + 1);
}

/// Everlasting time value per unit of BTC, f64 (the pricing crate's closed form).
pub fn time_value(s: f64, k: f64, sigma: f64, t_secs: f64) -> f64 {
    let t = t_secs / 31_536_000.0;
    let u = (1.0 + 8.0 / (sigma * sigma * t)).sqrt();
    let a = if s >= k {
        (1.0 - u) / 2.0
    } else {
        (1.0 + u) / 2.0
    };
    k / u * (a * (s / k).ln()).exp()
}
