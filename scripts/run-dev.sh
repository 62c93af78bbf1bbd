#!/usr/bin/env bash
# Sets up the machine if needed, builds the node and the web app, and starts a single-validator
# dev chain (Alice) that produces and finalizes blocks, the dev price feed (Alice and Bob, two
# oracle operators, feed BTC, ETH, their volatilities and the example stocks every 6 s) and the
# web app. The state is temporary unless you pass --base-path DIR; the chain keeps every
# block's state (archive) so that the app's charts can read its history. Extra arguments go to
# the node, e.g. `scripts/run-dev.sh --rpc-port 9955`.
#
#   NO_APP=1    the chain only        NO_FEED=1   no dev price feed (prices go stale)
#   APP_PORT    the app's port (4173)
#
# RPC (Polkadot.js): ws://127.0.0.1:9944     Prometheus: http://127.0.0.1:9615/metrics
# Web app: http://127.0.0.1:4173/
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$PERPETUA_ROOT/scripts/build-node.sh"
args=(--dev --rpc-cors all --prometheus-port 9615 --state-pruning archive)
case " $* " in *" --base-path "*) ;; *) args+=(--tmp) ;; esac
if [ "${NO_APP:-0}" = 1 ]; then exec "$PERPETUA_NODE" "${args[@]}" "$@"; fi

rpc_port=9944
prev=""
for a in "$@"; do
  [ "$prev" = "--rpc-port" ] && rpc_port="$a"
  case "$a" in --rpc-port=*) rpc_port="${a#--rpc-port=}" ;; esac
  prev="$a"
done
APP="$PERPETUA_ROOT/app"
[ -d "$APP/node_modules/vite" ] || (cd "$APP" && npm ci --no-audit --no-fund --loglevel=error)
(cd "$APP" && npm run -s build >/dev/null)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
"$PERPETUA_NODE" "${args[@]}" "$@" &
node_pid=$!
pids+=("$node_pid")
for _ in $(seq 1 60); do
  curl -sf -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}' \
    "http://127.0.0.1:$rpc_port" >/dev/null && break
  sleep 1
done
if [ "${NO_FEED:-0}" != 1 ]; then
  (cd "$APP" && exec node dev/feed.mjs --ws "ws://127.0.0.1:$rpc_port") &
  pids+=($!)
fi
(cd "$APP" && exec node_modules/.bin/vite preview --port "${APP_PORT:-4173}" --strictPort >/dev/null) &
pids+=($!)
for _ in $(seq 1 30); do curl -sf "http://127.0.0.1:${APP_PORT:-4173}/" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:${APP_PORT:-4173}/" >/dev/null || { echo "the web app did not start (port ${APP_PORT:-4173} taken?)" >&2; exit 1; }
printf '\n  Perpetua web app: http://127.0.0.1:%s/?ws=ws://127.0.0.1:%s\n  (dev accounts in the account menu; the Polkadot.js extension\x27s accounts too if installed)\n\n' \
  "${APP_PORT:-4173}" "$rpc_port"
wait "$node_pid"
