#!/usr/bin/env bash
# Load test (issue 19, docs/THROUGHPUT.md): starts a dev chain (the release node if it is
# built, else the dev-profile node the tests use) or connects to one, sends N pre-signed trades
# from many accounts, then the same number of balance transfers for comparison, and reports
# included per block, per second, and the time from submission to inclusion and to finality.
#
#   scripts/load.sh [N]                     default 20000 of each, 200 accounts
#   WS=ws://127.0.0.1:9944 scripts/load.sh  use a running node (dev or local preset)
#   KINDS=trade ACCOUNTS=400 scripts/load.sh 60000
#   NODE=path/to/perpetua-node scripts/load.sh
#   BASE=DIR scripts/load.sh                keep each chain's database in DIR/<kind>
#   POOL_TYPE=single-state scripts/load.sh  the other transaction pool (default: fork-aware,
#                                           the node's; see docs/THROUGHPUT.md for its shutdown
#                                           under a burst)
#   NETWORK=3 scripts/load.sh               a 3-validator local network (zombienet,
#                                           zombienet/load-testnet.toml) instead of a dev chain;
#                                           all submissions through Alice (SUBMIT=all: spread
#                                           over the three validators)
#
# Reports: $OUT/load-<kind>.json (default $CARGO_TARGET_DIR/load).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT"
count="${1:-20000}"
accounts="${ACCOUNTS:-200}"
kinds="${KINDS:-trade transfer}"
out="${OUT:-$CARGO_TARGET_DIR/load}"
mkdir -p "$out"
(cd zombienet && [ -d node_modules/@polkadot/api ] || npm ci --no-audit --no-fund)

node_pid=""
cleanup() { [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null || true; }
trap cleanup EXIT
net_pid=""
cleanup_net() { [ -n "$net_pid" ] && kill -- -"$net_pid" 2>/dev/null || true; }
for kind in $kinds; do
  ws="${WS:-}"
  submit=()
  if [ -z "$ws" ] && [ "${NETWORK:-}" = 3 ]; then
    # A fresh network per kind, from the release node if it is built.
    node_bin="${NODE:-$CARGO_TARGET_DIR/release/perpetua-node}"
    [ -x "$node_bin" ] || node_bin="$PERPETUA_NODE"
    logs="$(mktemp -d /tmp/perpetua-load-XXXX)"
    # Its own process group, so that the network goes down with it.
    (cd zombienet && exec env PERPETUA_NODE="$node_bin" setsid npx --no-install zombienet \
      --provider native --dir "$logs/net" spawn load-testnet.toml > "$out/network-$kind.log" 2>&1) &
    net_pid=$!
    trap 'cleanup; cleanup_net' EXIT
    for _ in $(seq 300); do
      grep -q "Network launched" "$out/network-$kind.log" 2>/dev/null && break
      sleep 1
    done
    grep -q "Network launched" "$out/network-$kind.log" || { tail -30 "$out/network-$kind.log"; exit 1; }
    echo "network: 3 validators of $node_bin, logs $logs/net"
    ws=ws://127.0.0.1:9977
    # SUBMIT=all: each validator's pool fills from its own clients, not only through
    # transaction gossip from Alice (on one 2-core machine that stalled the network:
    # docs/THROUGHPUT.md).
    if [ "${SUBMIT:-one}" = all ]; then
      submit=(--submit ws://127.0.0.1:9977,ws://127.0.0.1:9978,ws://127.0.0.1:9979)
    fi
  elif [ -z "$ws" ]; then
    node_bin="${NODE:-}"
    if [ -z "$node_bin" ]; then
      node_bin="$CARGO_TARGET_DIR/release/perpetua-node"
      [ -x "$node_bin" ] || node_bin="$PERPETUA_NODE"
    fi
    [ -x "$node_bin" ] || bash scripts/build-node.sh
    # A fresh chain per kind; a transaction pool large enough to hold the whole load.
    if [ -n "${BASE:-}" ]; then db=(--base-path "$BASE/$kind"); else db=(--tmp); fi
    "$node_bin" --dev "${db[@]}" --rpc-port 9988 --port 30988 --no-prometheus \
      --pool-limit $((count * 2)) --pool-kbytes $((count * 2)) --pool-type "${POOL_TYPE:-fork-aware}" \
      --rpc-max-connections 1000 > "$out/node-$kind.log" 2>&1 &
    node_pid=$!
    ws=ws://127.0.0.1:9988
    for _ in $(seq 120); do
      grep -q "Running JSON-RPC server" "$out/node-$kind.log" && break
      sleep 1
    done
    echo "node: $node_bin ($("$node_bin" --version)), log $out/node-$kind.log"
  fi
  node zombienet/tools/load.mjs --ws "$ws" --kind "$kind" --count "$count" \
    --accounts "$accounts" --json "$out/load-$kind.json" --cache "$out/signed-$kind.json" \
    "${submit[@]}"
  cleanup
  node_pid=""
  cleanup_net
  net_pid=""
done
