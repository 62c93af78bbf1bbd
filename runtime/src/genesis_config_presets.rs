//! Genesis presets: `development` (one validator, Alice; Alice holds sudo), `local_testnet`
//! (four validators, Alice to Dave; no sudo key: `Root` only through the committee's delay)
//! and `scale` (the development chain with 250 generated stocks). All carry the oracle
//! operators and the technical committee (Alice, Bob and Charlie); the first two the twelve
//! example stock tokens, each with a pool and BTC and ETH markets ([`Listing`]).

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

/// The example stock tokens: asset ids 1 to 12, large and volatile Nasdaq names that holders
/// would post as margin (TSLA first: the settlement the tests and the app start from).
pub const EXAMPLE_STOCKS: [ExampleStock; 12] = [
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
    ExampleStock {
        id: 4,
        ticker: "MSFT",
        name: "Microsoft Corporation",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 5,
        ticker: "AMZN",
        name: "Amazon.com, Inc.",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 6,
        ticker: "GOOGL",
        name: "Alphabet Inc.",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 7,
        ticker: "META",
        name: "Meta Platforms, Inc.",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 8,
        ticker: "AMD",
        name: "Advanced Micro Devices, Inc.",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 9,
        ticker: "NFLX",
        name: "Netflix, Inc.",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 10,
        ticker: "COIN",
        name: "Coinbase Global, Inc.",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 11,
        ticker: "MSTR",
        name: "Strategy Inc.",
        decimals: 12,
        exchange: NASDAQ,
    },
    ExampleStock {
        id: 12,
        ticker: "PLTR",
        name: "Palantir Technologies Inc.",
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

/// A stock token listed at genesis.
#[derive(Clone, Debug)]
pub struct GenesisStock {
    pub id: AssetId,
    pub ticker: Vec<u8>,
    pub name: Vec<u8>,
    pub decimals: u8,
    pub exchange: perpetua_primitives::ExchangeId,
}

/// What a genesis lists: its stock tokens, those of them with a pool and markets, and the
/// stocks accepted as extra collateral.
#[derive(Clone, Debug)]
pub struct Listing {
    pub stocks: Vec<GenesisStock>,
    /// Each has a pool (seeded by the first three stock holders) and a BTC and an ETH market
    /// settled in it ([`markets_of`]).
    pub pooled: Vec<AssetId>,
    pub collateral: Vec<(AssetId, pallet_options::CollateralParams)>,
}

/// Stocks of the `scale` preset: the mission's 200 and more.
pub const SCALE_STOCKS: u32 = 250;

/// The name of the generated 250-stock preset (`--chain scale`).
pub const SCALE_PRESET: &str = "scale";

impl Listing {
    /// The dev and test networks': the twelve example stocks, each with a pool and BTC and
    /// ETH markets; NVDA and AAPL are also extra collateral ([`example_collateral`]).
    pub fn examples() -> Self {
        let stocks: Vec<GenesisStock> = EXAMPLE_STOCKS
            .iter()
            .map(|s| GenesisStock {
                id: s.id,
                ticker: s.ticker.as_bytes().to_vec(),
                name: s.name.as_bytes().to_vec(),
                decimals: s.decimals,
                exchange: s.exchange,
            })
            .collect();
        let pooled = stocks.iter().map(|s| s.id).collect();
        Self {
            stocks,
            pooled,
            collateral: example_collateral(),
        }
    }

    /// `n` stocks (at least the examples): the examples, then generated ones (ticker `S0013`
    /// and on, Nasdaq, 12 decimals), every one with a pool and BTC and ETH markets. The
    /// `scale` preset's (250) and the scale test's.
    pub fn generated(n: u32) -> Self {
        let mut listing = Self::examples();
        let first = listing.stocks.len() as u32 + 1;
        for id in first..=n {
            listing.stocks.push(GenesisStock {
                id,
                ticker: alloc::format!("S{id:04}").into_bytes(),
                name: alloc::format!("Generated stock {id}").into_bytes(),
                decimals: 12,
                exchange: NASDAQ,
            });
            listing.pooled.push(id);
        }
        listing
    }
}

/// The option markets of `pooled` stocks: on each, a BTC and an ETH market with the default
/// parameters, each listing a call and a put at every strike of its index (6 series a market).
#[allow(clippy::type_complexity)]
pub fn markets_of(
    pooled: &[AssetId],
) -> Vec<(
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
    pooled
        .iter()
        .flat_map(|settlement| {
            [
                (
                    CryptoIndex::Btc,
                    *settlement,
                    MarketParams::default(),
                    series(&BTC_STRIKES),
                ),
                (
                    CryptoIndex::Eth,
                    *settlement,
                    MarketParams::default(),
                    series(&ETH_STRIKES),
                ),
            ]
        })
        .collect()
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

#[allow(clippy::too_many_arguments)]
fn genesis(
    listing: &Listing,
    validators: Vec<(AccountId, SessionKeys)>,
    endowed: Vec<AccountId>,
    root: Option<AccountId>,
    oracle_operators: Vec<AccountId>,
    custodian: AccountId,
    session_length: BlockNumber,
) -> Value {
    let stock_holders: Vec<AccountId> = endowed.iter().take(6).cloned().collect();
    let (calendar_exchanges, calendar_years) = pallet_market_calendar::us_equities_genesis();
    // Each pool: Alice and Bob seed the main tranche, Charlie the insurance tranche, with 400,
    // 200 and 100 shares of its stock.
    let decimals = |id: AssetId| {
        listing
            .stocks
            .iter()
            .find(|s| s.id == id)
            .map_or(12, |s| s.decimals)
    };
    let pools: Vec<_> = listing
        .pooled
        .iter()
        .map(|id| {
            let share = 10u128.pow(decimals(*id) as u32);
            let seed: Vec<(AccountId, Balance)> = stock_holders
                .iter()
                .take(3)
                .cloned()
                .zip([400 * share, 200 * share, 100 * share])
                .collect();
            (
                *id,
                pallet_pool::PoolParams::default(),
                seed.iter().take(2).cloned().collect::<Vec<_>>(),
                seed.iter().skip(2).cloned().collect::<Vec<_>>(),
            )
        })
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
            stocks: listing
                .stocks
                .iter()
                .map(|s| {
                    (
                        s.id,
                        s.ticker.clone(),
                        s.name.clone(),
                        s.decimals,
                        s.exchange,
                        custodian.clone(),
                        STOCK_MIN_BALANCE,
                    )
                })
                .collect::<Vec<_>>(),
            holdings: listing
                .stocks
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
        pool: PoolConfig { pools },
        options: OptionsConfig {
            markets: markets_of(&listing.pooled),
            collateral: listing.collateral.clone(),
        },
        oracle_operators: OracleOperatorsConfig {
            members: oracle_operators.try_into().unwrap_or_default(),
        },
    })
}

/// The `development` preset: Alice validates alone and holds sudo, so that one developer can
/// change anything at once. Eve is the custodian.
pub fn development_config_genesis() -> Value {
    dev_genesis(&Listing::examples())
}

/// The `scale` preset: the development chain (Alice validates and holds sudo) with
/// [`SCALE_STOCKS`] stocks, each with a pool and BTC and ETH markets of six series: 500
/// markets and 3,000 series, for the scale tests and benchmarks (docs/SCALE.md).
pub fn scale_config_genesis() -> Value {
    dev_genesis(&Listing::generated(SCALE_STOCKS))
}

/// The development chain's keys and roles over `listing`.
pub fn dev_genesis(listing: &Listing) -> Value {
    genesis(
        listing,
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
        &Listing::examples(),
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
        SCALE_PRESET => scale_config_genesis(),
        _ => return None,
    };
    serde_json::to_string(&patch).ok().map(String::into_bytes)
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
    vec![
        PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
        PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
        PresetId::from(SCALE_PRESET),
    ]
}
