//! The native token PRP (pallet-balances) and transaction fees.

use frame_support::{
    parameter_types,
    traits::{ConstU128, ConstU32, ConstU8, VariantCountOf},
    weights::{ConstantMultiplier, IdentityFee},
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_runtime::traits::One;

use crate::{
    Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, System,
    EXISTENTIAL_DEPOSIT, MICRO_UNIT,
};

impl pallet_balances::Config for Runtime {
    type MaxLocks = ConstU32<50>;
    type MaxReserves = ConstU32<50>;
    type ReserveIdentifier = [u8; 8];
    type Balance = Balance;
    type RuntimeEvent = RuntimeEvent;
    type DustRemoval = ();
    type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
    type AccountStore = System;
    type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
    type FreezeIdentifier = RuntimeFreezeReason;
    type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
    type RuntimeHoldReason = RuntimeHoldReason;
    type RuntimeFreezeReason = RuntimeFreezeReason;
    type DoneSlashHandler = ();
}

parameter_types! {
    pub FeeMultiplier: Multiplier = Multiplier::one();
    /// Fee per byte of an extrinsic: 1 micro-PRP.
    pub const TransactionByteFee: Balance = MICRO_UNIT;
}

impl pallet_transaction_payment::Config for Runtime {
    type RuntimeEvent = RuntimeEvent;
    /// Fees are burned (no treasury on this chain yet).
    type OnChargeTransaction = FungibleAdapter<Balances, ()>;
    /// Operational calls (e.g. liquidations by validators) weigh 5x in the priority formula.
    type OperationalFeeMultiplier = ConstU8<5>;
    /// One base unit per unit of ref-time weight (a transfer costs ~0.0002 PRP).
    type WeightToFee = IdentityFee<Balance>;
    type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
    type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
    /// Charging the fee, measured on this machine (`scripts/base-weights.sh`).
    type WeightInfo = crate::weights::pallet_transaction_payment::WeightInfo<Runtime>;
}
