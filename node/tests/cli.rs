//! The real node binary: bad input gives readable errors, and a dev chain produces and
//! finalizes blocks.

mod common;
use common::*;
use std::time::{Duration, Instant};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn unknown_chain_is_a_readable_error() {
    let out = run(&["build-spec", "--chain", "no-such-chain"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("unknown chain 'no-such-chain'"), "{err}");
    assert!(err.contains("dev, local"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn malformed_chain_spec_is_a_readable_error() {
    let dir = std::env::temp_dir().join(format!("perpetua-bad-spec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, content) in [
        ("garbage.json", "this is not json"),
        ("empty.json", ""),
        ("wrong.json", r#"{"name": "x", "id": 3, "genesis": []}"#),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        let out = run(&["build-spec", "--chain", path.to_str().unwrap()]);
        assert!(!out.status.success(), "{name} accepted");
        let err = stderr(&out);
        assert!(err.contains("invalid chain-spec file"), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn chain_specs_carry_wallet_properties() {
    for chain in ["dev", "local"] {
        let out = run(&["build-spec", "--chain", chain]);
        assert!(out.status.success(), "{}", stderr(&out));
        let spec: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let props = &spec["properties"];
        assert_eq!(props["tokenSymbol"], "PRP", "{chain}");
        assert_eq!(props["tokenDecimals"], 12, "{chain}");
        assert_eq!(props["ss58Format"], 42, "{chain}");
    }
}

#[test]
fn dev_chain_produces_and_finalizes_blocks() {
    let started = Instant::now();
    let node = start_dev(&[]);
    let port = node.rpc_port;
    let finalized = wait_for(Duration::from_secs(300), || {
        let hash = rpc(port, "chain_getFinalizedHead", serde_json::json!([]))?;
        let header = rpc(port, "chain_getHeader", serde_json::json!([hash]))?;
        (header_number(&header) >= 1).then_some(header_number(&header))
    });
    let log = std::fs::read_to_string(&node.log).unwrap_or_default();
    let first_final = started.elapsed();
    assert!(
        finalized.is_some(),
        "no finalized block within 300 s; node log:\n{log}"
    );
    println!(
        "first finalized block after {:.1} s",
        first_final.as_secs_f64()
    );

    // Blocks keep coming at the 3-second slot.
    let best = |p| rpc(p, "chain_getHeader", serde_json::json!([])).map(|h| header_number(&h));
    let b0 = best(port).unwrap();
    let reached = wait_for(Duration::from_secs(60), || {
        best(port).filter(|b| *b >= b0 + 3)
    });
    assert!(
        reached.is_some(),
        "fewer than 3 blocks in 60 s after block {b0}"
    );

    // The runtime the node runs is the on-chain Perpetua wasm.
    let version = rpc(port, "state_getRuntimeVersion", serde_json::json!([])).unwrap();
    assert_eq!(version["specName"], "perpetua");
    let props = rpc(port, "system_properties", serde_json::json!([])).unwrap();
    assert_eq!(props["tokenSymbol"], "PRP");

    // Market hours over RPC, as a wallet shows them. Saturday 2026-11-28 12:00 UTC: TSLA's
    // market (Nasdaq, NYSE calendar) opens Monday 09:30 New York = 14:30 UTC.
    let sat = 1_795_867_200_000u64;
    let status = rpc(port, "calendar_stockStatus", serde_json::json!([1, sat])).unwrap();
    assert_eq!(status["status"], "closed", "{status}");
    assert_eq!(status["opensAt"], 1_796_049_000_000u64, "{status}");
    assert_eq!(
        status["text"], "closed, opens in 2 d 2 h 30 min",
        "{status}"
    );
    // Without a time: now, by the node's clock.
    let now = rpc(port, "calendar_stockStatus", serde_json::json!([1])).unwrap();
    assert!(
        ["open", "closed"].contains(&now["status"].as_str().unwrap()),
        "{now}"
    );
    // Not a stock: a JSON-RPC error, not a panic.
    assert!(rpc(port, "calendar_stockStatus", serde_json::json!([999])).is_none());
    let err = rpc_error(port, "calendar_stockStatus", serde_json::json!([999])).unwrap();
    assert_eq!(err["code"], 7001, "{err}");
    assert!(!log.contains("panicked"), "{log}");
}
