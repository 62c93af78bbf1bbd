//! Who may change the chain, and how fast.
//!
//! - Every admin call of every pallet (risk parameters, listings, oracle operators, the
//!   validator set, the calendar, runtime upgrades) is `Root`.
//! - Outside the development chain nobody holds `Root`. The technical committee
//!   (pallet-collective, members kept by pallet-membership) reaches it only through
//!   pallet-governance: a motion of two thirds of the committee schedules the change, and
//!   pallet-scheduler dispatches it as `Root` after the enactment delay. A committee majority
//!   can veto it until then.
//! - The emergency brake needs no delay: a committee majority can put the chain in safe mode
//!   (pallet-safe-mode: only [`SafeModeWhitelist`] calls work) or pause single calls
//!   (pallet-tx-pause). Neither can stop liquidations, margin top-ups, withdrawals of free
//!   collateral, price feeds or governance itself.
//! - Custodians are multisig accounts (pallet-multisig).
//! - pallet-sudo holds `Root` only on the development chain: its preset names a key, every
//!   other preset names none, so `sudo` calls fail there (`RequireSudo`). It stays in the
//!   runtime so one wasm serves both.

use frame_support::{
    parameter_types,
    traits::{
        fungible::HoldConsideration, ConstU32, Contains, EitherOfDiverse, EqualPrivilegeOnly,
        LinearStoragePrice,
    },
    weights::Weight,
};
use frame_system::EnsureRoot;
use pallet_tx_pause::RuntimeCallNameOf;
use sp_runtime::Perbill;

use super::RuntimeBlockWeights;

use crate::{
    AccountId, Balance, Balances, BlockNumber, OriginCaller, Preimage, Runtime, RuntimeCall,
    RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler, DAYS, MILLI_UNIT, UNIT,
};

// --- The technical committee

/// The committee's pallet-collective instance.
pub type TechnicalCollective = pallet_collective::Instance1;
/// The pallet-membership instance that keeps the committee's members.
pub type TechnicalMembershipInstance = pallet_membership::Instance2;

/// More than half of the committee.
pub type CommitteeMajority =
    pallet_collective::EnsureProportionMoreThan<AccountId, TechnicalCollective, 1, 2>;
/// At least two thirds of the committee.
pub type CommitteeTwoThirds =
    pallet_collective::EnsureProportionAtLeast<AccountId, TechnicalCollective, 2, 3>;

/// The most committee members.
pub const MAX_COMMITTEE_MEMBERS: u32 = 16;

parameter_types! {
    /// A motion that has not reached its threshold closes after this long.
    pub const MotionDuration: BlockNumber = 3 * DAYS;
    /// The heaviest call a motion may carry: half a block.
    pub MaxProposalWeight: Weight = Perbill::from_percent(50) * RuntimeBlockWeights::get().max_block;
}

impl pallet_collective::Config<TechnicalCollective> for Runtime {
    type RuntimeOrigin = RuntimeOrigin;
    type Proposal = RuntimeCall;
    type RuntimeEvent = RuntimeEvent;
    type MotionDuration = MotionDuration;
    type MaxProposals = ConstU32<32>;
    type MaxMembers = ConstU32<MAX_COMMITTEE_MEMBERS>;
    type DefaultVote = pallet_collective::PrimeDefaultVote;
    type WeightInfo = pallet_collective::weights::SubstrateWeight<Runtime>;
    /// Members change through pallet-membership, which is `Root`: through the delay.
    type SetMembersOrigin = EnsureRoot<AccountId>;
    type MaxProposalWeight = MaxProposalWeight;
    type DisapproveOrigin = EnsureRoot<AccountId>;
    type KillOrigin = EnsureRoot<AccountId>;
    /// Members are known and few: no proposal deposit.
    type Consideration = ();
}

impl pallet_membership::Config<TechnicalMembershipInstance> for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type AddOrigin = EnsureRoot<AccountId>;
    type RemoveOrigin = EnsureRoot<AccountId>;
    type SwapOrigin = EnsureRoot<AccountId>;
    type ResetOrigin = EnsureRoot<AccountId>;
    type PrimeOrigin = EnsureRoot<AccountId>;
    type MembershipInitialized = crate::TechnicalCommittee;
    type MembershipChanged = crate::TechnicalCommittee;
    type MaxMembers = ConstU32<MAX_COMMITTEE_MEMBERS>;
    type WeightInfo = pallet_membership::weights::SubstrateWeight<Runtime>;
}

// --- Delayed changes: pallet-governance on pallet-scheduler and pallet-preimage

