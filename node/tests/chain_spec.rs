//! The committed chain specs in chain-spec/ are what the current runtime generates.
//!
//! Everything but the runtime code must match exactly. The code must carry the same runtime
//! version (spec name and version, impl version, transaction version, APIs); its bytes are
//! compared too when PERPETUA_STRICT_SPEC=1 (the wasm depends on the build environment's paths
//! and compiler). Regenerate with `scripts/chain-spec.sh`.

mod common;
use common::*;
use serde_json::Value;

const CODE_KEY: &str = "0x3a636f6465";

fn committed(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../chain-spec")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/chain-spec.sh", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn generated(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn take_code(spec: &mut Value, pointer: &str, key: &str) -> Vec<u8> {
    let holder = spec
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in spec"));
    let hex = holder
        .as_object_mut()
        .and_then(|o| o.remove(key))
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no code at {pointer}/{key}"));
    let hex = hex.trim_start_matches("0x");
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn version(code: &[u8]) -> String {
    let blob = sc_executor_common::runtime_blob::RuntimeBlob::uncompress_if_needed(code).unwrap();
    let v = sc_executor::read_embedded_version(&blob)
        .unwrap()
        .expect("runtime version section");
    // The order of the API list is not part of the runtime's identity (it varies between
    // builds of the same code): compare it sorted.
    let mut apis = v.apis.to_vec();
    apis.sort();
    format!(
        "{} {} impl {} tx {} apis {:?}",
        v.spec_name, v.spec_version, v.impl_version, v.transaction_version, apis
    )
}

fn compare(name: &str, mut old: Value, mut new: Value, pointer: &str, key: &str) {
    let old_code = take_code(&mut old, pointer, key);
    let new_code = take_code(&mut new, pointer, key);
    assert!(
        old == new,
        "chain-spec/{name} is out of date with the runtime's genesis: run scripts/chain-spec.sh"
    );
    assert_eq!(
        version(&old_code),
        version(&new_code),
        "chain-spec/{name} carries another runtime version: run scripts/chain-spec.sh"
    );
    if std::env::var("PERPETUA_STRICT_SPEC").as_deref() == Ok("1") {
        assert!(
            old_code == new_code,
            "chain-spec/{name}: runtime code differs byte for byte"
        );
    }
}

#[test]
fn committed_plain_spec_is_up_to_date() {
    let new = generated(&[
        "build-spec",
        "--chain",
        "local",
        "--disable-default-bootnode",
    ]);
    compare(
        "local_testnet.json",
        committed("local_testnet.json"),
        new,
        "/genesis/runtimeGenesis",
        "code",
    );
}

#[test]
fn committed_raw_spec_is_up_to_date() {
    let new = generated(&[
        "build-spec",
        "--chain",
        "local",
        "--raw",
        "--disable-default-bootnode",
    ]);
    compare(
        "local_testnet-raw.json",
        committed("local_testnet-raw.json"),
        new,
        "/genesis/raw/top",
        CODE_KEY,
    );
}
