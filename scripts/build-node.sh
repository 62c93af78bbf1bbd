#!/usr/bin/env bash
# Builds perpetua-node (with its wasm runtime) into the shared target directory.
# The dev profile is used on purpose: tests, CI and the node share one build, and the crates a
# running node spends its time in are optimised even in dev (see Cargo.toml).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
bash "$PERPETUA_ROOT/scripts/setup.sh"
cd "$PERPETUA_ROOT"
cargo build --locked -p perpetua-node "$@"
echo "node: $PERPETUA_NODE"
