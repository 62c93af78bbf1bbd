#!/usr/bin/env bash
# Runs the zombienet network tests with the native provider: a 3-validator local testnet that
# must produce and finalize blocks with every node seeing 2 peers, then the @polkadot/api
# end-to-end test against it. `scripts/zombienet.sh [file.zndsl ...]`.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT/zombienet"
[ -x "$PERPETUA_NODE" ] || { echo "no node at $PERPETUA_NODE: run scripts/build-node.sh" >&2; exit 1; }
[ -d node_modules ] || bash "$PERPETUA_ROOT/scripts/setup.sh"
export PERPETUA_NODE
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
