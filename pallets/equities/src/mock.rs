//! A mock runtime: frame-system, pallet-balances, pallet-assets, pallet-timestamp and
//! pallet-equities, with a mock exchange registry and a recording corporate-action handler.

use crate as pallet_equities;
use core::cell::RefCell;
use frame_support::{
    derive_impl, parameter_types,
    traits::{AsEnsureOriginWithArg, ConstU128, ConstU32, ConstU64},
    PalletId,
};
use frame_system::{EnsureRoot, EnsureSigned};
use perpetua_primitives::{
    AssetId, Balance, CorporateActionHandler, DividendTerms, ExchangeId, ExchangeRegistry,
};
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Assets: pallet_assets,
        Timestamp: pallet_timestamp,
        Equities: pallet_equities,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountData = pallet_balances::AccountData<Balance>;
    // Real database weights, so that a migration's charge can be checked.
    type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type Balance = Balance;
    type ExistentialDeposit = ConstU128<1>;
    type AccountStore = System;
}

#[derive_impl(pallet_assets::config_preludes::TestDefaultConfig)]
impl pallet_assets::Config for Test {
    type Balance = Balance;
    type AssetId = AssetId;
    type AssetIdParameter = codec::Compact<AssetId>;
    type Currency = Balances;
    type CreateOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
    /// Root for the tests; the pallet itself calls `force_set_metadata` as its account.
    type ForceOrigin =
        frame_support::traits::EitherOfDiverse<EnsureRoot<AccountId>, EnsureSigned<AccountId>>;
    type Freezer = ();
    type AssetDeposit = ConstU128<1>;
    type AssetAccountDeposit = ConstU128<1>;
    type MetadataDepositBase = ConstU128<1>;
    type MetadataDepositPerByte = ConstU128<1>;
    type ApprovalDeposit = ConstU128<1>;
}

impl pallet_timestamp::Config for Test {
    type Moment = u64;
    type OnTimestampSet = ();
    type MinimumPeriod = ConstU64<1>;
    type WeightInfo = ();
}

/// Exchanges 0 (NYSE) and 1 (Nasdaq) exist.
pub struct MockExchanges;
impl ExchangeRegistry for MockExchanges {
    fn exchange_exists(exchange: ExchangeId) -> bool {
        exchange <= 1
    }
}

/// What the corporate-action handler heard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Heard {
    Dividend(AccountId, AssetId, Option<AssetId>, Balance),
    Split(AssetId, u32, u32),
}

thread_local! {
    pub static HEARD: RefCell<Vec<Heard>> = const { RefCell::new(Vec::new()) };
}

thread_local! {
    /// Ledger entries the mock pallet still has to carry through an action.
    pub static PENDING: RefCell<u32> = const { RefCell::new(0) };
}

/// A pallet with one pot (`POOL`) and `PENDING` ledger entries to carry through each action.
pub struct RecordingHandler;
impl CorporateActionHandler<AccountId> for RecordingHandler {
    fn holding_accounts(_: AssetId) -> Vec<AccountId> {
        vec![POOL]
    }
    fn on_dividend(
        asset: AssetId,
        pot: &AccountId,
        terms: &DividendTerms<AccountId>,
        amount: Balance,
    ) {
        HEARD.with(|h| {
            h.borrow_mut()
                .push(Heard::Dividend(*pot, asset, terms.paid_in, amount))
        });
    }
    fn on_split(asset: AssetId, n: u32, d: u32) {
        HEARD.with(|h| h.borrow_mut().push(Heard::Split(asset, n, d)));
    }
    fn process(_: AssetId, budget: u32) -> u32 {
        PENDING.with(|p| {
            let done = (*p.borrow()).min(budget);
            *p.borrow_mut() -= done;
            done
        })
    }
    fn pending(_: AssetId) -> bool {
        PENDING.with(|p| *p.borrow() > 0)
    }
}

pub fn heard() -> Vec<Heard> {
    HEARD.with(|h| h.borrow().clone())
}

parameter_types! {
    pub const EquitiesPalletId: PalletId = PalletId(*b"prp/equi");
}

impl pallet_equities::Config for Test {
    type RuntimeEvent = RuntimeEvent;
    type AdminOrigin = EnsureRoot<AccountId>;
    type NativeCurrency = Balances;
    type Time = Timestamp;
    type Exchanges = MockExchanges;
    type CorporateActions = RecordingHandler;
    type ActionStartWeight = ();
    type PalletId = EquitiesPalletId;
    type MaxStocks = ConstU32<5>;
    type MaxHoldersPerBlock = ConstU32<100>;
    type MaxMinters = ConstU32<2>;
    type MaxConcurrentActions = ConstU32<3>;
    type MaxDeliveryRefLen = ConstU32<64>;
    type WeightInfo = ();
}

pub const ADMIN: AccountId = 1;
pub const CUSTODIAN: AccountId = 10;
pub const BRIDGE: AccountId = 11;
pub const ALICE: AccountId = 20;
pub const BOB: AccountId = 21;
pub const CHARLIE: AccountId = 22;
/// A pot account of another pallet (a pool, margin accounts).
pub const POOL: AccountId = 30;
/// TSLA, listed at genesis on the NYSE with 6 decimals.
pub const TSLA: AssetId = 1;
/// A stablecoin that dividends can be paid in.
pub const USDX: AssetId = 500;
pub const SHARE: Balance = 1_000_000;
/// The native existential deposit: the least a pot keeps of a payout asset.
pub const ED: Balance = 1;

/// 2026-11-30 15:00 UTC.
pub const NOW: u64 = 1_796_050_800_000;

pub fn new_test_ext() -> sp_io::TestExternalities {
    let mut storage = frame_system::GenesisConfig::<Test>::default()
        .build_storage()
        .unwrap();
    pallet_balances::GenesisConfig::<Test> {
        balances: vec![
            (ADMIN, 1_000_000),
            (CUSTODIAN, 1_000_000_000),
            (ALICE, 1_000),
            (BOB, 1_000),
            (CHARLIE, 1_000),
        ],
        ..Default::default()
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    pallet_assets::GenesisConfig::<Test> {
        assets: vec![(USDX, ADMIN, true, 1)],
        metadata: vec![],
        accounts: vec![(USDX, CUSTODIAN, 1_000_000_000)],
        next_asset_id: None,
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    pallet_equities::GenesisConfig::<Test> {
        stocks: vec![(
            TSLA,
            b"TSLA".to_vec(),
            b"Tesla, Inc.".to_vec(),
            6,
            0,
            CUSTODIAN,
            1,
        )],
        holdings: vec![
            (TSLA, ALICE, 100 * SHARE),
            (TSLA, BOB, 50 * SHARE),
            (TSLA, POOL, 25 * SHARE),
        ],
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    HEARD.with(|h| h.borrow_mut().clear());
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| {
        System::set_block_number(1);
        pallet_timestamp::Now::<Test>::put(NOW);
    });
    ext
}
