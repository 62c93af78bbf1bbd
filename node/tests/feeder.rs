//! The real feeder (`perpetua-node feed`) against a running dev node: a replay file in, prices
//! readable through the runtime API out; HTTP sources served by a local test server; and clear
//! errors for bad key files, bad sources, unreachable nodes and non-operators.

mod common;
use common::*;
use std::{
    io::{BufRead, BufReader, Write},
    net::TcpListener,
    path::PathBuf,
    process::{Command, Output},
    time::Duration,
};

fn temp_file(name: &str, content: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("perpetua-feeder-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path
}

fn feed(args: &[&str]) -> Output {
    Command::new(node())
        .arg("feed")
        .args(args)
        .output()
        .expect("feeder runs")
}

/// Two operators' feeders side by side (a price needs a quorum: two of the dev chain's three
/// operators), the same arguments but the key file. Returns both outputs.
fn feed_pair(keys: [&PathBuf; 2], args: &[&str]) -> [Output; 2] {
    let spawn = |key: &PathBuf| {
        Command::new(node())
            .arg("feed")
            .args(["--key-file", key.to_str().unwrap()])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("feeder runs")
    };
    let (a, b) = (spawn(keys[0]), spawn(keys[1]));
    [
        a.wait_with_output().expect("feeder ends"),
        b.wait_with_output().expect("feeder ends"),
    ]
}

fn wait_for_blocks(port: u16) {
    let ok = wait_for(Duration::from_secs(120), || {
        rpc(port, "chain_getHeader", serde_json::json!([])).filter(|h| header_number(h) >= 1)
    });
    assert!(ok.is_some(), "the dev node produced no block");
}

fn price(port: u16, key: &str) -> serde_json::Value {
    rpc(port, "prices_status", serde_json::json!([key])).expect("prices_status answers")
}

#[test]
fn replayed_prices_reach_the_runtime_api() {
    let node_proc = start_dev(&[]);
    let port = node_proc.rpc_port;
    wait_for_blocks(port);
    let key = temp_file("bob.key", "//Bob\n");
    let replay = temp_file(
        "replay.jsonl",
        "# at (ms), key, price\n\
         {\"at\": 0, \"key\": \"BTC\", \"price\": \"97000.5\"}\n\
         {\"at\": 0, \"key\": \"ETH\", \"price\": 3500.25}\n\
         0,IV:BTC,0.65\n\
         0,ASSET:1,412.34\n\
         1000,BTC,97010\n\
         20000,BTC,97010\n",
    );
    let url = format!("ws://127.0.0.1:{port}");
    let alice = temp_file("alice.key", "//Alice\n");
    let outs = feed_pair(
        [&key, &alice],
        &[
            "--url",
            &url,
            "--replay",
            replay.to_str().unwrap(),
            "--max-feeds",
            "2",
        ],
    );
    for out in &outs {
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "feeder failed:\n{log}");
        assert_eq!(log.matches("fed in block #").count(), 2, "{log}");
        // Two feeds, never two in one block.
        let blocks: Vec<&str> = log
            .lines()
            .filter_map(|l| l.split("fed in block #").nth(1))
            .map(|r| r.split(':').next().unwrap_or_default())
            .collect();
        assert_ne!(blocks[0], blocks[1], "{log}");
    }

    let btc = price(port, "BTC");
    assert_eq!(btc["value"], "97010", "{btc}");
    assert_eq!(btc["status"], "fresh", "{btc}");
    // The quorum state says why: three operators, two needed, two that agree.
    assert_eq!(btc["quorum"]["operators"], 3, "{btc}");
    assert_eq!(btc["quorum"]["quorum"], 2, "{btc}");
    assert_eq!(btc["quorum"]["agreeing"], 2, "{btc}");
    assert_eq!(btc["feeds"].as_array().unwrap().len(), 2, "{btc}");
    assert_eq!(price(port, "ETH")["value"], "3500.25");
    assert_eq!(price(port, "IV:BTC")["value"], "0.65");
    let tsla = price(port, "ASSET:1");
    assert_eq!(tsla["value"], "412.34", "{tsla}");
    // The dev chain runs on the wall clock: a stock price is fresh only if published while its
    // market is open; otherwise it is a closed-market price, usable to the next open.
    let session = rpc(
        port,
        "calendar_stockStatus",
        serde_json::json!([1, tsla["timestamp"]]),
    )
    .expect("calendar answers");
    let want = if session["status"] == "open" {
        "fresh"
    } else {
        "closedMarket"
    };
    assert_eq!(tsla["status"], want, "{tsla} {session}");
    assert_eq!(price(port, "IV:ETH")["status"], "missing");
    let all = rpc(port, "prices_all", serde_json::json!([])).unwrap();
    assert_eq!(all.as_array().unwrap().len(), 4, "{all}");
    // A malformed key is a JSON-RPC error.
    let err = rpc_error(port, "prices_status", serde_json::json!(["DOGE"])).unwrap();
    assert_eq!(err["code"], 7101, "{err}");

    // Dave is no operator: his first feed fails on chain and the feeder stops saying so.
    let dave = temp_file("dave.key", "{\"secretUri\": \"//Dave\"}");
    let out = feed(&[
        "--url",
        &url,
        "--key-file",
        dave.to_str().unwrap(),
        "--replay",
        replay.to_str().unwrap(),
        "--max-feeds",
        "1",
    ]);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{log}");
    assert!(log.contains("not an oracle operator"), "{log}");
}

