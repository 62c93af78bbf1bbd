#!/usr/bin/env bash
# The web app's tests: type check and build (app/dist), unit tests (vitest), then the browser
# test: a fresh dev chain (the built node, archive state), the dev price feed, the built page
# served by `vite preview`, and Debian's Chromium driven by playwright-core (app/test/browser.mjs).
# Screenshots go to $CARGO_TARGET_DIR/app-screenshots; DOCS_SHOTS=docs/app also refreshes docs/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT/app"
[ -d node_modules/playwright-core ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] \
  || npm ci --no-audit --no-fund --loglevel=error
command -v chromium >/dev/null || { echo "chromium missing: run scripts/setup.sh" >&2; exit 1; }

bash "$PERPETUA_ROOT/scripts/build-node.sh"
npm run -s build
npx vitest run

RPC_PORT=${APP_TEST_RPC_PORT:-9977}
WEB_PORT=${APP_TEST_WEB_PORT:-4179}
LOGS="$CARGO_TARGET_DIR/app-test"
mkdir -p "$LOGS"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

"$PERPETUA_NODE" --dev --tmp --state-pruning archive --rpc-port "$RPC_PORT" --rpc-cors all \
  --port 0 --no-prometheus --no-telemetry > "$LOGS/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 60); do
  curl -sf -H 'Content-Type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"chain_getHeader","params":[]}' \
    "http://127.0.0.1:$RPC_PORT" >/dev/null && break
  sleep 1
done
node dev/feed.mjs --ws "ws://127.0.0.1:$RPC_PORT" --every 6 --fixed > "$LOGS/feed.log" 2>&1 &
pids+=($!)
node_modules/.bin/vite preview --port "$WEB_PORT" --strictPort > "$LOGS/preview.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 30); do curl -sf "http://127.0.0.1:$WEB_PORT/" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$WEB_PORT/" >/dev/null || { echo "vite preview did not start: $(cat "$LOGS/preview.log")" >&2; exit 1; }

APP_URL="http://127.0.0.1:$WEB_PORT/" WS="ws://127.0.0.1:$RPC_PORT" \
  SHOTS="$CARGO_TARGET_DIR/app-screenshots" DOCS_SHOTS="${DOCS_SHOTS:+$PERPETUA_ROOT/$DOCS_SHOTS}" \
  node test/browser.mjs
