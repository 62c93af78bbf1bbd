//! Genesis presets: `development` (one validator, Alice; Alice holds sudo) and `local_testnet`
//! (four validators, Alice to Dave; no sudo key: `Root` only through the committee's delay).
//! Both carry the example stock tokens, the oracle operators and the technical committee
//! (Alice, Bob and Charlie).

use crate::{
    AccountId, AssetId, Balance, BalancesConfig, BlockNumber, EquitiesConfig, GovernanceConfig,
    MarketCalendarConfig, OptionsConfig, OracleOperatorsConfig, PoolConfig, RuntimeGenesisConfig,
    SessionConfig, SessionKeys, SudoConfig, TechnicalMembershipConfig, ValidatorSetConfig, UNIT,
};
use alloc::{string::String, vec, vec::Vec};
use frame_support::build_struct_json_patch;
use pallet_options::{MarketParams, OptionKind};
use perpetua_primitives::{CryptoIndex, FixedU128};
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Free PRP of each endowed dev account.
const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// An example stock token of the dev and test networks.
pub struct ExampleStock {
    pub id: AssetId,
    pub ticker: &'static str,
    pub name: &'static str,
    pub decimals: u8,
    pub exchange: perpetua_primitives::ExchangeId,
}

/// Nasdaq keeps the NYSE holiday calendar (the same dates, 09:30-16:00 New York time).
const NASDAQ: perpetua_primitives::ExchangeId = pallet_market_calendar::nyse::NASDAQ;

/// The example stock tokens: asset ids 1, 2 and 3, all listed on Nasdaq.
pub const EXAMPLE_STOCKS: [ExampleStock; 3] = [
    ExampleStock {
        id: 1,
        ticker: "TSLA",
        name: "Tesla, Inc.",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 2,
        ticker: "NVDA",
        name: "NVIDIA Corporation",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 3,
        ticker: "AAPL",
        name: "Apple Inc.",
        decimals: 12,
        exchange: NASDAQ,
    },
];

/// The custodian of the example stock tokens on the development chain (Eve).
pub fn example_custodian() -> AccountId {
    Sr25519Keyring::Eve.to_account_id()
}

/// The signers of the local testnet's custodian, a 2-of-3 multisig account.
pub fn custodian_signers() -> Vec<AccountId> {
    let mut signers: Vec<AccountId> = [
        Sr25519Keyring::Dave,
        Sr25519Keyring::Eve,
        Sr25519Keyring::Ferdie,
    ]
    .into_iter()
    .map(|k| k.to_account_id())
    .collect();
    signers.sort();
    signers
}

/// Approvals the local testnet's custodian needs.
pub const CUSTODIAN_THRESHOLD: u16 = 2;

/// The local testnet's custodian: the multisig account of [`custodian_signers`].
pub fn multisig_custodian() -> AccountId {
    pallet_multisig::Pallet::<crate::Runtime>::multi_account_id(
        &custodian_signers(),
        CUSTODIAN_THRESHOLD,
    )
}

/// The technical committee of the dev and test networks.
pub fn example_committee() -> Vec<AccountId> {
    [
        Sr25519Keyring::Alice,
        Sr25519Keyring::Bob,
        Sr25519Keyring::Charlie,
    ]
    .into_iter()
    .map(|k| k.to_account_id())
    .collect()
}

/// Blocks per session on the local testnet: one minute, so that a validator joins within two.
/// A live network's genesis sets an hour or more (docs/VALIDATORS.md).
pub const LOCAL_SESSION_LENGTH: BlockNumber = 20;
/// Blocks per session on the one-validator development chain: a day, the longest allowed (its
/// set never changes).
pub const DEV_SESSION_LENGTH: BlockNumber = crate::DAYS;
/// Blocks a committee change waits on the dev and test networks: the shortest allowed, 30 s.
/// A live network's genesis sets days (docs/GOVERNANCE.md).
pub const TEST_ENACTMENT_DELAY: BlockNumber = 10;

/// Whole shares of each example stock token given to each endowed dev account.
pub const STOCK_ENDOWMENT_SHARES: Balance = 1_000;
/// Smallest balance of a stock-token account: a millionth of a share.
const STOCK_MIN_BALANCE: Balance = 1_000_000;

