//! A mock runtime with the real options and pool pallets (the margin engine and the waterfall
//! the liquidation pallet drives), settable prices and market session, TSLA as the settlement
//! stock, and unsigned transactions for the offchain worker.

use crate as pallet_liquidation;
use core::cell::RefCell;
use frame_support::{
    derive_impl, parameter_types,
    traits::{AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64, Hooks},
    PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use pallet_options::{MarketParams, OptionKind};
use perpetua_primitives::{
    AssetId, Balance, CryptoIndex, ExchangeId, FixedU128, MarketClock, Moment, OracleKey, Price,
    PriceError, PriceProvider, Session, StockRegistry, StockStatus,
};
use sp_runtime::BuildStorage;
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type Extrinsic = frame_system::mocking::MockUncheckedExtrinsic<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Assets: pallet_assets,
        Timestamp: pallet_timestamp,
        Pool: pallet_pool,
        Options: pallet_options,
        Liquidation: pallet_liquidation,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountData = pallet_balances::AccountData<Balance>;
}

impl frame_system::offchain::CreateTransactionBase<pallet_liquidation::Call<Test>> for Test {
    type Extrinsic = Extrinsic;
    type RuntimeCall = RuntimeCall;
}

impl frame_system::offchain::CreateBare<pallet_liquidation::Call<Test>> for Test {
    fn create_bare(call: RuntimeCall) -> Extrinsic {
        Extrinsic::new_bare(call)
    }
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

/// A price (or its error) and whether it is fresh.
type PriceEntry = (Result<Price, PriceError>, bool);

thread_local! {
    static PRICES: RefCell<BTreeMap<OracleKey, PriceEntry>> = const { RefCell::new(BTreeMap::new()) };
    static NEXT_OPEN: RefCell<Option<Moment>> = const { RefCell::new(None) };
    static VALIDATOR: RefCell<Option<(u32, u32)>> = const { RefCell::new(None) };
}

/// Prices the tests set: a value (or error) and whether it is fresh.
pub struct MockPrices;
impl MockPrices {
    pub fn set(key: OracleKey, p: Result<Price, PriceError>) {
        PRICES.with(|m| m.borrow_mut().insert(key, (p, true)));
    }
    /// A price carried over a close: usable, not fresh.
    pub fn carried(key: OracleKey, p: Price) {
        PRICES.with(|m| m.borrow_mut().insert(key, (Ok(p), false)));
    }
}
impl PriceProvider for MockPrices {
    fn price(key: OracleKey) -> Result<Price, PriceError> {
        PRICES.with(|m| {
            m.borrow()
                .get(&key)
                .map(|x| x.0)
                .unwrap_or(Err(PriceError::Missing))
        })
    }
    fn is_fresh(key: OracleKey) -> bool {
        PRICES.with(|m| m.borrow().get(&key).is_some_and(|x| x.0.is_ok() && x.1))
    }
    fn ema_price(key: OracleKey) -> Result<Price, PriceError> {
        Self::price(key)
    }
    /// Markets are open and prices fresh: nothing unpriced.
    fn unpriced_interval(_: AssetId) -> Option<perpetua_primitives::Moment> {
        Some(0)
    }
}

/// TSLA's market: open unless `close_until` was called.
pub struct MockClock;
pub fn close_until(next_open: Option<Moment>) {
    NEXT_OPEN.with(|x| *x.borrow_mut() = next_open);
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

/// Which validator the offchain worker runs as.
pub struct MockValidators;
pub fn set_validator(v: Option<(u32, u32)>) {
    VALIDATOR.with(|x| *x.borrow_mut() = v);
}
impl crate::LocalValidator for MockValidators {
    fn local() -> Option<(u32, u32)> {
        VALIDATOR.with(|x| *x.borrow())
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
    type MaxPools = ConstU32<4>;
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
    type BenchmarkHelper = OptionsBench;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct OptionsBench;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_options::BenchmarkHelper<AccountId> for OptionsBench {
    /// This mock has one settlement (TSLA): only pallet-liquidation's benchmarks run on it.
    fn settlement_at(_: u32, _: &AccountId, _: Balance) -> AssetId {
        TSLA
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
        }
        let _ = <Assets as Mutate<AccountId>>::mint_into(asset, to, 1_000_000 * TSLA_UNIT);
        MockPrices::set(OracleKey::Asset(asset), Ok(p(150)));
        asset
    }
}

impl pallet_liquidation::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type Engine = Options;
    type Pool = Pool;
    type Prices = MockPrices;
    type Clock = MockClock;
    type Time = Timestamp;
    type Validators = MockValidators;
    type UnsignedPriority = ConstU64<{ u64::MAX }>;
    type UnsignedLongevity = ConstU64<3>;
    type MaxPositions = ConstU32<4>;
    type ActionTouchWeight = ();
    type MaxPerBlock = ConstU32<2_000>;
    type WeightInfo = ();
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = LiquidationBench;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct LiquidationBench;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for LiquidationBench {
    fn accounts(n: u32, positions: u32) -> (AssetId, Vec<AccountId>) {
        let accounts = Options::bench_accounts(TSLA, n, positions, TSLA_UNIT).unwrap();
        (TSLA, accounts)
    }
    fn crash(_: AssetId, down: bool) {
        MockPrices::set(BTC, Ok(p(if down { 40_000 } else { 150_000 })));
    }
}

pub const LP: AccountId = 1;
pub const INSURER: AccountId = 2;
pub const BOB: AccountId = 3;
pub const CAROL: AccountId = 4;
pub const DAVE: AccountId = 5;
pub const KEEPER: AccountId = 6;
pub const TSLA: AssetId = 1;
pub const TSLA_UNIT: Balance = 1_000_000_000_000;
pub const BTC: OracleKey = OracleKey::Crypto(CryptoIndex::Btc);
pub const BTC_VOL: OracleKey = OracleKey::ImpliedVol(CryptoIndex::Btc);
pub const TSLA_KEY: OracleKey = OracleKey::Asset(TSLA);
/// Monday 2026-11-30 15:00 UTC.
pub const START: Moment = 1_796_050_800_000;
pub const BLOCK_MS: Moment = 3_000;
/// Series of the BTC market: puts at 100,000, 95,000, 90,000 and 85,000 (then a call at
/// 100,000, series 4).
pub const PUTS: [u32; 4] = [0, 1, 2, 3];

pub fn p(x: u64) -> Price {
    Price::from_u32(x as u32)
}

/// Gives `who` `collateral` of margin and sells one put in each of `positions` series.
pub fn open_book(who: AccountId, positions: u32, collateral: Balance) {
    use frame_support::traits::fungibles::Mutate;
    let _ = <Assets as Mutate<AccountId>>::mint_into(TSLA, &who, collateral);
    Options::deposit(RuntimeOrigin::signed(who), TSLA, collateral).unwrap();
    for s in PUTS.iter().take(positions as usize) {
        Options::trade(
            RuntimeOrigin::signed(who),
            *s,
            -1,
            FixedU128::from_inner(0),
            Moment::MAX,
        )
        .unwrap();
    }
}

/// BTC 100,000 USD, 60% vol, TSLA 400 USD; an LP with 20,000 TSLA in main, an insurer with
/// 1,000 in insurance; the BTC market settled in TSLA with its series; Bob, Carol, Dave with
/// 5,000 TSLA each.
pub fn new_test_ext() -> Ext {
    new_test_ext_with_pool(20_000, 1_000)
}

/// Test externalities that check every invariant of the liquidation, options and pool
/// pallets at the end of each test (as `next_block` does after every block).
pub struct Ext(pub sp_io::TestExternalities);

impl Ext {
    pub fn execute_with<R>(&mut self, test: impl FnOnce() -> R) -> R {
        self.0.execute_with(|| {
            let r = test();
            Options::do_try_state().expect("options invariants at the end of the test");
            Pool::do_try_state().expect("pool invariants at the end of the test");
            Liquidation::do_try_state().expect("liquidation invariants at the end of the test");
            r
        })
    }
}

impl core::ops::Deref for Ext {
    type Target = sp_io::TestExternalities;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl core::ops::DerefMut for Ext {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

pub fn new_test_ext_with_pool(main: u128, insurance: u128) -> Ext {
    let mut storage = frame_system::GenesisConfig::<Test>::default()
        .build_storage()
        .unwrap();
    pallet_balances::GenesisConfig::<Test> {
        balances: vec![
            (LP, 1_000),
            (INSURER, 1_000),
            (BOB, 1_000),
            (CAROL, 1_000),
            (DAVE, 1_000),
            (KEEPER, 1_000),
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
            (TSLA, DAVE, 5_000 * TSLA_UNIT),
            (TSLA, KEEPER, TSLA_UNIT),
        ],
        next_asset_id: None,
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    pallet_pool::GenesisConfig::<Test> {
        pools: vec![(
            TSLA,
            pallet_pool::PoolParams::default(),
            vec![(LP, main * TSLA_UNIT)],
            vec![(INSURER, insurance * TSLA_UNIT)],
        )],
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    let series = [100_000u32, 95_000, 90_000, 85_000]
        .into_iter()
        .map(|k| (FixedU128::from_u32(k), OptionKind::Put))
        .chain([(FixedU128::from_u32(100_000), OptionKind::Call)])
        .collect::<Vec<_>>();
    PRICES.with(|m| m.borrow_mut().clear());
    MockPrices::set(BTC, Ok(p(100_000)));
    MockPrices::set(BTC_VOL, Ok(Price::from_rational(60, 100)));
    MockPrices::set(TSLA_KEY, Ok(p(400)));
    close_until(None);
    set_validator(None);
    pallet_options::GenesisConfig::<Test> {
        markets: vec![(CryptoIndex::Btc, TSLA, MarketParams::default(), series)],
        collateral: vec![],
        _config: Default::default(),
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| {
        System::set_block_number(1);
        pallet_timestamp::Now::<Test>::put(START);
    });
    Ext(ext)
}

/// Ends the block (the pool's receivable moves, funding accrues), checks every invariant, and
/// starts the next one.
pub fn next_block() {
    let n = System::block_number();
    Pool::on_finalize(n);
    Options::on_finalize(n);
    Options::do_try_state().unwrap();
    Pool::do_try_state().unwrap();
    Liquidation::do_try_state().unwrap();
    System::set_block_number(n + 1);
    pallet_timestamp::Now::<Test>::mutate(|t| *t += BLOCK_MS);
    Pool::on_initialize(n + 1);
    Liquidation::on_initialize(n + 1);
}
