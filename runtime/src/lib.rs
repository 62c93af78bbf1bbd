//! The Perpetua runtime.
//!
//! Tokenized US stocks as live margin: stock tokens on pallet-assets, an orml-oracle price feed,
//! and (in later pallets) stock-market hours, perpetual options on BTC and ETH settled in stock
//! tokens, a liquidity pool per settlement asset and liquidation by offchain workers.
//!
//! Pallet configuration lives in [`configs`], split by domain; runtime APIs in [`apis`]; genesis
//! presets in [`genesis_config_presets`].
#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` expands to a very deep type.
#![recursion_limit = "512"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
#[cfg(feature = "std")]
pub mod signing;
pub mod weights;

extern crate alloc;
use alloc::vec::Vec;

use sp_runtime::{
    generic, impl_opaque_keys,
    traits::{BlakeTwo256, IdentifyAccount, Verify},
    MultiAddress, MultiSignature,
};
#[cfg(feature = "std")]
use sp_version::NativeVersion;
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
pub use perpetua_primitives::{AssetId, CryptoIndex, OracleKey, Price};
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types, used by the node: it does not need to know the runtime's extrinsic format.
pub mod opaque {
    use super::*;
    use sp_runtime::traits::Hash as HashT;

    pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

    /// Opaque block header type.
    pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
    /// Opaque block type.
    pub type Block = generic::Block<Header, UncheckedExtrinsic>;
    /// Opaque block identifier type.
    pub type BlockId = generic::BlockId<Block>;
    /// Opaque block hash type.
    pub type Hash = <BlakeTwo256 as HashT>::Output;
}

impl_opaque_keys! {
    pub struct SessionKeys {
        pub aura: Aura,
        pub grandpa: Grandpa,
    }
}

#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
    spec_name: alloc::borrow::Cow::Borrowed("perpetua"),
    impl_name: alloc::borrow::Cow::Borrowed("perpetua-node"),
    authoring_version: 1,
    // Bump on every change of runtime logic; the node only runs the on-chain wasm. 101: the
    // release of chain-spec/release/ (100) plus `Migrations` (docs/UPGRADES.md).
    spec_version: 101,
    impl_version: 1,
    apis: apis::RUNTIME_API_VERSIONS,
    // Bump when the extrinsic format or a call's index/arguments change.
    transaction_version: 1,
    system_version: 1,
};

/// Block times. The chain trades 24/7; margin and funding accrue every block.
mod block_times {
    /// Target block time. Aura produces one block per slot; pallet-timestamp's minimum period
    /// is half of this.
    pub const MILLI_SECS_PER_BLOCK: u64 = 3000;
    /// Cannot be changed once the chain has started: block production would stop.
    pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
}
pub use block_times::*;

/// Time measured in blocks.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
pub const HOURS: BlockNumber = MINUTES * 60;
pub const DAYS: BlockNumber = HOURS * 24;

pub const BLOCK_HASH_COUNT: BlockNumber = 2400;

/// The native token, PRP, has 12 decimals.
pub const TOKEN_SYMBOL: &str = "PRP";
pub const TOKEN_DECIMALS: u8 = 12;
/// Generic Substrate address format: Polkadot.js and every wallet know it.
pub const SS58_PREFIX: u16 = 42;

/// One PRP in base units.
pub const UNIT: Balance = 1_000_000_000_000;
pub const MILLI_UNIT: Balance = 1_000_000_000;
pub const MICRO_UNIT: Balance = 1_000_000;

/// Existential deposit of the native token.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// The version information used to identify this runtime when compiled natively.
#[cfg(feature = "std")]
pub fn native_version() -> NativeVersion {
    NativeVersion {
        runtime_version: VERSION,
        can_author_with: Default::default(),
    }
}

/// Transaction signature.
pub type Signature = MultiSignature;
/// An account: the public key of the signature scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balance of an account, in any asset's base units.
pub type Balance = perpetua_primitives::Balance;
/// Index of a transaction in the chain.
pub type Nonce = u32;
/// A hash of some data used by the chain.
pub type Hash = sp_core::H256;
/// An index to a block.
pub type BlockNumber = u32;
/// The address format for describing accounts.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A Block signed with a Justification.
pub type SignedBlock = generic::SignedBlock<Block>;
/// BlockId type as expected by this runtime.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions. `CheckMetadataHash` lets wallets and hardware signers verify the
/// metadata they decode a call with (the node builds the wasm with the `metadata-hash` feature).
pub type TxExtension = (
    frame_system::CheckNonZeroSender<Runtime>,
    frame_system::CheckSpecVersion<Runtime>,
    frame_system::CheckTxVersion<Runtime>,
    frame_system::CheckGenesis<Runtime>,
    frame_system::CheckEra<Runtime>,
    frame_system::CheckNonce<Runtime>,
    frame_system::CheckWeight<Runtime>,
    pallet_prices::PrioritizeFeeds<Runtime>,
    pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
    frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
    frame_system::WeightReclaim<Runtime>,
);

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
    generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// The storage migrations from the last release (spec 100, chain-spec/release/) to this
