//! A mock runtime with the real orml-oracle (median of the operators' values) and the real
//! market calendar (NYSE hours and holidays), and a mock stock registry.

use crate as pallet_prices;
use core::cell::RefCell;
use frame_support::{
    derive_impl, parameter_types,
    traits::{ConstU32, ConstU64, SortedMembers},
};
use perpetua_primitives::{AssetId, ExchangeId, OracleKey, Price, StockRegistry, StockStatus};
use sp_runtime::BuildStorage;
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Timestamp: pallet_timestamp,
        Oracle: orml_oracle,
        MarketCalendar: pallet_market_calendar,
        Prices: pallet_prices,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

impl pallet_timestamp::Config for Test {
    type Moment = u64;
    type OnTimestampSet = ();
    type MinimumPeriod = ConstU64<1>;
    type WeightInfo = ();
}

pub const OP1: AccountId = 1;
pub const OP2: AccountId = 2;
pub const OP3: AccountId = 3;
pub const STRANGER: AccountId = 9;

thread_local! {
    static OPERATORS: RefCell<Vec<AccountId>> = RefCell::new(vec![OP1, OP2, OP3]);
}

/// The operator set: OP1, OP2 and OP3 unless a test changes it.
pub struct Operators;
impl Operators {
    pub fn set(ops: Vec<AccountId>) {
        OPERATORS.with(|o| *o.borrow_mut() = ops);
    }
}
impl SortedMembers<AccountId> for Operators {
    fn sorted_members() -> Vec<AccountId> {
        OPERATORS.with(|o| o.borrow().clone())
    }
}

parameter_types! {
    pub const RootOperator: AccountId = 100;
}

impl orml_oracle::Config for Test {
    type OnNewData = ();
    /// As in the runtime: pallet-prices combines the raw values itself.
    type CombineData = pallet_prices::NoCombine;
    type Time = Timestamp;
    type OracleKey = OracleKey;
    type OracleValue = Price;
    type RootOperatorAccountId = RootOperator;
    type Members = Operators;
    type WeightInfo = ();
    type MaxHasDispatchedSize = ConstU32<16>;
    type MaxFeedValues = ConstU32<16>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = ();
}

thread_local! {
    static STOCKS: RefCell<BTreeMap<AssetId, (ExchangeId, StockStatus)>> = const { RefCell::new(BTreeMap::new()) };
}

pub struct MockStocks;
impl MockStocks {
    pub fn set(asset: AssetId, exchange: ExchangeId, status: StockStatus) {
        STOCKS.with(|s| s.borrow_mut().insert(asset, (exchange, status)));
    }
}
impl StockRegistry for MockStocks {
    fn exchange_of(asset: AssetId) -> Option<ExchangeId> {
        STOCKS.with(|s| s.borrow().get(&asset).map(|x| x.0))
    }
    fn status(asset: AssetId) -> Option<StockStatus> {
        STOCKS.with(|s| s.borrow().get(&asset).map(|x| x.1))
    }
    fn corporate_action_in_progress(_: AssetId) -> bool {
        false
    }
}

impl pallet_market_calendar::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = frame_system::EnsureRoot<AccountId>;
    type Stocks = MockStocks;
    type Time = Timestamp;
    type MaxHolidaysPerYear = ConstU32<30>;
    type MaxEarlyClosesPerYear = ConstU32<10>;
    type MaxLookaheadDays = ConstU32<14>;
    type WeightInfo = ();
}

impl pallet_prices::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = frame_system::EnsureRoot<AccountId>;
    type Oracle = pallet_prices::OrmlOracleFeed<Test>;
    type Time = Timestamp;
    type Clock = MarketCalendar;
    type Stocks = MockStocks;
    type MaxOperators = ConstU32<16>;
    type MaxFeedValues = ConstU32<16>;
    type MaxKeys = ConstU32<16>;
    type WeightInfo = ();
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = BenchHelper;
}

#[cfg(feature = "runtime-benchmarks")]
pub struct BenchHelper;
#[cfg(feature = "runtime-benchmarks")]
impl pallet_prices::BenchmarkHelper<AccountId> for BenchHelper {
    fn operator(i: u32) -> AccountId {
        OPERATORS.with(|o| {
            let mut o = o.borrow_mut();
            let who = OP1 + i as u64;
            if !o.contains(&who) {
                o.push(who);
                o.sort();
            }
            who
        })
    }
    fn stock(i: u32) -> AssetId {
        MockStocks::set(1000 + i, 0, StockStatus::Active);
        1000 + i
    }
    fn set_time(ms: u64) {
        pallet_timestamp::Now::<Test>::put(ms);
    }
}

/// TSLA: a stock on the NYSE calendar.
pub const TSLA: AssetId = 1;

pub fn new_test_ext() -> sp_io::TestExternalities {
    let (exchanges, years) = pallet_market_calendar::us_equities_genesis();
    let storage = RuntimeGenesisConfig {
        system: Default::default(),
        market_calendar: pallet_market_calendar::GenesisConfig {
            exchanges,
            years,
            _config: Default::default(),
        },
    }
    .build_storage()
    .unwrap();
    STOCKS.with(|s| s.borrow_mut().clear());
    Operators::set(vec![OP1, OP2, OP3]);
    MockStocks::set(
        TSLA,
        pallet_market_calendar::nyse::NYSE,
        StockStatus::Active,
    );
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| System::set_block_number(1));
    ext
}
