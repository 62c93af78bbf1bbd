//! Building signed extrinsics natively (std only): used by the node's benchmark and feeder
//! commands and by the runtime integration tests, so that all of them sign exactly as a wallet
//! does, with the same transaction extensions.

use codec::Encode;
use sp_core::{sr25519, Pair, H256};
use sp_runtime::generic::Era;

use crate::{
    configs::system::BlockHashCount, Runtime, RuntimeCall, Signature, SignedPayload, TxExtension,
    UncheckedExtrinsic, VERSION,
};

/// Where on the chain a transaction is signed: the genesis hash, the block its mortality
/// starts at, and the spec version of the runtime the chain runs there (which after a runtime
/// upgrade is not this crate's `VERSION`: the signature covers it, the call's encoding does
/// not change unless `transaction_version` does).
#[derive(Clone, Copy, Debug)]
pub struct SigningContext {
    pub genesis_hash: H256,
    pub best_hash: H256,
    pub best_number: u32,
    pub spec_version: u32,
}

/// The mortality period used for signed transactions: the largest power of two that fits the
/// block-hash history.
pub fn mortality_period() -> u64 {
    let count: u32 = BlockHashCount::get();
    count
        .checked_next_power_of_two()
        .map(|c| c / 2)
        .unwrap_or(2) as u64
}

/// The transaction extensions for a transaction of `nonce` paying `tip`.
pub fn tx_extension(ctx: &SigningContext, nonce: u32, tip: crate::Balance) -> TxExtension {
    (
        frame_system::CheckNonZeroSender::<Runtime>::new(),
        frame_system::CheckSpecVersion::<Runtime>::new(),
        frame_system::CheckTxVersion::<Runtime>::new(),
        frame_system::CheckGenesis::<Runtime>::new(),
        frame_system::CheckEra::<Runtime>::from(Era::mortal(
            mortality_period(),
            ctx.best_number as u64,
        )),
        frame_system::CheckNonce::<Runtime>::from(nonce),
        frame_system::CheckWeight::<Runtime>::new(),
        pallet_prices::PrioritizeFeeds::<Runtime>::new(),
        pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(tip),
        frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
        frame_system::WeightReclaim::<Runtime>::new(),
    )
}

/// Signs `call` with `signer` as a wallet would.
pub fn sign(
    ctx: &SigningContext,
    signer: &sr25519::Pair,
    call: RuntimeCall,
    nonce: u32,
) -> UncheckedExtrinsic {
    let ext = tx_extension(ctx, nonce, 0);
    let payload = SignedPayload::from_raw(
        call.clone(),
        ext.clone(),
        (
            (),
            ctx.spec_version,
            VERSION.transaction_version,
            ctx.genesis_hash,
            ctx.best_hash,
            (),
            (),
            (),
            (),
            None,
            (),
        ),
    );
    let signature = payload.using_encoded(|e| signer.sign(e));
    UncheckedExtrinsic::new_signed(
        call,
        sp_runtime::AccountId32::from(signer.public()).into(),
        Signature::Sr25519(signature),
        ext,
    )
}
