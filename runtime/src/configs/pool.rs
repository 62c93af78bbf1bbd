//! The liquidity pools: pallet-pool.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
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

/// Share tokens of the pools get asset ids from here on (stock tokens use small ids).
pub const FIRST_SHARE_ASSET_ID: u32 = 1_000_000;

impl pallet_pool::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    /// The options book: the pool is the counterparty of every option trade.
    type Book = Options;
    type Clock = MarketCalendar;
    type Stocks = Equities;
    type Prices = Prices;
    type Time = Timestamp;
    type PalletId = PoolPalletId;
    type ProtocolAccount = ProtocolAccount;
    type MaxPools = ConstU32<16>;
    type MaxQueue = ConstU32<256>;
    /// Queued LP flows executed per block at an open.
    type FlowsPerBlock = ConstU32<32>;
    type FirstShareAssetId = ConstU32<FIRST_SHARE_ASSET_ID>;
    type WeightInfo = pallet_pool::weights::SubstrateWeight<Runtime>;
}
