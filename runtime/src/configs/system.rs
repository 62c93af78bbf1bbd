//! System, time and consensus: frame-system, pallet-timestamp, Aura and GRANDPA.

use frame_support::{
    derive_impl,
    dispatch::DispatchClass,
    parameter_types,
    traits::{ConstBool, ConstU32, ConstU64, InsideBoth},
    weights::{constants::WEIGHT_REF_TIME_PER_SECOND, Weight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

// `derive_impl` injects the aggregated runtime types by name: they must be in scope.
use crate::{
    AccountId, Aura, Balance, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime, RuntimeCall,
    RuntimeEvent, RuntimeOrigin, RuntimeTask, SafeMode, TxPause, BLOCK_HASH_COUNT, SLOT_DURATION,
    SS58_PREFIX, VERSION,
};

/// Share of a block that ordinary (non-operational) extrinsics may fill.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);
/// A block's weight: two seconds of a 3-second slot.
const MAXIMUM_BLOCK_WEIGHT: Weight = Weight::from_parts(2 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX);

parameter_types! {
    pub const BlockHashCount: BlockNumber = BLOCK_HASH_COUNT;
    pub const Version: RuntimeVersion = VERSION;

    /// Two seconds of weight per 3-second block (1.5 s of it for normal extrinsics). A block
    /// that uses it all executes in well under that on the release node, so its author and
    /// every importer finish inside the slot: measured with `benchmark block` against blocks
    /// of the load test, see docs/THROUGHPUT.md. An empty block's execution and each
    /// extrinsic's base are measured on this machine (`scripts/base-weights.sh`), not
    /// Substrate's reference figures; otherwise as `BlockWeights::with_sensible_defaults`.
    pub RuntimeBlockWeights: BlockWeights = BlockWeights::builder()
        .base_block(crate::weights::block_weights::BlockExecutionWeight::get())
        .for_class(DispatchClass::all(), |weights| {
            weights.base_extrinsic = crate::weights::extrinsic_weights::ExtrinsicBaseWeight::get();
        })
        .for_class(DispatchClass::Normal, |weights| {
            weights.max_total = Some(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT);
        })
        .for_class(DispatchClass::Operational, |weights| {
            weights.max_total = Some(MAXIMUM_BLOCK_WEIGHT);
            weights.reserved =
                Some(MAXIMUM_BLOCK_WEIGHT.saturating_sub(NORMAL_DISPATCH_RATIO * MAXIMUM_BLOCK_WEIGHT));
        })
        .avg_block_initialization(Perbill::from_percent(10))
        .build_or_panic();
    pub RuntimeBlockLength: BlockLength =
        BlockLength::max_with_normal_ratio(5 * 1024 * 1024, NORMAL_DISPATCH_RATIO);
    pub const SS58Prefix: u16 = SS58_PREFIX;
}

/// Calls that are not dispatched from signed transactions:
/// - orml-oracle's own `feed_values` (operators feed through pallet-prices, which checks
///   every key and value);
/// - pallet-assets' `refund` with `allow_burn`: it deletes the account's balance without
///   taking it off the supply (pallet-assets stable2506), so a stock's supply, which its
///   reserve attestation covers, or a pool tranche's share count, which its NAV per share
///   divides by, would count tokens nobody holds. Found by the fuzzer (docs/FUZZING.md).
///   Stock tokens leave through `Equities.redeem`, shares through `Pool.withdraw`; a refund
///   of an empty account is still open.
///
/// On top of these, the emergency brake: pallet-safe-mode and pallet-tx-pause (see
/// `configs/governance.rs`).
pub struct BaseFilter;
impl frame_support::traits::Contains<RuntimeCall> for BaseFilter {
    fn contains(call: &RuntimeCall) -> bool {
        !matches!(
            call,
            RuntimeCall::Oracle(orml_oracle::Call::feed_values { .. })
                | RuntimeCall::Assets(pallet_assets::Call::refund {
                    allow_burn: true,
                    ..
                })
        )
    }
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
    type BaseCallFilter = InsideBoth<BaseFilter, InsideBoth<SafeMode, TxPause>>;
    type Block = Block;
    type BlockWeights = RuntimeBlockWeights;
    type BlockLength = RuntimeBlockLength;
    type AccountId = AccountId;
    type Nonce = Nonce;
    type Hash = Hash;
    type BlockHashCount = BlockHashCount;
    /// The node stores state in ParityDB: its read and write weights as measured on this
    /// project's machine (`scripts/db-weights.sh`), not Substrate's defaults.
    type DbWeight = crate::weights::paritydb_weights::constants::ParityDbWeight;
    /// The transaction extensions' weights (nonce, era, genesis, weight reclaim...) measured on
    /// this machine at this runtime's `DbWeight` (`scripts/base-weights.sh`). The default (`()`)
    /// prices their storage at RocksDB's 25/100 us and charged every extrinsic about 0.5 ms for
    /// them (measured in a block of the load test).
    type ExtensionsWeightInfo = crate::weights::frame_system_extensions::WeightInfo<Runtime>;
    type Version = Version;
    type AccountData = pallet_balances::AccountData<Balance>;
    type SS58Prefix = SS58Prefix;
    type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
    type AuthorityId = AuraId;
    type DisabledValidators = ();
    type MaxAuthorities = ConstU32<{ super::validators::MAX_VALIDATORS }>;
    type AllowMultipleBlocksPerSlot = ConstBool<false>;
    type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    type MaxAuthorities = ConstU32<{ super::validators::MAX_VALIDATORS }>;
    type MaxNominators = ConstU32<0>;
    type MaxSetIdSessionEntries = ConstU64<0>;
    type KeyOwnerProof = sp_core::Void;
    type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
    /// Milliseconds since the Unix epoch: the market calendar and price freshness use it.
    type Moment = u64;
    type OnTimestampSet = Aura;
    type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
    type WeightInfo = ();
}
