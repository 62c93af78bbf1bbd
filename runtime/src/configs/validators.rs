//! The validator set: pallet-session rotates Aura's and GRANDPA's keys at each session change,
//! pallet-validator-set says who validates (changed by `Root`: through the committee's delay)
//! and how long a session is.

use frame_support::{parameter_types, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::traits::{ConvertInto, OpaqueKeys};

use crate::{AccountId, BlockNumber, Runtime, RuntimeEvent, SessionKeys, ValidatorSet, DAYS};

/// The most validators; Aura's and GRANDPA's `MaxAuthorities`.
pub const MAX_VALIDATORS: u32 = 32;

parameter_types! {
    /// A session is at least 10 blocks (30 s: test networks) and at most a day.
    pub const MinSessionLength: BlockNumber = 10;
    pub const MaxSessionLength: BlockNumber = DAYS;
}

impl pallet_session::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    /// A validator is identified by its account.
    type ValidatorId = AccountId;
    type ValidatorIdOf = ConvertInto;
    /// The validator set ends sessions in its own block hook, charging a rotation's measured
    /// weight (pallet-session's hook would charge the whole block).
    type ShouldEndSession = pallet_validator_set::RotatedByValidatorSet;
    type NextSessionRotation = ValidatorSet;
    type SessionManager = ValidatorSet;
    /// Aura and GRANDPA learn each new session's keys.
    type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
    type Keys = SessionKeys;
    /// No slashing on this chain: offences do not disable validators; governance removes them.
    type DisablingStrategy = ();
    type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
}

impl pallet_validator_set::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type MaxValidators = ConstU32<MAX_VALIDATORS>;
    /// A development chain runs one validator.
    type MinValidators = ConstU32<1>;
    type MinSessionLength = MinSessionLength;
    type MaxSessionLength = MaxSessionLength;
    type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
}