/// Strikes (USD) of the example option markets, each listed as a call and a put.
pub const BTC_STRIKES: [u32; 3] = [90_000, 100_000, 110_000];
pub const ETH_STRIKES: [u32; 3] = [3_000, 3_500, 4_000];

/// The example stocks besides TSLA accepted as extra collateral of TSLA-settled accounts,
/// by volatility tier (after Kamino's limits for tokenized stocks: NVDA like TSLAx, 55% of its
/// value to open risk and 65% before liquidation; AAPL 60/70), each with a gap term of 1% per
/// square root of an unpriced hour (a weekend adds about 8%).
pub fn example_collateral() -> Vec<(AssetId, pallet_options::CollateralParams)> {
    use sp_runtime::Perbill;
    let tier = |initial, maintenance| pallet_options::CollateralParams {
        initial: Perbill::from_percent(initial),
        maintenance: Perbill::from_percent(maintenance),
        per_sqrt_hour: Perbill::from_percent(1),
        max: Perbill::from_percent(90),
        cap: 1_000_000 * 1_000_000_000_000,
        accepted: true,
    };
    vec![
        (EXAMPLE_STOCKS[1].id, tier(45, 35)),
        (EXAMPLE_STOCKS[2].id, tier(40, 30)),
    ]
}

/// The example option markets: BTC and ETH options settled in TSLA (the first example stock),
/// with the default market parameters.
#[allow(clippy::type_complexity)]
pub fn example_markets() -> Vec<(
    CryptoIndex,
    AssetId,
    MarketParams,
    Vec<(FixedU128, OptionKind)>,
)> {
    let series = |strikes: &[u32]| {
        strikes
            .iter()
            .flat_map(|k| {
                [OptionKind::Call, OptionKind::Put].map(|kind| (FixedU128::from_u32(*k), kind))
            })
            .collect::<Vec<_>>()
    };
    vec![
        (
            CryptoIndex::Btc,
            EXAMPLE_STOCKS[0].id,
            MarketParams::default(),
            series(&BTC_STRIKES),
        ),
        (
            CryptoIndex::Eth,
            EXAMPLE_STOCKS[0].id,
            MarketParams::default(),
            series(&ETH_STRIKES),
        ),
    ]
}

fn dev_accounts() -> Vec<AccountId> {
    [
        Sr25519Keyring::Alice,
        Sr25519Keyring::Bob,
        Sr25519Keyring::Charlie,
        Sr25519Keyring::Dave,
        Sr25519Keyring::Eve,
        Sr25519Keyring::Ferdie,
        Sr25519Keyring::AliceStash,
        Sr25519Keyring::BobStash,
    ]
    .into_iter()
    .map(|k| k.to_account_id())
    .collect()
}

/// A dev validator: its account (the sr25519 key) and its session keys.
fn authority(k: (Sr25519Keyring, Ed25519Keyring)) -> (AccountId, SessionKeys) {
    let aura: AuraId = k.0.public().into();
    let grandpa: GrandpaId = k.1.public().into();
    (k.0.to_account_id(), SessionKeys { aura, grandpa })
}