/// Most tasks the scheduler holds for one block.
pub const MAX_SCHEDULED_PER_BLOCK: u32 = 50;
/// Longest call a change may carry. A runtime upgrade is `System.authorize_upgrade` with the
/// code's hash; anyone then submits the code with `System.apply_authorized_upgrade`.
pub const MAX_CHANGE_CALL_LEN: u32 = 16 * 1024;

parameter_types! {
    /// The scheduler may fill 80% of a block.
    pub MaximumSchedulerWeight: Weight =
        Perbill::from_percent(80) * RuntimeBlockWeights::get().max_block;
    /// A change's call must fit the same half block a motion's does.
    pub MaxChangeWeight: Weight = MaxProposalWeight::get();
    pub ScheduleNamedWeight: Weight =
        <pallet_scheduler::weights::SubstrateWeight<Runtime> as pallet_scheduler::WeightInfo>::schedule_named(MAX_SCHEDULED_PER_BLOCK);
    pub CancelNamedWeight: Weight =
        <pallet_scheduler::weights::SubstrateWeight<Runtime> as pallet_scheduler::WeightInfo>::cancel_named(MAX_SCHEDULED_PER_BLOCK);
    /// Anyone may note a preimage, for a deposit held while it is stored.
    pub const PreimageBaseDeposit: Balance = UNIT;
    pub const PreimageByteDeposit: Balance = MILLI_UNIT;
    pub const PreimageHoldReason: RuntimeHoldReason =
        RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
}

impl pallet_preimage::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
    type Currency = Balances;
    type ManagerOrigin = EnsureRoot<AccountId>;
    type Consideration = HoldConsideration<
        AccountId,
        Balances,
        PreimageHoldReason,
        LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
    >;
}

impl pallet_scheduler::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeOrigin = RuntimeOrigin;
    type PalletsOrigin = OriginCaller;
    type RuntimeCall = RuntimeCall;
    type MaximumWeight = MaximumSchedulerWeight;
    /// Only `Root` schedules directly; the committee schedules through pallet-governance.
    type ScheduleOrigin = EnsureRoot<AccountId>;
    type OriginPrivilegeCmp = EqualPrivilegeOnly;
    type MaxScheduledPerBlock = ConstU32<MAX_SCHEDULED_PER_BLOCK>;
    type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
    type Preimages = Preimage;
    type BlockNumberProvider = crate::System;
}

parameter_types! {
    /// The shortest delay a chain may set: 10 blocks (30 s), so that test networks enact
    /// within a test. A live network's genesis sets days (docs/GOVERNANCE.md).
    pub const MinEnactmentDelay: BlockNumber = 10;
    pub const MaxEnactmentDelay: BlockNumber = 30 * DAYS;
}

impl pallet_governance::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type PalletsOrigin = OriginCaller;
    type Scheduler = Scheduler;
    type Preimages = Preimage;
    type ProposeOrigin = CommitteeTwoThirds;
    type VetoOrigin = CommitteeMajority;
    type MinDelay = MinEnactmentDelay;
    type MaxDelay = MaxEnactmentDelay;
    type MaxPending = ConstU32<32>;
    type MaxCallLen = ConstU32<MAX_CHANGE_CALL_LEN>;
    type MaxCallWeight = MaxChangeWeight;
    type ScheduleWeight = ScheduleNamedWeight;
    type CancelWeight = CancelNamedWeight;
    type WeightInfo = pallet_governance::weights::SubstrateWeight<Runtime>;
}

// --- The emergency brake

/// Calls that work in safe mode, and that pallet-tx-pause cannot pause: what keeps the chain
/// safe while it is braked.
/// - consensus, time and governance: System, Timestamp, Session, Grandpa, the committee,
///   governance, the brake itself, the scheduler, preimages, multisig and utility (their inner
///   calls are filtered again), sudo (dev only);
/// - prices: operators' feeds and their confirmation of held prices, so that risk keeps being
///   measured;
/// - liquidation, signed and unsigned;
/// - margin: deposits (top-ups) and withdrawals, which succeed only for free collateral (the
///   account's health is checked as always);
/// - the pool: claims of withdrawals already priced and cancellations of queued requests.
///
/// Everything else stops: trades, pool deposits and new withdrawal requests (their NAV could
/// be the thing that is wrong), minting, transfers, listings by signed accounts.
pub fn keeps_the_chain_safe(call: &RuntimeCall) -> bool {
    matches!(
        call,
        RuntimeCall::System(_)
            | RuntimeCall::Timestamp(_)
            | RuntimeCall::Session(_)
            | RuntimeCall::Grandpa(_)
            | RuntimeCall::Sudo(_)
            | RuntimeCall::Utility(_)
            | RuntimeCall::Multisig(_)
            | RuntimeCall::Preimage(_)
            | RuntimeCall::Scheduler(_)
            | RuntimeCall::TechnicalCommittee(_)
            | RuntimeCall::TechnicalMembership(_)
            | RuntimeCall::Governance(_)
            | RuntimeCall::SafeMode(_)
            | RuntimeCall::TxPause(_)
            | RuntimeCall::Prices(
                pallet_prices::Call::feed { .. }
                    | pallet_prices::Call::confirm_held { .. }
                    | pallet_prices::Call::reject_held { .. }
            )
            | RuntimeCall::Liquidation(
                pallet_liquidation::Call::liquidate { .. }
                    | pallet_liquidation::Call::liquidate_unsigned { .. }
            )
            | RuntimeCall::Options(
                pallet_options::Call::deposit { .. } | pallet_options::Call::withdraw { .. }
            )
            | RuntimeCall::Pool(
                pallet_pool::Call::claim { .. } | pallet_pool::Call::cancel_request { .. }
            )
    )
}

