//! A mock runtime: frame-system, pallet-timestamp and the calendar, with the NYSE and Nasdaq
//! of genesis and a mock stock registry.

use crate as pallet_market_calendar;
use core::cell::RefCell;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use perpetua_primitives::{AssetId, ExchangeId, StockRegistry, StockStatus};
use sp_runtime::BuildStorage;
use std::collections::BTreeMap;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Timestamp: pallet_timestamp,
        MarketCalendar: pallet_market_calendar,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

impl pallet_timestamp::Config for Test {
    type Moment = u64;
    type OnTimestampSet = ();
    type MinimumPeriod = frame_support::traits::ConstU64<1>;
    type WeightInfo = ();
}

thread_local! {
    static STOCKS: RefCell<BTreeMap<AssetId, (ExchangeId, StockStatus)>> = const { RefCell::new(BTreeMap::new()) };
}

/// A stock registry the tests fill in.
pub struct MockStocks;
impl MockStocks {
    pub fn list(asset: AssetId, exchange: ExchangeId, status: StockStatus) {
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

parameter_types! {
    pub const MaxLookaheadDays: u32 = 14;
}

impl pallet_market_calendar::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = frame_system::EnsureRoot<u64>;
    type Stocks = MockStocks;
    type Time = Timestamp;
    type MaxHolidaysPerYear = ConstU32<30>;
    type MaxEarlyClosesPerYear = ConstU32<10>;
    type MaxLookaheadDays = MaxLookaheadDays;
    type WeightInfo = ();
}

/// Genesis with the US equity exchanges and their 2025-2027 calendars; TSLA (1) on the NYSE.
pub fn new_test_ext() -> sp_io::TestExternalities {
    let (exchanges, years) = crate::us_equities_genesis();
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
    MockStocks::list(1, crate::nyse::NYSE, StockStatus::Active);
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| System::set_block_number(1));
    ext
}
