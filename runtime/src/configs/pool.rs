//! The liquidity pools: pallet-pool.

use frame_support::{
    parameter_types,
    traits::{ConstU32, ConstU64, Get},
    PalletId,
};
use frame_system::EnsureRoot;
use sp_runtime::traits::AccountIdConversion;

use crate::{
    AccountId, Equities, MarketCalendar, Options, Prices, Runtime, RuntimeEvent, Timestamp,
};

parameter_types! {
    pub const PoolPalletId: PalletId = PalletId(*b"prp/pool");
    /// The protocol's share of trading fees.
    pub ProtocolAccount: AccountId = PalletId(*b"prp/trsy").into_account_truncating();
}

parameter_types! {
    pub BookValuationWeight: frame_support::weights::Weight =
        <pallet_options::weights::SubstrateWeight<Runtime> as pallet_options::WeightInfo>::book_value(
            <Runtime as pallet_options::Config>::MaxSeriesPerSettlement::get(),
        );
}

/// Share tokens of the pools get asset ids from here on (stock tokens use small ids).
pub const FIRST_SHARE_ASSET_ID: u32 = 1_000_000;

impl pallet_pool::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    /// The options book: the pool is the counterparty of every option trade.
    type Book = Options;
    /// Tokens move through pallet-equities, which carries corporate actions through them.
    type Mover = Equities;
    /// Dividends on the pool's stock reach the LPs by pallet-equities' walk of the share tokens.
    type Distributor = Equities;
    type ActionTouchWeight = crate::configs::equities::ActionTouchWeight;
    type Clock = MarketCalendar;
    type Stocks = Equities;
    type Prices = Prices;
    type Time = Timestamp;
    type PalletId = PoolPalletId;
    type ProtocolAccount = ProtocolAccount;
    /// A pool per market at most (`MAX_MARKETS`).
    type MaxPools = ConstU32<{ crate::configs::options::MAX_MARKETS }>;
    type MaxQueue = ConstU32<256>;
    /// One account holds at most 4 places in a pool's queue (with `min_flow`, a flood of the
    /// 256 places needs 64 accounts with real capital, all refunded at the open).
    type MaxRequestsPerAccount = ConstU32<4>;
    /// Queued LP flows executed per block (all LP flows queue to the start of a later block).
    type FlowsPerBlock = ConstU32<32>;
    /// One block's time: `on_initialize` sees the previous block's timestamp, so a request
    /// made in block b executes at the start of block b + 2, after the liquidations that
    /// validators submit (into block b + 1) for a price that landed in block b.
    type FlowDelay = ConstU64<{ crate::MILLI_SECS_PER_BLOCK }>;
    /// Valuing a pool's book prices every series of its settlement asset, as the funding
    /// hook does for that many series.
    type BookValuationWeight = BookValuationWeight;
    type FirstShareAssetId = ConstU32<FIRST_SHARE_ASSET_ID>;
    type WeightInfo = pallet_pool::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = PoolBenchmarkHelper;
}

/// The pool's benchmarks set the timestamp pallet's clock.
#[cfg(feature = "runtime-benchmarks")]
pub struct PoolBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_pool::BenchmarkHelper for PoolBenchmarkHelper {
    fn set_time(now: perpetua_primitives::Moment) {
        pallet_timestamp::Now::<Runtime>::put(now);
    }
}