/// pallet-safe-mode's whitelist: [`keeps_the_chain_safe`].
pub struct SafeModeWhitelist;
impl Contains<RuntimeCall> for SafeModeWhitelist {
    fn contains(call: &RuntimeCall) -> bool {
        keeps_the_chain_safe(call)
    }
}

/// pallet-tx-pause's whitelist, by pallet and call name: the same calls as
/// [`keeps_the_chain_safe`].
pub struct UnpausableCalls;
impl Contains<RuntimeCallNameOf<Runtime>> for UnpausableCalls {
    fn contains((pallet, call): &RuntimeCallNameOf<Runtime>) -> bool {
        let (pallet, call) = (pallet.as_slice(), call.as_slice());
        matches!(
            pallet,
            b"System"
                | b"Timestamp"
                | b"Session"
                | b"Grandpa"
                | b"Sudo"
                | b"Utility"
                | b"Multisig"
                | b"Preimage"
                | b"Scheduler"
                | b"TechnicalCommittee"
                | b"TechnicalMembership"
                | b"Governance"
                | b"SafeMode"
                | b"TxPause"
        ) || matches!(
            (pallet, call),
            (b"Prices", b"feed" | b"confirm_held" | b"reject_held")
                | (b"Liquidation", b"liquidate" | b"liquidate_unsigned")
                | (b"Options", b"deposit" | b"withdraw")
                | (b"Pool", b"claim" | b"cancel_request")
        )
    }
}

parameter_types! {
    /// How long a committee's `force_enter` (or `force_extend`) keeps the brake on.
    pub const BrakeDuration: BlockNumber = DAYS;
}

/// A committee majority, reporting how long the brake holds.
pub type CommitteeBrake =
    frame_system::EnsureWithSuccess<CommitteeMajority, AccountId, BrakeDuration>;

impl pallet_safe_mode::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type WhitelistedCalls = SafeModeWhitelist;
    type EnterDuration = BrakeDuration;
    type ExtendDuration = BrakeDuration;
    /// Nobody enters or extends safe mode for a deposit: only the committee brakes.
    type EnterDepositAmount = ();
    type ExtendDepositAmount = ();
    type ForceEnterOrigin = CommitteeBrake;
    type ForceExtendOrigin = CommitteeBrake;
    /// The committee majority, or `Root` (a delayed change), releases the brake.
    type ForceExitOrigin = EitherOfDiverse<EnsureRoot<AccountId>, CommitteeMajority>;
    type ForceDepositOrigin = EnsureRoot<AccountId>;
    type Notify = ();
    type ReleaseDelay = ();
    type WeightInfo = pallet_safe_mode::weights::SubstrateWeight<Runtime>;
}

impl pallet_tx_pause::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type PauseOrigin = EitherOfDiverse<EnsureRoot<AccountId>, CommitteeMajority>;
    type UnpauseOrigin = EitherOfDiverse<EnsureRoot<AccountId>, CommitteeMajority>;
    type WhitelistedCalls = UnpausableCalls;
    type MaxNameLen = ConstU32<64>;
    type WeightInfo = pallet_tx_pause::weights::SubstrateWeight<Runtime>;
}

// --- Custodians, sudo and batching

parameter_types! {
    /// A multisig operation holds a deposit while it waits for approvals.
    pub const MultisigDepositBase: Balance = UNIT;
    pub const MultisigDepositFactor: Balance = 10 * MILLI_UNIT;
}

impl pallet_multisig::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type Currency = Balances;
    type DepositBase = MultisigDepositBase;
    type DepositFactor = MultisigDepositFactor;
    type MaxSignatories = ConstU32<16>;
    type WeightInfo = pallet_multisig::weights::SubstrateWeight<Runtime>;
    type BlockNumberProvider = crate::System;
}

impl pallet_sudo::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_utility::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type PalletsOrigin = OriginCaller;
    type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}
