//! Extrinsic builders for the `benchmark overhead` and `benchmark extrinsic` commands.

use crate::service::FullClient;

use perpetua_runtime::{self as runtime, signing, AccountId, Balance, BalancesCall, SystemCall};
use sc_cli::Result;
use sc_client_api::{BlockBackend, HeaderBackend};
use sp_api::{Core, ProvideRuntimeApi};

use sp_inherents::{InherentData, InherentDataProvider};
use sp_keyring::Sr25519Keyring;
use sp_runtime::OpaqueExtrinsic;

use std::{sync::Arc, time::Duration};

fn signing_context(
    client: &FullClient,
) -> std::result::Result<signing::SigningContext, &'static str> {
    let info = client.info();
    let genesis_hash = client
        .block_hash(0)
        .ok()
        .flatten()
        .ok_or("the chain has no genesis block")?;
    // Signed for the runtime the chain runs, which may be newer than this binary's.
    let spec_version = client
        .runtime_api()
        .version(info.best_hash)
        .map_err(|_| "the chain's runtime version is unreadable")?
        .spec_version;
    Ok(signing::SigningContext {
        genesis_hash,
        best_hash: info.best_hash,
        best_number: info.best_number,
        spec_version,
    })
}

/// Builds `System::remark` extrinsics for `benchmark overhead`.
pub struct RemarkBuilder {
    client: Arc<FullClient>,
}

impl RemarkBuilder {
    /// A builder signing with Bob on `client`'s chain.
    pub fn new(client: Arc<FullClient>) -> Self {
        Self { client }
    }
}

impl frame_benchmarking_cli::ExtrinsicBuilder for RemarkBuilder {
    fn pallet(&self) -> &str {
        "system"
    }

    fn extrinsic(&self) -> &str {
        "remark"
    }

    fn build(&self, nonce: u32) -> std::result::Result<OpaqueExtrinsic, &'static str> {
        let ctx = signing_context(&self.client)?;
        let call = SystemCall::remark { remark: vec![] }.into();
        Ok(signing::sign(&ctx, &Sr25519Keyring::Bob.pair(), call, nonce).into())
    }
}

/// Builds `Balances::transfer_keep_alive` extrinsics for `benchmark extrinsic`.
pub struct TransferKeepAliveBuilder {
    client: Arc<FullClient>,
    dest: AccountId,
    value: Balance,
}

impl TransferKeepAliveBuilder {
    /// A builder sending `value` to `dest`, signed by Bob.
    pub fn new(client: Arc<FullClient>, dest: AccountId, value: Balance) -> Self {
        Self {
            client,
            dest,
            value,
        }
    }
}

impl frame_benchmarking_cli::ExtrinsicBuilder for TransferKeepAliveBuilder {
    fn pallet(&self) -> &str {
        "balances"
    }

    fn extrinsic(&self) -> &str {
        "transfer_keep_alive"
    }

    fn build(&self, nonce: u32) -> std::result::Result<OpaqueExtrinsic, &'static str> {
        let ctx = signing_context(&self.client)?;
        let call: runtime::RuntimeCall = BalancesCall::transfer_keep_alive {
            dest: self.dest.clone().into(),
            value: self.value,
        }
        .into();
        let signer = Sr25519Keyring::Bob.pair();
        Ok(signing::sign(&ctx, &signer, call, nonce).into())
    }
}

/// Inherent data for `benchmark overhead`.
pub fn inherent_benchmark_data() -> Result<InherentData> {
    let mut inherent_data = InherentData::new();
    let timestamp = sp_timestamp::InherentDataProvider::new(Duration::from_millis(0).into());
    futures::executor::block_on(timestamp.provide_inherent_data(&mut inherent_data))
        .map_err(|e| format!("creating inherent data: {e:?}"))?;
    Ok(inherent_data)
}