/// Serves `routes` (path -> JSON body) over HTTP/1.1 until the test ends.
fn serve(routes: Vec<(&'static str, &'static str)>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // Drain the headers.
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                line.clear();
            }
            let path = request_line
                .split_whitespace()
                .nth(1)
                .unwrap_or("/")
                .to_string();
            let mut stream = stream;
            match routes.iter().find(|(p, _)| *p == path) {
                Some((_, body)) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
                        body.len(),
                        body
                    );
                }
                None => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
            }
        }
    });
    port
}

#[test]
fn http_sources_served_locally_reach_the_runtime_api() {
    let http = serve(vec![
        ("/btc", r#"{"data": {"price": "98765.4321"}}"#),
        ("/eth", r#"{"result": [{"last": 3456.5}]}"#),
    ]);
    let node_proc = start_dev(&[]);
    let port = node_proc.rpc_port;
    wait_for_blocks(port);
    let key = temp_file("charlie.key", "//Charlie");
    let sources = temp_file(
        "sources.json",
        &format!(
            r#"[{{"key": "BTC", "url": "http://127.0.0.1:{http}/btc", "path": "data.price"}},
                {{"key": "ETH", "url": "http://127.0.0.1:{http}/eth", "path": "result.0.last"}},
                {{"key": "PRP", "url": "http://127.0.0.1:{http}/missing", "path": "x"}}]"#
        ),
    );
    let alice = temp_file("alice-http.key", "//Alice");
    let outs = feed_pair(
        [&key, &alice],
        &[
            "--url",
            &format!("ws://127.0.0.1:{port}"),
            "--http",
            sources.to_str().unwrap(),
            "--max-feeds",
            "1",
        ],
    );
    for out in &outs {
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "feeder failed:\n{log}");
        // The broken source is skipped and logged; the others are fed.
        assert!(log.contains("HTTP 404"), "{log}");
    }
    assert_eq!(price(port, "BTC")["value"], "98765.4321");
    assert_eq!(price(port, "ETH")["value"], "3456.5");
    assert_eq!(price(port, "PRP")["status"], "missing");
}

#[test]
fn bad_inputs_stop_the_feeder_with_clear_errors() {
    let replay = temp_file("ok.csv", "0,BTC,1\n");
    let key = temp_file("alice.key", "//Alice");
    let garbage = temp_file("garbage.key", "this is not a key");
    let nothing = std::env::temp_dir().join("no-such-perpetua-key-file");
    let dead = format!("ws://127.0.0.1:{}", free_port());
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--key-file".into(),
                garbage.display().to_string(),
                "--replay".into(),
                replay.display().to_string(),
            ],
            "bad key file",
        ),
        (
            vec![
                "--key-file".into(),
                nothing.display().to_string(),
                "--replay".into(),
                replay.display().to_string(),
            ],
            "bad key file",
        ),
        (
            vec![
                "--key-file".into(),
                key.display().to_string(),
                "--replay".into(),
                temp_file("bad.csv", "0,DOGE,1").display().to_string(),
            ],
            "bad price source",
        ),
        (
            vec!["--key-file".into(), key.display().to_string()],
            "give --replay FILE or --http FILE",
        ),
        (
            vec![
                "--url".into(),
                dead,
                "--connect-attempts".into(),
                "2".into(),
                "--key-file".into(),
                key.display().to_string(),
                "--replay".into(),
                replay.display().to_string(),
            ],
            "cannot reach the node",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = feed(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(expected),
            "{args:?}: expected '{expected}' in:\n{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}
