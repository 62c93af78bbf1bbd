//! The real runtime, natively: the development preset's genesis, blocks with their Aura
//! digest and timestamp inherent, extrinsics signed as a wallet signs them, and the offchain
//! worker's transaction pool, as the node would run them.

use codec::{Decode, Encode};
use perpetua_runtime::{
    genesis_config_presets, signing, Executive, Header, RuntimeCall, RuntimeGenesisConfig, System,
    UncheckedExtrinsic, SLOT_DURATION,
};
use sp_consensus_aura::{Slot, AURA_ENGINE_ID};
use sp_core::{
    offchain::{
        testing::{PoolState, TestOffchainExt, TestTransactionPoolExt},
        OffchainDbExt, OffchainWorkerExt, TransactionPoolExt,
    },
    sr25519, H256,
};
use sp_keystore::{testing::MemoryKeystore, Keystore, KeystoreExt};
use sp_runtime::{
    traits::Header as _,
    transaction_validity::{TransactionSource, TransactionValidityError},
    ApplyExtrinsicResult, BuildStorage, Digest, DigestItem,
};
use std::sync::Arc;

/// 2026-11-30 14:00:00 UTC (09:00 in New York), a Monday: the first block's time.
pub const GENESIS_TIME_MS: u64 = 1_796_047_200_000;

/// The offchain worker's transaction pool.
pub type TxPool = Arc<parking_lot::RwLock<PoolState>>;

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

/// `set_code` asks the host for the new code's version. The node reads it from the wasm; the
/// fuzzer's code is never a runtime, so the answer is always "not a runtime".
struct NoRuntimeVersion;
impl sp_core::traits::ReadRuntimeVersion for NoRuntimeVersion {
    fn read_runtime_version(
        &self,
        _wasm_code: &[u8],
        _ext: &mut dyn sp_externalities::Externalities,
    ) -> Result<Vec<u8>, String> {
        Err("not a runtime".into())
    }
}

/// Externalities of the development chain at genesis, with Alice's Aura key in the keystore
/// (the offchain worker signs nothing but needs a validator key) and the offchain extensions.
pub fn dev_ext() -> (sp_io::TestExternalities, TxPool) {
    let patch_bytes =
        genesis_config_presets::get_preset(&"development".into()).expect("preset exists");
    let patch: serde_json::Value = serde_json::from_slice(&patch_bytes).expect("preset is json");
    let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("config json");
    merge(&mut config, patch);
    let config: RuntimeGenesisConfig = serde_json::from_value(config).expect("preset decodes");
    let storage = config.build_storage().expect("genesis builds");
    let mut ext = sp_io::TestExternalities::new(storage);
    let (offchain, _) = TestOffchainExt::new();
    let (pool, state) = TestTransactionPoolExt::new();
    let keystore = MemoryKeystore::new();
    // Alice's key by its raw seed: the keystore derives the key from the string on every
    // lookup, and a phrase costs a PBKDF2 of 2,048 rounds each time.
    let (_, seed) =
        <sr25519::Pair as sp_core::Pair>::from_string_with_seed("//Alice", None).expect("dev key");
    let seed = seed.expect("hard-derived keys have a seed");
    let suri = format!(
        "0x{}",
        sp_core::hexdisplay::HexDisplay::from(&seed.as_ref())
    );
    keystore
        .sr25519_generate_new(sp_core::crypto::key_types::AURA, Some(&suri))
        .expect("keystore");
    ext.register_extension(OffchainDbExt::new(offchain.clone()));
    ext.register_extension(OffchainWorkerExt::new(offchain));
    ext.register_extension(TransactionPoolExt::new(pool));
    ext.register_extension(KeystoreExt::new(keystore));
    ext.register_extension(sp_core::traits::ReadRuntimeVersionExt::new(
        NoRuntimeVersion,
    ));
    ext.execute_with(|| System::set_block_number(0));
    (ext, state)
}

/// Block building inside the externalities: the parent hash of the next block.
#[derive(Default)]
pub struct Builder {
    parent: Option<H256>,
}

impl Builder {
    /// Starts block `n` at `now_ms` (a slot boundary after the parent's) with its Aura digest
    /// and timestamp inherent.
    pub fn start(&mut self, n: u32, now_ms: u64) {
        let slot = Slot::from(now_ms / SLOT_DURATION);
        let digest = Digest {
            logs: vec![DigestItem::PreRuntime(AURA_ENGINE_ID, slot.encode())],
        };
        let parent = self.parent.unwrap_or_else(|| System::block_hash(0));
        let header = Header::new(n, Default::default(), Default::default(), parent, digest);
        Executive::initialize_block(&header);
        let inherent =
            UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
                now: now_ms,
            }));
        Executive::apply_extrinsic(inherent)
            .expect("timestamp inherent valid")
            .expect("timestamp inherent applies");
    }

    /// Finishes the current block.
    pub fn finish(&mut self) -> Header {
        let header = Executive::finalize_block();
        self.parent = Some(header.hash());
        header
    }
}

fn context() -> signing::SigningContext {
    let best = System::block_number().saturating_sub(1);
    signing::SigningContext {
        genesis_hash: System::block_hash(0),
        best_hash: System::block_hash(best),
        best_number: best,
        spec_version: perpetua_runtime::VERSION.spec_version,
    }
}

/// Signs `call` as `pair` with the account's current nonce, as a wallet would.
pub fn sign(pair: &sr25519::Pair, call: RuntimeCall) -> UncheckedExtrinsic {
    use sp_core::Pair;
    let account: perpetua_runtime::AccountId = pair.public().into();
    let nonce = System::account_nonce(&account);
    signing::sign(&context(), pair, call, nonce)
}

/// Applies a signed extrinsic in the current block.
pub fn apply(xt: UncheckedExtrinsic) -> ApplyExtrinsicResult {
    Executive::apply_extrinsic(xt)
}

/// Applies an unsigned extrinsic as a block author would: only if the transaction pool
/// accepts it (`validate_transaction`, which refuses inherents and unsigned calls their
/// pallet does not vouch for).
pub fn apply_bare(
    xt: UncheckedExtrinsic,
) -> Result<ApplyExtrinsicResult, TransactionValidityError> {
    // The pool validates against the best block, as for the next block; nothing it writes
    // stays.
    let parent = System::parent_hash();
    frame_support::storage::with_transaction_unchecked(|| {
        sp_runtime::TransactionOutcome::Rollback(Executive::validate_transaction(
            TransactionSource::External,
            xt.clone(),
            parent,
        ))
    })?;
    Ok(Executive::apply_extrinsic(xt))
}

/// The unsigned extrinsics the offchain worker put in the pool since the last call.
pub fn take_pool(pool: &TxPool) -> Vec<UncheckedExtrinsic> {
    std::mem::take(&mut pool.write().transactions)
        .into_iter()
        .filter_map(|bytes| UncheckedExtrinsic::decode(&mut &bytes[..]).ok())
        .collect()
}
