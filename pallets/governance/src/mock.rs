//! A mock runtime: frame-system, balances, preimage, scheduler and governance. Accounts 1 and 2
//! may schedule (the committee supermajority, mocked), account 3 may veto.

use crate as pallet_governance;
use frame_support::{
    derive_impl, ord_parameter_types, parameter_types,
    traits::{ConstU32, ConstU64, EqualPrivilegeOnly, Hooks},
    weights::Weight,
};
use frame_system::{EnsureRoot, EnsureSignedBy};
use sp_runtime::{traits::ConstU128, BuildStorage, Perbill};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Preimage: pallet_preimage,
        Scheduler: pallet_scheduler,
        Governance: pallet_governance,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type Balance = u128;
    type ExistentialDeposit = ConstU128<1>;
    type AccountStore = System;
}

impl pallet_preimage::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type WeightInfo = ();
    type Currency = Balances;
    type ManagerOrigin = EnsureRoot<u64>;
    type Consideration = ();
}

parameter_types! {
    pub MaximumSchedulerWeight: Weight = Perbill::from_percent(80) * BlockWeights::get().max_block;
    pub BlockWeights: frame_system::limits::BlockWeights =
        frame_system::limits::BlockWeights::simple_max(Weight::from_parts(2_000_000_000_000, u64::MAX));
}

impl pallet_scheduler::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeOrigin = RuntimeOrigin;
    type PalletsOrigin = OriginCaller;
    type RuntimeCall = RuntimeCall;
    type MaximumWeight = MaximumSchedulerWeight;
    type ScheduleOrigin = EnsureRoot<u64>;
    type OriginPrivilegeCmp = EqualPrivilegeOnly;
    type MaxScheduledPerBlock = ConstU32<10>;
    type WeightInfo = ();
    type Preimages = Preimage;
    type BlockNumberProvider = System;
}

ord_parameter_types! {
    pub const Proposer: u64 = 1;
    pub const Vetoer: u64 = 3;
}

parameter_types! {
    pub static MaxCallWeight: Weight = Weight::from_parts(1_000_000_000_000, u64::MAX);
}

impl pallet_governance::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type RuntimeCall = RuntimeCall;
    type PalletsOrigin = OriginCaller;
    type Scheduler = Scheduler;
    type Preimages = Preimage;
    type ProposeOrigin = EnsureSignedBy<Proposer, u64>;
    type VetoOrigin = EnsureSignedBy<Vetoer, u64>;
    type MinDelay = ConstU64<5>;
    type MaxDelay = ConstU64<1_000>;
    type MaxPending = ConstU32<3>;
    type MaxCallLen = ConstU32<4_096>;
    type MaxCallWeight = MaxCallWeight;
    type ScheduleWeight = ();
    type CancelWeight = ();
    type WeightInfo = ();
}

/// The enactment delay in the tests.
pub const DELAY: u64 = 10;

pub fn new_test_ext() -> sp_io::TestExternalities {
    let mut t = frame_system::GenesisConfig::<Test>::default()
        .build_storage()
        .unwrap();
    pallet_balances::GenesisConfig::<Test> {
        balances: vec![(1, 1_000), (2, 1_000), (3, 1_000)],
        ..Default::default()
    }
    .assimilate_storage(&mut t)
    .unwrap();
    pallet_governance::GenesisConfig::<Test> {
        enactment_delay: DELAY,
    }
    .assimilate_storage(&mut t)
    .unwrap();
    let mut ext = sp_io::TestExternalities::new(t);
    ext.execute_with(|| System::set_block_number(1));
    ext
}

/// Runs blocks up to `n` with the scheduler's `on_initialize`.
pub fn run_to(n: u64) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::set_block_number(next);
        Scheduler::on_initialize(next);
    }
}
