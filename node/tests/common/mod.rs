//! Helpers for tests that run the real node binary.
#![allow(dead_code)]

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

/// The node binary cargo built for these tests.
pub fn node() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_perpetua-node"))
}

/// Runs the node with `args` to completion.
pub fn run(args: &[&str]) -> Output {
    Command::new(node())
        .args(args)
        .output()
        .expect("the node binary runs")
}

/// A free TCP port on localhost.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A node process killed when dropped.
pub struct Node {
    pub child: Child,
    pub rpc_port: u16,
    pub log: PathBuf,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `perpetua-node --dev --tmp` with an RPC port of its own.
pub fn start_dev(extra: &[&str]) -> Node {
    let rpc_port = free_port();
    let p2p_port = free_port();
    let log = std::env::temp_dir().join(format!("perpetua-node-test-{rpc_port}.log"));
    let file = std::fs::File::create(&log).unwrap();
    let child = Command::new(node())
        .args(["--dev", "--tmp", "--no-prometheus", "--no-telemetry"])
        .args([
            "--rpc-port",
            &rpc_port.to_string(),
            "--port",
            &p2p_port.to_string(),
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .expect("the node starts");
    Node {
        child,
        rpc_port,
        log,
    }
}

/// One JSON-RPC call over HTTP; `None` while the server is not up or on an error.
pub fn rpc(port: u16, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
    rpc_raw(port, method, params)?.get("result").cloned()
}

/// The JSON-RPC error of a call, if it failed.
pub fn rpc_error(port: u16, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
    rpc_raw(port, method, params)?.get("error").cloned()
}

fn rpc_raw(port: u16, method: &str, params: serde_json::Value) -> Option<serde_json::Value> {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        .to_string();
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        body.len(),
        body
    )
    .ok()?;
    let mut resp = String::new();
    s.read_to_string(&mut resp).ok()?;
    let json = resp.split("\r\n\r\n").nth(1)?;
    serde_json::from_str(json.trim()).ok()
}

/// Block number of a header returned by the RPC.
pub fn header_number(header: &serde_json::Value) -> u64 {
    let hex = header["number"].as_str().unwrap_or("0x0");
    u64::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap_or(0)
}

/// Polls `f` every 250 ms until it returns `Some` or `timeout` passes.
pub fn wait_for<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Some(v) = f() {
            return Some(v);
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    None
}
