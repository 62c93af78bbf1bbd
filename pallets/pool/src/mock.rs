//! A mock runtime: frame-system, pallet-balances, pallet-assets, pallet-timestamp and the pool,
//! with a mock book (unrealised PnL), market clock, stock registry and prices.

use crate as pallet_pool;
use core::cell::RefCell;
use frame_support::{
    derive_impl, parameter_types,
    traits::{AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64},
    PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use perpetua_primitives::{
    AssetId, Balance, BookValue, ExchangeId, MarketClock, Moment, OracleKey, PoolBook, Price,
    PriceError, PriceProvider, Session, StockRegistry, StockStatus,
};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Assets: pallet_assets,
        Timestamp: pallet_timestamp,
        Pool: pallet_pool,
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
    /// Root for the tests; the pallet itself calls `force_set_metadata` as its account.
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
    pub static UNREALISED: RefCell<Result<i128, PriceError>> = const { RefCell::new(Ok(0)) };
    pub static UNCOLLECTIBLE: RefCell<Balance> = const { RefCell::new(0) };
    pub static MARKET_OPEN: RefCell<bool> = const { RefCell::new(true) };
    pub static FRESH: RefCell<bool> = const { RefCell::new(true) };
}

/// The options book as the pool sees it.
pub struct MockBook;
impl MockBook {
    pub fn set(u: Result<i128, PriceError>) {
        UNREALISED.with(|x| *x.borrow_mut() = u);
    }
}
impl MockBook {
    /// Of the book's receivable, this much cannot be collected.
    pub fn set_uncollectible(u: Balance) {
        UNCOLLECTIBLE.with(|x| *x.borrow_mut() = u);
    }
}
impl PoolBook for MockBook {
    fn book_value(_: AssetId, _: Balance) -> Result<BookValue, PriceError> {
        Ok(BookValue {
            value: UNREALISED.with(|x| *x.borrow())?,
            uncollectible: UNCOLLECTIBLE.with(|x| *x.borrow()),
        })
    }
}

pub struct MockClock;
pub fn set_market_open(open: bool) {
    MARKET_OPEN.with(|x| *x.borrow_mut() = open);
}
impl MarketClock for MockClock {
    fn session(_: AssetId, now: Moment) -> Option<Session> {
        Some(if MARKET_OPEN.with(|x| *x.borrow()) {
            Session::Open {
                closes_at: now + 3_600_000,
            }
        } else {
            Session::Closed {
                next_open: Some(now + 3_600_000),
            }
        })
    }
    fn exchange_session(_: ExchangeId, now: Moment) -> Option<Session> {
        Self::session(0, now)
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

pub struct MockPrices;
pub fn set_fresh(fresh: bool) {
    FRESH.with(|x| *x.borrow_mut() = fresh);
}
impl PriceProvider for MockPrices {
    fn price(_: OracleKey) -> Result<Price, PriceError> {
        Ok(Price::from_u32(400))
    }
    fn is_fresh(_: OracleKey) -> bool {
        FRESH.with(|x| *x.borrow())
    }
    fn ema_price(k: OracleKey) -> Result<Price, PriceError> {
        Self::price(k)
    }
    /// Markets are open and prices fresh: nothing unpriced.
    fn unpriced_interval(_: AssetId) -> Option<perpetua_primitives::Moment> {
        Some(0)
    }
}

parameter_types! {
    pub const PoolPalletId: PalletId = PalletId(*b"prp/pool");
    pub const Protocol: AccountId = 999;
    pub BookWeight: frame_support::weights::Weight = frame_support::weights::Weight::from_parts(1_000, 0);
}

impl pallet_pool::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type Book = MockBook;
    type Mover = crate::PlainAssets<Test, Balances>;
    type Distributor = crate::PlainAssets<Test, Balances>;
    type ActionTouchWeight = ();
    type Clock = MockClock;
    type Stocks = MockStocks;
    type Prices = MockPrices;
    type Time = Timestamp;
    type PalletId = PoolPalletId;
    type ProtocolAccount = Protocol;
    type MaxPools = ConstU32<4>;
    type MaxQueue = ConstU32<8>;
    type MaxRequestsPerAccount = ConstU32<2>;
    type FlowsPerBlock = ConstU32<3>;
    type FlowDelay = ConstU64<0>;
    type BookValuationWeight = BookWeight;
    type FirstShareAssetId = ConstU32<1_000_000>;
    type WeightInfo = ();
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = BenchTime;
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
/// The options pallet's margin pot.
pub const POT: AccountId = 50;
/// A stock token used as settlement asset.
pub const TSLA: AssetId = 1;
/// A 24/7 settlement asset.
pub const USDX: AssetId = 2;

pub fn new_test_ext() -> sp_io::TestExternalities {
    let mut storage = frame_system::GenesisConfig::<Test>::default()
        .build_storage()
        .unwrap();
    pallet_balances::GenesisConfig::<Test> {
        balances: vec![
            (ALICE, 1_000),
            (BOB, 1_000),
            (CHARLIE, 1_000),
            (POT, 1_000),
            (Protocol::get(), 1),
        ],
        ..Default::default()
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    pallet_assets::GenesisConfig::<Test> {
        assets: vec![(TSLA, ALICE, true, 1), (USDX, ALICE, true, 1)],
        metadata: vec![
            (TSLA, b"Tesla".to_vec(), b"TSLA".to_vec(), 6),
            (USDX, b"USD X".to_vec(), b"USDX".to_vec(), 6),
        ],
        accounts: vec![
            (TSLA, ALICE, 1_000_000_000),
            (TSLA, BOB, 1_000_000_000),
            (TSLA, CHARLIE, 1_000_000_000),
            (TSLA, POT, 1_000_000_000),
            (USDX, ALICE, 1_000_000_000),
        ],
        next_asset_id: None,
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    MockBook::set(Ok(0));
    MockBook::set_uncollectible(0);
    set_market_open(true);
    set_fresh(true);
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| {
        System::set_block_number(1);
        pallet_timestamp::Now::<Test>::put(1_000_000_000);
    });
    ext
}

/// Benchmarks set the timestamp pallet's clock.
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchTime;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for BenchTime {
    fn set_time(now: perpetua_primitives::Moment) {
        pallet_timestamp::Now::<Test>::put(now);
    }
}
