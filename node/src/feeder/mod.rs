//! `perpetua-node feed`: an oracle operator's feeder. It signs `Prices::feed` with the
//! operator's key and submits it to a node over WebSocket RPC, at most once per block, from a
//! replay file or HTTP JSON endpoints; it retries what fails and logs what it does.

pub mod source;

use codec::{Decode, Encode};
use jsonrpsee::{
    core::client::{ClientT, Subscription, SubscriptionClientT},
    rpc_params,
    ws_client::{WsClient, WsClientBuilder},
};
use perpetua_primitives::{OracleKey, Price};
use perpetua_runtime::{signing, RuntimeCall, RuntimeError, VERSION};
use sp_core::{crypto::Ss58Codec, sr25519, Pair, H256};
use std::{
    path::PathBuf,
    time::{Duration, Instant},
};

/// Arguments of `perpetua-node feed`.
#[derive(Debug, Clone, clap::Parser)]
pub struct FeedCmd {
    /// WebSocket RPC endpoint of a Perpetua node.
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    pub url: String,

    /// File with the operator's secret: a secret URI (`//Alice`), a mnemonic or a 0x-prefixed
    /// seed, as plain text or as JSON `{"secretUri": "..."}`.
    #[arg(long)]
    pub key_file: PathBuf,

    /// Replay file of timestamped prices (JSON lines `{"at": ms, "key": "BTC", "price": "97000.5"}`
    /// or CSV `at,key,price`), played back in real time from the start; the feeder stops once
    /// it has fed the last records (it never refeeds old values as fresh).
    #[arg(long, conflicts_with = "http")]
    pub replay: Option<PathBuf>,

    /// HTTP sources file: a JSON array of `{"key": "BTC", "url": "https://...", "path": "data.price"}`.
    #[arg(long)]
    pub http: Option<PathBuf>,

    /// Stop after this many feeds were included in blocks (default: run until stopped).
    #[arg(long)]
    pub max_feeds: Option<u32>,

    /// Attempts to reach the node (with back-off) before giving up.
    #[arg(long, default_value_t = 5)]
    pub connect_attempts: u32,
}

/// Why the feeder stopped.
#[derive(Debug)]
pub enum FeedError {
    /// The key file is missing or holds no valid secret.
    KeyFile(String),
    /// The replay or HTTP sources file is unusable.
    Source(String),
    /// The node cannot be reached.
    Unreachable(String),
    /// The node runs another chain or runtime version.
    WrongChain(String),
    /// The chain refuses this key as an operator.
    NotOperator(String),
    /// Another RPC failure after retries.
    Rpc(String),
}

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedError::KeyFile(e) => write!(f, "bad key file: {e}"),
            FeedError::Source(e) => write!(f, "bad price source: {e}"),
            FeedError::Unreachable(e) => write!(f, "cannot reach the node: {e}"),
            FeedError::WrongChain(e) => write!(f, "wrong chain: {e}"),
            FeedError::NotOperator(e) => write!(f, "not an oracle operator: {e}"),
            FeedError::Rpc(e) => write!(f, "RPC failure: {e}"),
        }
    }
}

fn log(msg: impl AsRef<str>) {
    let now = chrono_like_now();
    eprintln!("{now} feeder: {}", msg.as_ref());
}

/// `HH:MM:SS` (UTC) without a date-time dependency.
fn chrono_like_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    format!(
        "{:02}:{:02}:{:02}",
        (secs / 3600) % 24,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Reads the operator's key.
pub fn load_key(path: &PathBuf) -> Result<sr25519::Pair, FeedError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| FeedError::KeyFile(format!("{}: {e}", path.display())))?;
    let text = text.trim();
    let secret = if text.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| FeedError::KeyFile(format!("{}: not JSON: {e}", path.display())))?;
        v.get("secretUri")
            .or_else(|| v.get("secret_uri"))
            .and_then(|s| s.as_str())
            .ok_or_else(|| {
                FeedError::KeyFile(format!("{}: no \"secretUri\" field", path.display()))
            })?
            .to_string()
    } else {
        text.to_string()
    };
    if secret.is_empty() {
        return Err(FeedError::KeyFile(format!("{}: empty", path.display())));
    }
    sr25519::Pair::from_string(&secret, None).map_err(|e| {
        FeedError::KeyFile(format!(
            "{}: not a secret URI, mnemonic or seed ({e:?})",
            path.display()
        ))
    })
}

enum Source {
    Replay(source::Replay),
    Http(Vec<(OracleKey, source::HttpSource)>, Box<http::Client>),
}