/// runtime, run once in the first block of the new code. Each is versioned: it runs only on a
/// chain at the storage version it starts from, so a fresh chain (whose genesis writes the
/// current versions) skips it. Remove one when no chain to upgrade is older than it.
pub type Migrations = (
    pallet_equities::migrations::v1::MigrateV0ToV1<Runtime>,
    pallet_options::migrations::v1::MigrateV0ToV1<Runtime>,
    pallet_options::migrations::v2::MigrateV1ToV2<Runtime>,
);

/// Executive: handles dispatch to the various modules.
pub type Executive = frame_executive::Executive<
    Runtime,
    Block,
    frame_system::ChainContext<Runtime>,
    Runtime,
    AllPalletsWithSystem,
    Migrations,
>;

#[frame_support::runtime]
mod runtime {
    #[runtime::runtime]
    #[runtime::derive(
        RuntimeCall,
        RuntimeEvent,
        RuntimeError,
        RuntimeOrigin,
        RuntimeFreezeReason,
        RuntimeHoldReason,
        RuntimeSlashReason,
        RuntimeLockId,
        RuntimeTask,
        RuntimeViewFunction
    )]
    pub struct Runtime;

    // --- System and consensus
    #[runtime::pallet_index(0)]
    pub type System = frame_system;
    #[runtime::pallet_index(1)]
    pub type Timestamp = pallet_timestamp;
    // Session before Aura and GRANDPA: its genesis gives them their authorities. The validator
    // set after Session: its genesis copies Session's.
    #[runtime::pallet_index(11)]
    pub type Session = pallet_session;
    #[runtime::pallet_index(12)]
    pub type ValidatorSet = pallet_validator_set;
    #[runtime::pallet_index(2)]
    pub type Aura = pallet_aura;
    #[runtime::pallet_index(3)]
    pub type Grandpa = pallet_grandpa;

    // --- Money
    #[runtime::pallet_index(4)]
    pub type Balances = pallet_balances;
    #[runtime::pallet_index(5)]
    pub type TransactionPayment = pallet_transaction_payment;
    #[runtime::pallet_index(8)]
    pub type Assets = pallet_assets;

    // --- Governance and utilities (configs/governance.rs)
    #[runtime::pallet_index(6)]
    pub type Sudo = pallet_sudo;
    #[runtime::pallet_index(7)]
    pub type Utility = pallet_utility;
    #[runtime::pallet_index(13)]
    pub type Preimage = pallet_preimage;
    #[runtime::pallet_index(14)]
    pub type Scheduler = pallet_scheduler;
    #[runtime::pallet_index(15)]
    pub type TechnicalCommittee = pallet_collective<Instance1>;
    #[runtime::pallet_index(16)]
    pub type TechnicalMembership = pallet_membership<Instance2>;
    #[runtime::pallet_index(17)]
    pub type Governance = pallet_governance;
    #[runtime::pallet_index(18)]
    pub type Multisig = pallet_multisig;
    #[runtime::pallet_index(19)]
    pub type SafeMode = pallet_safe_mode;
    #[runtime::pallet_index(26)]
    pub type TxPause = pallet_tx_pause;

    // --- Oracle
    #[runtime::pallet_index(9)]
    pub type OracleOperators = pallet_membership<Instance1>;
    #[runtime::pallet_index(10)]
    pub type Oracle = orml_oracle;

    // --- Stock tokens and market hours
    #[runtime::pallet_index(20)]
    pub type MarketCalendar = pallet_market_calendar;
    #[runtime::pallet_index(21)]
    pub type Equities = pallet_equities;
    #[runtime::pallet_index(22)]
    pub type Prices = pallet_prices;

    // --- Liquidity and options
    #[runtime::pallet_index(23)]
    pub type Pool = pallet_pool;
    #[runtime::pallet_index(24)]
    pub type Options = pallet_options;
    #[runtime::pallet_index(25)]
    pub type Liquidation = pallet_liquidation;
}
