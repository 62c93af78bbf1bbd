//! Building real blocks with the native runtime: genesis from a preset, Aura digests,
//! timestamp inherents and signed extrinsics exactly as the node and wallets make them.
#![allow(dead_code)]

use codec::Encode;
use perpetua_runtime::{
    genesis_config_presets, signing, AccountId, Executive, Header, RuntimeCall, RuntimeEvent,
    RuntimeGenesisConfig, System, UncheckedExtrinsic, SLOT_DURATION,
};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_core::{sr25519, Pair, H256};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::Header as _, ApplyExtrinsicResult, BuildStorage, Digest, DigestItem};

/// 2026-11-30 14:00:00 UTC (09:00 in New York), a Monday, in milliseconds: the first block's time.
pub const GENESIS_TIME_MS: u64 = 1_796_047_200_000;

fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(b), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                merge(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, p) => *b = p,
    }
}

/// Externalities holding the genesis of the runtime preset `name` ("development",
/// "local_testnet" or "scale").
pub fn new_ext(preset: &str) -> sp_io::TestExternalities {
    let patch_bytes = genesis_config_presets::get_preset(&preset.into()).expect("preset exists");
    ext_of(serde_json::from_slice(&patch_bytes).unwrap())
}

/// Externalities holding the genesis of a preset's JSON `patch` (e.g.
/// `genesis_config_presets::dev_genesis` of a listing of one's own).
pub fn ext_of(patch: serde_json::Value) -> sp_io::TestExternalities {
    LAST_HASH.with(|h| h.set(None));
    let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).unwrap();
    merge(&mut config, patch);
    let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("preset decodes");
    let storage = config.build_storage().expect("genesis builds");
    let mut ext = sp_io::TestExternalities::new(storage);
    ext.execute_with(|| System::set_block_number(0));
    ext
}

/// The development chain's genesis.
pub fn dev_ext() -> sp_io::TestExternalities {
    new_ext("development")
}

/// Starts block `n` at `GENESIS_TIME_MS + (n - 1) * SLOT_DURATION` with its Aura digest and
/// timestamp inherent.
pub fn start_block(n: u32) {
    let now = GENESIS_TIME_MS + (n as u64 - 1) * SLOT_DURATION;
    start_block_at(n, now);
}

/// Starts block `n` at `now_ms` (which must be on a slot boundary after the parent's).
pub fn start_block_at(n: u32, now_ms: u64) {
    let slot = Slot::from(now_ms / SLOT_DURATION);
    let digest = Digest {
        logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())],
    };
    let parent = LAST_HASH
        .with(|h| h.get())
        .unwrap_or_else(|| System::block_hash(0));
    let header = Header::new(n, Default::default(), Default::default(), parent, digest);
    Executive::initialize_block(&header);
    let inherent =
        UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
            now: now_ms,
        }));
    Executive::apply_extrinsic(inherent).unwrap().unwrap();
}

thread_local! {
    static LAST_HASH: std::cell::Cell<Option<H256>> = const { std::cell::Cell::new(None) };
}

/// Finishes the current block; returns its header. The next block's parent is its hash.
pub fn finish_block() -> Header {
    let header = Executive::finalize_block();
    LAST_HASH.with(|h| h.set(Some(header.hash())));
    header
}

/// Runs empty blocks up to and including `n`.
pub fn run_to_block(n: u32) {
    while System::block_number() < n {
        let next = System::block_number() + 1;
        start_block(next);
        finish_block();
    }
}

/// The signing context wallets would use now.
pub fn ctx() -> signing::SigningContext {
    let best = System::block_number().saturating_sub(1);
    signing::SigningContext {
        genesis_hash: System::block_hash(0),
        best_hash: System::block_hash(best),
        best_number: best,
        spec_version: perpetua_runtime::VERSION.spec_version,
    }
}

/// Signs `call` as `who` with its current nonce and applies it in the current block.
pub fn apply_signed(who: Sr25519Keyring, call: RuntimeCall) -> ApplyExtrinsicResult {
    let account: AccountId = who.to_account_id();
    let nonce = System::account_nonce(&account);
    let xt = signing::sign(&ctx(), &who.pair(), call, nonce);
    Executive::apply_extrinsic(xt)
}

/// Signs with an arbitrary sr25519 pair.
pub fn apply_signed_by(pair: &sr25519::Pair, call: RuntimeCall) -> ApplyExtrinsicResult {
    let account: AccountId = pair.public().into();
    let nonce = System::account_nonce(&account);
    Executive::apply_extrinsic(signing::sign(&ctx(), pair, call, nonce))
}

/// Events of the current block.
pub fn events() -> Vec<RuntimeEvent> {
    System::events().into_iter().map(|r| r.event).collect()
}

/// Current time of the chain in ms.
pub fn now() -> u64 {
    pallet_timestamp::Now::<perpetua_runtime::Runtime>::get()
}

/// Account of a dev key.
pub fn acc(k: Sr25519Keyring) -> AccountId {
    k.to_account_id()
}

/// The transaction pool the test offchain worker submits to.
pub type TxPool = std::sync::Arc<parking_lot::RwLock<sp_core::offchain::testing::PoolState>>;

/// The development chain with Alice's Aura key in the keystore and the offchain extensions
/// (offchain storage, the worker's HTTP-less environment, a transaction pool to read what the
/// offchain worker submits).
pub fn offchain_dev_ext() -> (sp_io::TestExternalities, TxPool) {
    use sp_core::offchain::{
        testing::{TestOffchainExt, TestTransactionPoolExt},
        OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
    };
    use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
    let mut ext = dev_ext();
    let (offchain, _) = TestOffchainExt::new();
    let (pool, state) = TestTransactionPoolExt::new();
    let keystore = MemoryKeystore::new();
    keystore
        .sr25519_generate_new(sp_core::crypto::key_types::AURA, Some("//Alice"))
        .unwrap();
    ext.register_extension(OffchainDbExt::new(offchain.clone()));
    ext.register_extension(OffchainWorkerExt::new(offchain));
    ext.register_extension(TransactionPoolExt::new(pool));
    ext.register_extension(KeystoreExt::new(keystore));
    (ext, state)
}

/// Every pallet's invariants (`try_state`), as after every block.
pub fn check_invariants() {
    use perpetua_runtime::{
        Equities, Governance, Liquidation, MarketCalendar, Options, Pool, Prices, ValidatorSet,
    };
    ValidatorSet::do_try_state().unwrap();
    Governance::do_try_state().unwrap();
    MarketCalendar::do_try_state().unwrap();
    Equities::do_try_state().unwrap();
    Prices::do_try_state().unwrap();
    Pool::do_try_state().unwrap();
    Options::do_try_state().unwrap();
    Liquidation::do_try_state().unwrap();
}

/// `call` as the sudo key's (the dev presets' admin).
pub fn sudo(call: RuntimeCall) -> RuntimeCall {
    RuntimeCall::Sudo(pallet_sudo::Call::sudo {
        call: Box::new(call),
    })
}

/// An oracle operator's feed of `values`.
pub fn feed_values(
    values: Vec<(perpetua_primitives::OracleKey, perpetua_primitives::Price)>,
) -> RuntimeCall {
    RuntimeCall::Prices(pallet_prices::Call::feed {
        values: values.try_into().unwrap(),
    })
}