impl Source {
    async fn values(&self, elapsed: Duration) -> Vec<(OracleKey, Price)> {
        match self {
            Source::Replay(r) => r.values_at(elapsed),
            Source::Http(sources, client) => {
                let mut out = Vec::new();
                for (key, s) in sources {
                    match client.fetch_price(&s.url, &s.path).await {
                        Ok(p) => out.push((*key, p)),
                        Err(e) => log(format!("{key}: {} skipped this round: {e}", s.url)),
                    }
                }
                out
            }
        }
    }
}

/// Runs the feeder until `max_feeds` (or forever).
pub fn run(cmd: &FeedCmd) -> Result<(), FeedError> {
    let pair = load_key(&cmd.key_file)?;
    let source = match (&cmd.replay, &cmd.http) {
        (Some(r), None) => Source::Replay(source::Replay::load(r).map_err(FeedError::Source)?),
        (None, Some(h)) => Source::Http(
            source::load_http(h).map_err(FeedError::Source)?,
            Box::new(http::Client::new().map_err(FeedError::Source)?),
        ),
        _ => {
            return Err(FeedError::Source(
                "give --replay FILE or --http FILE".into(),
            ))
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| FeedError::Rpc(e.to_string()))?;
    rt.block_on(feed_loop(cmd, pair, source))
}

async fn connect(url: &str, attempts: u32) -> Result<WsClient, FeedError> {
    let mut delay = Duration::from_millis(500);
    let mut last = String::new();
    for attempt in 1..=attempts.max(1) {
        match WsClientBuilder::default().build(url).await {
            Ok(c) => return Ok(c),
            Err(e) => {
                last = e.to_string();
                log(format!(
                    "connecting to {url} failed (attempt {attempt}/{attempts}): {last}"
                ));
                if attempt < attempts {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(8));
                }
            }
        }
    }
    Err(FeedError::Unreachable(format!("{url}: {last}")))
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_start_matches("0x");
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

fn hex_encode(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 + b.len() * 2);
    s.push_str("0x");
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

fn header_number(h: &serde_json::Value) -> Option<u32> {
    h.get("number")
        .and_then(|n| n.as_str())
        .and_then(|n| u32::from_str_radix(n.trim_start_matches("0x"), 16).ok())
}

/// The chain's genesis hash, once its runtime is one this feeder can sign for.
async fn check_chain(client: &WsClient) -> Result<H256, FeedError> {
    signing_spec_version(client, None).await?;
    let genesis: String = client
        .request("chain_getBlockHash", rpc_params![0u32])
        .await
        .map_err(|e| FeedError::Rpc(e.to_string()))?;
    hex_decode(&genesis)
        .filter(|b| b.len() == 32)
        .map(|b| H256::from_slice(&b))
        .ok_or_else(|| FeedError::Rpc(format!("bad genesis hash {genesis}")))
}

/// The spec version to sign with at block `at` (the best block if `None`): the chain's own,
/// which after a runtime upgrade is newer than this binary's, so that feeds go on through an
/// upgrade. A chain of another name, or whose transaction format (`transaction_version`)
/// differs from the one this binary encodes, is refused.
async fn signing_spec_version(client: &WsClient, at: Option<&str>) -> Result<u32, FeedError> {
    let version: serde_json::Value = client
        .request("state_getRuntimeVersion", rpc_params![at])
        .await
        .map_err(|e| FeedError::Rpc(e.to_string()))?;
    let spec = version["specName"].as_str().unwrap_or_default();
    let spec_version = version["specVersion"].as_u64().unwrap_or_default();
    let tx_version = version["transactionVersion"].as_u64().unwrap_or_default();
    if spec != VERSION.spec_name.as_ref() || tx_version != VERSION.transaction_version as u64 {
        return Err(FeedError::WrongChain(format!(
            "the node runs {spec} {spec_version} (tx {tx_version}); this feeder signs for {} (tx {})",
            VERSION.spec_name, VERSION.transaction_version
        )));
    }
    u32::try_from(spec_version)
        .map_err(|_| FeedError::Rpc(format!("bad spec version {spec_version}")))
}

/// The dispatch outcome of our extrinsic in block `hash`.
async fn outcome(
    client: &WsClient,
    hash: &str,
    xt_hex: &str,
) -> Result<Result<(), String>, FeedError> {
    let block: serde_json::Value = client
        .request("chain_getBlock", rpc_params![hash])
        .await
        .map_err(|e| FeedError::Rpc(e.to_string()))?;
    let xts = block["block"]["extrinsics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let Some(index) = xts.iter().position(|x| x.as_str() == Some(xt_hex)) else {
        return Ok(Err("not found in its block".into()));
    };
    // frame_system::Events is private: its key is twox128("System") ++ twox128("Events").
    let mut events_key = sp_core::twox_128(b"System").to_vec();
    events_key.extend(sp_core::twox_128(b"Events"));
    let key = hex_encode(&events_key);
    let raw: Option<String> = client
        .request("state_getStorage", rpc_params![key, hash])
        .await
        .map_err(|e| FeedError::Rpc(e.to_string()))?;
    let bytes = raw.and_then(|r| hex_decode(&r)).unwrap_or_default();
    let events = Vec::<
        frame_system::EventRecord<perpetua_runtime::RuntimeEvent, perpetua_runtime::Hash>,
    >::decode(&mut &bytes[..])
    .map_err(|e| FeedError::Rpc(format!("cannot decode events: {e}")))?;
    for e in events {
        if e.phase != frame_system::Phase::ApplyExtrinsic(index as u32) {
            continue;
        }
        if let perpetua_runtime::RuntimeEvent::System(frame_system::Event::ExtrinsicFailed {
            dispatch_error,
            ..
        }) = e.event
        {
            let named = RuntimeError::from_dispatch_error(dispatch_error)
                .map(|r| format!("{r:?}"))
                .unwrap_or_else(|| format!("{dispatch_error:?}"));
            return Ok(Err(named));
        }
    }
    Ok(Ok(()))
}

async fn feed_loop(cmd: &FeedCmd, pair: sr25519::Pair, source: Source) -> Result<(), FeedError> {
    let account = sp_runtime::AccountId32::from(pair.public());
    let address = account.to_ss58check();
    let started = Instant::now();
    let mut fed = 0u32;
    let mut failures = 0u32;
    log(format!("operator {address}, node {}", cmd.url));
    'reconnect: loop {
        let client = connect(&cmd.url, cmd.connect_attempts).await?;
        let genesis = check_chain(&client).await?;
        let mut heads: Subscription<serde_json::Value> = client
            .subscribe(
                "chain_subscribeNewHeads",
                rpc_params![],
                "chain_unsubscribeNewHeads",
            )
            .await
            .map_err(|e| FeedError::Rpc(e.to_string()))?;
        let mut last_fed_block: Option<u32> = None;
        while let Some(head) = heads.next().await {
            let Ok(head) = head else { continue 'reconnect };
            let Some(number) = header_number(&head) else {
                continue;
            };
            // At most one feed per block: only on a block after the one our last feed is in.
            if last_fed_block.is_some_and(|b| number <= b) {
                continue;
            }
            let taken_at = started.elapsed();
            let values = source.values(taken_at).await;
            if values.is_empty() {
                continue;
            }
            // A replay stops after feeding its last records once, rather than feeding them
            // again and again as if they were fresh prices.
            let last_of_replay = matches!(&source, Source::Replay(r) if r.ended_at(taken_at));
            let best: String = match client
                .request("chain_getBlockHash", rpc_params![number])
                .await
            {
                Ok(h) => h,
                Err(_) => continue 'reconnect,
            };
            let Some(best_hash) = hex_decode(&best)
                .filter(|b| b.len() == 32)
                .map(|b| H256::from_slice(&b))
            else {
                continue;
            };
            let nonce: u32 = match client
                .request("system_accountNextIndex", rpc_params![&address])
                .await
            {
                Ok(n) => n,
                Err(_) => continue 'reconnect,
            };
            let spec_version = match signing_spec_version(&client, Some(&best)).await {
                Ok(v) => v,
                Err(FeedError::Rpc(_)) => continue 'reconnect,
                Err(e) => return Err(e),
            };
            let ctx = signing::SigningContext {
                genesis_hash: genesis,
                best_hash,
                best_number: number,
                spec_version,
            };
            let bounded = match values.clone().try_into() {
                Ok(v) => v,
                Err(_) => {
                    return Err(FeedError::Source(
                        "more values than one feed may carry".into(),
                    ))
                }
            };
            let call = RuntimeCall::Prices(pallet_prices::Call::feed { values: bounded });
            let xt_hex = hex_encode(&signing::sign(&ctx, &pair, call, nonce).encode());
            let summary: Vec<String> = values
                .iter()
                .map(|(k, p)| format!("{k}={}", crate::rpc::prices::decimal(*p)))
                .collect();
            let mut watch: Subscription<serde_json::Value> = match client
                .subscribe(
                    "author_submitAndWatchExtrinsic",
                    rpc_params![&xt_hex],
                    "author_unwatchExtrinsic",
                )
                .await
            {
                Ok(w) => w,
                // The runtime refuses a non-operator's feed at the pool (`PrioritizeFeeds`):
                // retrying cannot help.
                Err(e) if e.to_string().contains("Invalid signing address") => {
                    return Err(FeedError::NotOperator(format!(
                        "{address} (refused by the transaction pool: {e})"
                    )));
                }
                Err(e) => {
                    failures += 1;
                    log(format!(
                        "block #{number}: submission refused, retrying next block: {e}"
                    ));
                    continue;
                }
            };
            let deadline = tokio::time::sleep(Duration::from_secs(60));
            tokio::pin!(deadline);
            let in_block = loop {
                tokio::select! {
                    status = watch.next() => match status {
                        Some(Ok(s)) => {
                            if let Some(h) = s.get("inBlock").or_else(|| s.get("finalized")).and_then(|h| h.as_str()) {
                                break Some(h.to_string());
                            }
                            if s.get("invalid").is_some() || s.get("dropped").is_some() || s.get("usurped").is_some()
                                || s.as_str().is_some_and(|x| x == "invalid" || x == "dropped") {
                                log(format!("block #{number}: transaction {s}, retrying next block"));
                                break None;
                            }
                        },
                        _ => break None,
                    },
                    _ = &mut deadline => {
                        log(format!("block #{number}: not included within 60 s, retrying"));
                        break None;
                    }
                }
            };
            let Some(block_hash) = in_block else {
                failures += 1;
                continue;
            };
            let included_in = client
                .request::<serde_json::Value, _>("chain_getHeader", rpc_params![&block_hash])
                .await
                .ok()
                .and_then(|h| header_number(&h))
                .unwrap_or(number);
            last_fed_block = Some(included_in);
            match outcome(&client, &block_hash, &xt_hex).await? {
                Ok(()) => {
                    fed += 1;
                    log(format!(
                        "fed in block #{included_in}: {}",
                        summary.join(" ")
                    ));
                    if cmd.max_feeds.is_some_and(|m| fed >= m) {
                        log(format!("done: {fed} feeds, {failures} retries"));
                        return Ok(());
                    }
                    if last_of_replay {
                        log(format!(
                            "replay ended: {fed} feeds, {failures} retries (its last values are \
                             not fed again as fresh)"
                        ));
                        return Ok(());
                    }
                }
                Err(e) if e.contains("NotOperator") => {
                    return Err(FeedError::NotOperator(format!("{address} ({e})")));
                }
                Err(e) => {
                    failures += 1;
                    log(format!(
                        "block #{included_in}: the feed failed: {e}; retrying next block"
                    ));
                }
            }
        }
        log("subscription ended: reconnecting");
    }
}

/// A small HTTPS/HTTP client for price endpoints (hyper with rustls, as the node's offchain
/// workers use).
pub mod http {
    use super::source::{parse_price, select};
    use http_body_util::{BodyExt, Empty};
    use hyper::body::Bytes;
    use hyper_rustls::HttpsConnector;
    use hyper_util::{
        client::legacy::{connect::HttpConnector, Client as HyperClient},
        rt::TokioExecutor,
    };
    use perpetua_primitives::Price;
    use std::time::Duration;

    /// Fetches prices over HTTP(S).
    pub struct Client(HyperClient<HttpsConnector<HttpConnector>, Empty<Bytes>>);

    impl Client {
        /// A client trusting the system's root certificates.
        pub fn new() -> Result<Self, String> {
            let connector = hyper_rustls::HttpsConnectorBuilder::new()
                .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
                .map_err(|e| format!("TLS roots: {e}"))?
                .https_or_http()
                .enable_http1()
                .build();
            Ok(Client(
                HyperClient::builder(TokioExecutor::new()).build(connector),
            ))
        }

        /// GETs `url`, parses JSON and reads the price at `path`.
        pub async fn fetch_price(&self, url: &str, path: &str) -> Result<Price, String> {
            let uri: hyper::Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
            let response = tokio::time::timeout(Duration::from_secs(5), self.0.get(uri))
                .await
                .map_err(|_| "timed out after 5 s".to_string())?
                .map_err(|e| format!("request failed: {e}"))?;
            if !response.status().is_success() {
                return Err(format!("HTTP {}", response.status()));
            }
            let body = tokio::time::timeout(Duration::from_secs(5), response.into_body().collect())
                .await
                .map_err(|_| "body timed out".to_string())?
                .map_err(|e| format!("body: {e}"))?
                .to_bytes();
            let json: serde_json::Value =
                serde_json::from_slice(&body).map_err(|e| format!("not JSON: {e}"))?;
            let value = select(&json, path).ok_or_else(|| format!("no value at '{path}'"))?;
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Number(n) => n.to_string(),
                other => return Err(format!("value at '{path}' is {other}")),
            };
            parse_price(&text)
        }
    }
}
