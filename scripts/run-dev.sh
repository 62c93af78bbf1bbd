#!/usr/bin/env bash
# Sets up the machine if needed, builds the node and starts a single-validator dev chain
# (Alice) that produces and finalizes blocks. The state is temporary unless you pass
# --base-path DIR. Extra arguments go to the node, e.g. `scripts/run-dev.sh --rpc-port 9955`.
#
# RPC (Polkadot.js): ws://127.0.0.1:9944     Prometheus: http://127.0.0.1:9615/metrics
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$PERPETUA_ROOT/scripts/build-node.sh"
args=(--dev --rpc-cors all --prometheus-port 9615)
case " $* " in *" --base-path "*) ;; *) args+=(--tmp) ;; esac
exec "$PERPETUA_NODE" "${args[@]}" "$@"
