//! Chain specifications built from the runtime's genesis presets.

use perpetua_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::{ChainType, Properties};

/// The node's chain-spec type.
pub type ChainSpec = sc_service::GenericChainSpec;

/// Chain properties: Polkadot.js reads these to show PRP with the right units and addresses.
pub fn properties() -> Properties {
    let mut p = Properties::new();
    p.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
    p.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
    p.insert("ss58Format".into(), SS58_PREFIX.into());
    p
}

fn wasm() -> Result<&'static [u8], String> {
    WASM_BINARY.ok_or_else(|| {
        "this node was built without the wasm runtime (SKIP_WASM_BUILD was set); rebuild it \
         with scripts/build-node.sh"
            .to_string()
    })
}

/// A single-validator development chain (Alice).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm()?, None)
        .with_name("Perpetua Development")
        .with_id("perpetua_dev")
        .with_protocol_id("prp")
        .with_chain_type(ChainType::Development)
        .with_properties(properties())
        .with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
        .build())
}

/// A four-validator local testnet (Alice, Bob, Charlie, Dave), governed by its committee: no
/// sudo key.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm()?, None)
        .with_name("Perpetua Local Testnet")
        .with_id("perpetua_local_testnet")
        .with_protocol_id("prp")
        .with_chain_type(ChainType::Local)
        .with_properties(properties())
        .with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
        .build())
}

/// The development chain with 250 generated stocks, each with a pool and BTC and ETH markets
/// (the runtime's `scale` preset): for benchmarks and load tests at listing scale.
pub fn scale_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm()?, None)
        .with_name("Perpetua Scale")
        .with_id("perpetua_scale")
        .with_protocol_id("prp")
        .with_chain_type(ChainType::Development)
        .with_properties(properties())
        .with_genesis_config_preset_name(perpetua_runtime::genesis_config_presets::SCALE_PRESET)
        .build())
}

/// The names `--chain` accepts besides a path to a chain-spec file.
pub const BUILTIN_CHAINS: &str = "dev, local (alias local_testnet), scale";

/// The chain spec for `--chain <id>`: a built-in name or a JSON file. Anything else is a readable
/// error, never a panic.
pub fn load(id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
    Ok(match id {
        "dev" | "development" => Box::new(development_chain_spec()?),
        "" | "local" | "local_testnet" => Box::new(local_chain_spec()?),
        "scale" => Box::new(scale_chain_spec()?),
        path => {
            let file = std::path::PathBuf::from(path);
            if !file.exists() {
                return Err(format!(
                    "unknown chain '{path}': not a built-in chain ({BUILTIN_CHAINS}) and no such \
                     chain-spec file"
                ));
            }
            Box::new(
                ChainSpec::from_json_file(file)
                    .map_err(|e| format!("invalid chain-spec file '{path}': {e}"))?,
            )
        }
    })
}
