//! A mock runtime: frame-system, pallet-session and the validator set. Keys are
//! `UintAuthorityId`s; the session handler records the authorities of each new session.

use crate as pallet_validator_set;
use frame_support::{derive_impl, parameter_types, traits::ConstU32};
use sp_runtime::{
    impl_opaque_keys,
    testing::UintAuthorityId,
    traits::{ConvertInto, OpaqueKeys},
    BuildStorage, KeyTypeId, RuntimeAppPublic,
};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Session: pallet_session,
        ValidatorSet: pallet_validator_set,
    }
);

impl_opaque_keys! {
    pub struct MockKeys {
        pub dummy: UintAuthorityId,
    }
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
}

parameter_types! {
    /// The validators of the session in force, as the session handler was told.
    pub static Authorities: Vec<u64> = vec![];
}

/// Records the active set of every new session.
pub struct RecordingHandler;
impl pallet_session::SessionHandler<u64> for RecordingHandler {
    const KEY_TYPE_IDS: &'static [KeyTypeId] = &[UintAuthorityId::ID];
    fn on_genesis_session<K: OpaqueKeys>(validators: &[(u64, K)]) {
        Authorities::set(validators.iter().map(|(v, _)| *v).collect());
    }
    fn on_new_session<K: OpaqueKeys>(_: bool, validators: &[(u64, K)], _: &[(u64, K)]) {
        Authorities::set(validators.iter().map(|(v, _)| *v).collect());
    }
    fn on_disabled(_: u32) {}
}

impl pallet_session::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type ValidatorId = u64;
    type ValidatorIdOf = ConvertInto;
    type ShouldEndSession = pallet_validator_set::RotatedByValidatorSet;
    type NextSessionRotation = ValidatorSet;
    type SessionManager = ValidatorSet;
    type SessionHandler = RecordingHandler;
    type Keys = MockKeys;
    type DisablingStrategy = ();
    type WeightInfo = ();
}

parameter_types! {
    pub const MinSessionLength: u64 = 5;
    pub const MaxSessionLength: u64 = 1_000;
}

impl pallet_validator_set::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = frame_system::EnsureRoot<u64>;
    type MaxValidators = ConstU32<5>;
    type MinValidators = ConstU32<2>;
    type MinSessionLength = MinSessionLength;
    type MaxSessionLength = MaxSessionLength;
    type WeightInfo = ();
}

/// Blocks per session in the tests.
pub const SESSION: u64 = 10;

pub fn keys(v: u64) -> MockKeys {
    MockKeys {
        dummy: UintAuthorityId(v),
    }
}

/// Validators 1, 2 and 3 with keys at genesis; accounts 4 to 9 exist.
pub fn new_test_ext() -> sp_io::TestExternalities {
    let mut t = frame_system::GenesisConfig::<Test>::default()
        .build_storage()
        .unwrap();
    pallet_session::GenesisConfig::<Test> {
        keys: (1..=3).map(|v| (v, v, keys(v))).collect(),
        non_authority_keys: vec![],
    }
    .assimilate_storage(&mut t)
    .unwrap();
    pallet_validator_set::GenesisConfig::<Test> {
        session_length: SESSION,
    }
    .assimilate_storage(&mut t)
    .unwrap();
    let mut ext = sp_io::TestExternalities::new(t);
    ext.execute_with(|| {
        for a in 4..=9 {
            frame_system::Pallet::<Test>::inc_providers(&a);
        }
        System::set_block_number(1);
    });
    ext
}

/// Runs blocks up to `n`, each with session's and the validator set's `on_initialize` (in the
/// runtime's order).
pub fn run_to(n: u64) {
    use frame_support::traits::Hooks;
    while System::block_number() < n {
        let next = System::block_number() + 1;
        System::set_block_number(next);
        Session::on_initialize(next);
        ValidatorSet::on_initialize(next);
    }
}
