//! pallet-assets: stock tokens (and, later, LP share tokens).
//!
//! Nobody can create an asset with a plain signed `create`: a fake "TSLA" must not be one
//! extrinsic away. Stock tokens are created by listing in pallet-equities, pool share tokens
//! by pallet-pool, both as *sufficient* assets so that an account holding only a stock token
//! (for example one bridged in from another chain) exists without holding PRP.
//!
//! Every asset is managed by its pallet (owner, issuer, admin and freezer are the pallet's
//! account, which nobody signs for), and pallet-assets' `ForceOrigin` calls are open to
//! pallet-equities' and pallet-pool's accounts only (they name the tokens they create with
//! `force_set_metadata`), not to root: `force_asset_status` could thaw a stock in the middle of its
//! corporate action (holders would then move balances the walk has not reached, and be paid
//! twice), change its minimum balance under the pools' pots, or hand its admin role to an
//! account that could `force_transfer` out of them; `start_destroy` could destroy a stock
//! with holders. The fuzzer found the first (docs/FUZZING.md). Listing, delisting, halting
//! and freezing go through pallet-equities.

use frame_support::{
    parameter_types,
    traits::{AsEnsureOriginWithArg, ConstU32, NeverEnsureOrigin, SortedMembers},
};
use frame_system::EnsureSignedBy;

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

/// The accounts pallet-assets' `ForceOrigin` calls are open to: pallet-equities' and
/// pallet-pool's own, which name the stock and share tokens they create.
pub struct AssetManagers;
impl SortedMembers<AccountId> for AssetManagers {
    fn sorted_members() -> alloc::vec::Vec<AccountId> {
        let mut managers = alloc::vec![crate::Equities::account_id(), crate::Pool::owner()];
        managers.sort();
        managers
    }
}

impl pallet_assets::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type Balance = Balance;
    type RemoveItemsLimit = ConstU32<1000>;
    type AssetId = AssetId;
    type AssetIdParameter = codec::Compact<AssetId>;
    type Currency = Balances;
    type CreateOrigin = AsEnsureOriginWithArg<NeverEnsureOrigin<AccountId>>;
    type ForceOrigin = EnsureSignedBy<AssetManagers, AccountId>;
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
