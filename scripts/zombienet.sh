#!/usr/bin/env bash
# Runs the zombienet network tests with the native provider: the 4-validator local testnet
# (zombienet/local-testnet.zndsl) started from the last release's chain spec and upgraded to the
# node's runtime during the test, with the @polkadot/api end-to-end tests against it.
# `scripts/zombienet.sh [file.zndsl ...]`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT/zombienet"
[ -x "$PERPETUA_NODE" ] || { echo "no node at $PERPETUA_NODE: run scripts/build-node.sh" >&2; exit 1; }
[ -d node_modules ] || bash "$PERPETUA_ROOT/scripts/setup.sh"
export PERPETUA_NODE
# The release the network starts from, and the runtime it is upgraded to: the wasm built with
# the node (the runtime's build script always builds it as release: WASM_BUILD_TYPE).
export PERPETUA_RELEASE_SPEC="$PERPETUA_ROOT/chain-spec/release/local_testnet.json"
export PERPETUA_RUNTIME_WASM="${PERPETUA_RUNTIME_WASM:-$(dirname "$PERPETUA_NODE")/wbuild/perpetua-runtime/perpetua_runtime.compact.compressed.wasm}"
[ -f "$PERPETUA_RUNTIME_WASM" ] || { echo "no runtime wasm at $PERPETUA_RUNTIME_WASM" >&2; exit 1; }
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(local-testnet.zndsl)
for t in "${tests[@]}"; do
  echo "[zombienet] $t"
  logs="$(mktemp -d /tmp/perpetua-zombie-XXXX)"
  if ! npx --no-install zombienet --provider native --dir "$logs/net" test "$t"; then
    echo "[zombienet] $t failed; node logs in $logs/net" >&2
    for l in "$logs"/net/*.log; do [ -f "$l" ] && { echo "--- $l (tail)"; tail -n 40 "$l"; }; done
    exit 1
  fi
  rm -rf "$logs"
done
