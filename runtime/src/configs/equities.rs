//! Stock tokens and market hours: pallet-market-calendar and pallet-equities.

use frame_support::{
    parameter_types,
    traits::{ConstU32, Get},
    weights::Weight,
    PalletId,
};
use frame_system::EnsureRoot;

use crate::{
    configs::oracle::MAX_FEED_VALUES, AccountId, Balances, Equities, MarketCalendar, Options, Pool,
    Prices, Runtime, RuntimeEvent, Timestamp,
};

/// Feed keys that are not stock tokens: BTC, ETH, their implied volatilities and PRP.
pub const NON_STOCK_FEED_KEYS: u32 = 5;
/// Most stock tokens listed at once: one oracle feed carries every key.
pub const MAX_STOCKS: u32 = MAX_FEED_VALUES - NON_STOCK_FEED_KEYS;

parameter_types! {
    pub const EquitiesPalletId: PalletId = PalletId(*b"prp/equi");
    /// What the start of an action may make the pallets do, at most: the pool's receivable of
    /// the block's trades moved first (`prepare`), the pots of the options
    /// pallet and the pool brought through (as holders of the walk), the pool's queue rescaled
    /// or every queued request paid its dividend (as heavy as executing the whole queue), the
    /// dividend's pass-through on both share tokens started, and every series of the
    /// settlement rescaled (as heavy as accruing their funding).
    pub ActionStartWeight: Weight = {
        use pallet_equities::WeightInfo as _;
        use pallet_options::WeightInfo as _;
        use pallet_pool::WeightInfo as _;
        let max_queue: u32 = <Runtime as pallet_pool::Config>::MaxQueue::get();
        let series: u32 = <Runtime as pallet_options::Config>::MaxSeriesPerSettlement::get();
        pallet_equities::weights::SubstrateWeight::<Runtime>::process_holders(2)
            .saturating_add(pallet_pool::weights::SubstrateWeight::<Runtime>::process_queue(max_queue))
            .saturating_add(
                pallet_equities::weights::SubstrateWeight::<Runtime>::declare_dividend()
                    .saturating_mul(2),
            )
            .saturating_add(pallet_options::weights::SubstrateWeight::<Runtime>::accrue_book(series))
            .saturating_add(pallet_pool::weights::SubstrateWeight::<Runtime>::settle_receivable())
    };
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
    /// Prices rescale on a split; the pools and the margin accounts carry splits and
    /// dividends through their ledgers.
    type CorporateActions = (Prices, Pool, Options);
    type ActionStartWeight = ActionStartWeight;
    type PalletId = EquitiesPalletId;
    type MaxStocks = ConstU32<MAX_STOCKS>;
    /// Upper bound of `holders_per_block`; `process_holders(1024)` fits a block.
    type MaxHoldersPerBlock = ConstU32<1024>;
    type MaxMinters = ConstU32<8>;
    /// Each dividend takes three places (the stock and its pool's two share tokens).
    type MaxConcurrentActions = ConstU32<16>;
    type MaxDeliveryRefLen = ConstU32<128>;
    type WeightInfo = pallet_equities::weights::SubstrateWeight<Runtime>;
}

/// What touching an account may add to a call while a corporate action is in progress: two
/// holders brought through the equities walk (the wallet and the other side, each paid or split
/// as the walk would), and one margin account carried through (its ledger entry, its positions'
/// funding snapshots, the action's state and a payout), plus the checks that find the action.
/// While no action is in progress, nothing: the checks that find none (`ActiveActions`, the
/// settlement's equities action read by every move of a pot, its options ledger action read by
/// every account touched) run in every benchmark of the calls that add this weight, so they are
/// in the calls' own weights (their storage lists in each pallet's `weights.rs`). So the
/// normal-time weights of trades, flows and liquidations are not inflated for the rare walk, and
/// during one every call is charged the worst case.
pub struct ActionTouchWeight;
impl Get<Weight> for ActionTouchWeight {
    fn get() -> Weight {
        use pallet_equities::WeightInfo as _;
        if pallet_equities::ActiveActions::<Runtime>::decode_len().unwrap_or(0) == 0 {
            return Weight::zero();
        }
        let checks = <Runtime as frame_system::Config>::DbWeight::get().reads(3);
        let positions: u32 = <Runtime as pallet_options::Config>::MaxPositions::get();
        let positions = positions as u64;
        checks
            .saturating_add(
                pallet_equities::weights::SubstrateWeight::<Runtime>::process_holders(2),
            )
            .saturating_add(
                <Runtime as frame_system::Config>::DbWeight::get()
                    .reads_writes(positions + 6, positions + 5),
            )
    }
}
