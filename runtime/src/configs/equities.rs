//! Stock tokens and market hours: pallet-market-calendar and pallet-equities.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use frame_system::EnsureRoot;

use crate::{
    configs::oracle::MAX_FEED_VALUES, AccountId, Balances, Equities, MarketCalendar, Pool, Prices,
    Runtime, RuntimeEvent, Timestamp,
};

/// Feed keys that are not stock tokens: BTC, ETH, their implied volatilities and PRP.
pub const NON_STOCK_FEED_KEYS: u32 = 5;
/// Most stock tokens listed at once: one oracle feed carries every key.
pub const MAX_STOCKS: u32 = MAX_FEED_VALUES - NON_STOCK_FEED_KEYS;

parameter_types! {
    pub const EquitiesPalletId: PalletId = PalletId(*b"prp/equi");
}

impl pallet_market_calendar::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type Stocks = Equities;
    type Time = Timestamp;
    type MaxHolidaysPerYear = ConstU32<30>;
    type MaxEarlyClosesPerYear = ConstU32<10>;
    /// Two weeks: longer than any closure since 1933 but 9/11 (four trading days).
    type MaxLookaheadDays = ConstU32<14>;
    type WeightInfo = pallet_market_calendar::weights::SubstrateWeight<Runtime>;
}

impl pallet_equities::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type NativeCurrency = Balances;
    type Time = Timestamp;
    type Exchanges = MarketCalendar;
    /// Prices and the pools' ledgers rescale on a split (later also margin accounts).
    type CorporateActions = (Prices, Pool);
    type PalletId = EquitiesPalletId;
    type MaxStocks = ConstU32<MAX_STOCKS>;
    /// Upper bound of `holders_per_block`; `process_holders(1024)` fits a block.
    type MaxHoldersPerBlock = ConstU32<1024>;
    type MaxMinters = ConstU32<8>;
    type MaxConcurrentActions = ConstU32<4>;
    type MaxDeliveryRefLen = ConstU32<128>;
    type WeightInfo = pallet_equities::weights::SubstrateWeight<Runtime>;
}