fn genesis(
    validators: Vec<(AccountId, SessionKeys)>,
    endowed: Vec<AccountId>,
    root: Option<AccountId>,
    oracle_operators: Vec<AccountId>,
    custodian: AccountId,
    session_length: BlockNumber,
) -> Value {
    let stock_holders: Vec<AccountId> = endowed.iter().take(6).cloned().collect();
    let (calendar_exchanges, calendar_years) = pallet_market_calendar::us_equities_genesis();
    // The TSLA pool: Alice and Bob seed the main tranche, Charlie the insurance tranche.
    let share = 10u128.pow(EXAMPLE_STOCKS[0].decimals as u32);
    let pool_seed: Vec<(AccountId, Balance)> = stock_holders
        .iter()
        .take(3)
        .cloned()
        .zip([400 * share, 200 * share, 100 * share])
        .collect();
    build_struct_json_patch!(RuntimeGenesisConfig {
        balances: BalancesConfig {
            balances: endowed
                .iter()
                .cloned()
                .map(|k| (k, ENDOWMENT))
                .collect::<Vec<_>>(),
        },
        // Aura's and GRANDPA's authorities come from the session keys.
        session: SessionConfig {
            keys: validators
                .iter()
                .map(|(account, keys)| (account.clone(), account.clone(), keys.clone()))
                .collect::<Vec<_>>(),
        },
        validator_set: ValidatorSetConfig { session_length },
        technical_membership: TechnicalMembershipConfig {
            members: example_committee().try_into().unwrap_or_default(),
        },
        governance: GovernanceConfig {
            enactment_delay: TEST_ENACTMENT_DELAY,
        },
        sudo: SudoConfig { key: root },
        market_calendar: MarketCalendarConfig {
            exchanges: calendar_exchanges,
            years: calendar_years,
        },
        equities: EquitiesConfig {
            stocks: EXAMPLE_STOCKS
                .iter()
                .map(|s| {
                    let (ticker, name) = (s.ticker.as_bytes().to_vec(), s.name.as_bytes().to_vec());
                    (
                        s.id,
                        ticker,
                        name,
                        s.decimals,
                        s.exchange,
                        custodian.clone(),
                        STOCK_MIN_BALANCE,
                    )
                })
                .collect::<Vec<_>>(),
            holdings: EXAMPLE_STOCKS
                .iter()
                .flat_map(|s| {
                    let amount = STOCK_ENDOWMENT_SHARES * 10u128.pow(s.decimals as u32);
                    stock_holders
                        .iter()
                        .cloned()
                        .map(move |a| (s.id, a, amount))
                })
                .collect::<Vec<_>>(),
        },
        pool: PoolConfig {
            pools: vec![(
                EXAMPLE_STOCKS[0].id,
                pallet_pool::PoolParams::default(),
                pool_seed.iter().take(2).cloned().collect::<Vec<_>>(),
                pool_seed.iter().skip(2).cloned().collect::<Vec<_>>(),
            )],
        },
        options: OptionsConfig {
            markets: example_markets(),
            collateral: example_collateral(),
        },
        oracle_operators: OracleOperatorsConfig {
            members: oracle_operators.try_into().unwrap_or_default(),
        },
    })
}

/// The `development` preset: Alice validates alone and holds sudo, so that one developer can
/// change anything at once. Eve is the custodian.
pub fn development_config_genesis() -> Value {
    genesis(
        vec![authority((Sr25519Keyring::Alice, Ed25519Keyring::Alice))],
        dev_accounts(),
        Some(Sr25519Keyring::Alice.to_account_id()),
        vec![
            Sr25519Keyring::Alice.to_account_id(),
            Sr25519Keyring::Bob.to_account_id(),
            Sr25519Keyring::Charlie.to_account_id(),
        ],
        example_custodian(),
        DEV_SESSION_LENGTH,
    )
}

/// The `local_testnet` preset: Alice, Bob, Charlie and Dave validate (GRANDPA finalizes with
/// any three). Nobody holds sudo: admin changes go through the committee and its delay. The
/// oracle operators are other keys (Ferdie and the two stashes): a price needs two of the
/// three, and no validator signs feeds. The custodian is a 2-of-3 multisig of Dave, Eve and
/// Ferdie.
pub fn local_config_genesis() -> Value {
    genesis(
        vec![
            authority((Sr25519Keyring::Alice, Ed25519Keyring::Alice)),
            authority((Sr25519Keyring::Bob, Ed25519Keyring::Bob)),
            authority((Sr25519Keyring::Charlie, Ed25519Keyring::Charlie)),
            authority((Sr25519Keyring::Dave, Ed25519Keyring::Dave)),
        ],
        // The custodian multisig holds PRP: it funds dividends paid in PRP.
        dev_accounts()
            .into_iter()
            .chain([multisig_custodian()])
            .collect(),
        None,
        vec![
            Sr25519Keyring::Ferdie.to_account_id(),
            Sr25519Keyring::AliceStash.to_account_id(),
            Sr25519Keyring::BobStash.to_account_id(),
        ],
        multisig_custodian(),
        LOCAL_SESSION_LENGTH,
    )
}

/// The JSON of the preset named `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    let patch = match id.as_ref() {
        sp_genesis_builder::DEV_RUNTIME_PRESET => development_config_genesis(),
        sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
        _ => return None,
    };
    serde_json::to_string(&patch).ok().map(String::into_bytes)
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
    vec![
        PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
        PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
    ]
}
