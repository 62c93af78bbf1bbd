//! pallet-assets: stock tokens (and, later, LP share tokens).
//!
//! Nobody can create an asset with a plain signed `create`: a fake "TSLA" must not be one
//! extrinsic away. Stock tokens are created by listing (root, later pallet-equities) with
//! `force_create`, as *sufficient* assets so that an account holding only a stock token (for
//! example one bridged in from another chain) exists without holding PRP.

use frame_support::{
    parameter_types,
    traits::{AsEnsureOriginWithArg, ConstU32, NeverEnsureOrigin},
};
use frame_system::EnsureRoot;

use crate::{AccountId, AssetId, Balance, Balances, Runtime, RuntimeEvent, MILLI_UNIT, UNIT};

parameter_types! {
    /// Deposit reserved to create an asset (only admins create assets, see above).
    pub const AssetDeposit: Balance = 10 * UNIT;
    /// Deposit for an account of a non-sufficient asset.
    pub const AssetAccountDeposit: Balance = MILLI_UNIT;
    pub const MetadataDepositBase: Balance = UNIT;
    pub const MetadataDepositPerByte: Balance = 10 * MILLI_UNIT;
    pub const ApprovalDeposit: Balance = MILLI_UNIT;
}

impl pallet_assets::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type Balance = Balance;
    type RemoveItemsLimit = ConstU32<1000>;
    type AssetId = AssetId;
    type AssetIdParameter = codec::Compact<AssetId>;
    type Currency = Balances;
    type CreateOrigin = AsEnsureOriginWithArg<NeverEnsureOrigin<AccountId>>;
    type ForceOrigin = EnsureRoot<AccountId>;
    type AssetDeposit = AssetDeposit;
    type AssetAccountDeposit = AssetAccountDeposit;
    type MetadataDepositBase = MetadataDepositBase;
    type MetadataDepositPerByte = MetadataDepositPerByte;
    type ApprovalDeposit = ApprovalDeposit;
    type StringLimit = ConstU32<50>;
    type Freezer = ();
    type Holder = ();
    type Extra = ();
    type CallbackHandle = ();
    type WeightInfo = pallet_assets::weights::SubstrateWeight<Runtime>;
    #[cfg(feature = "runtime-benchmarks")]
    type BenchmarkHelper = ();
}
