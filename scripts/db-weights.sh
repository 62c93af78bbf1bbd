#!/usr/bin/env bash
# Database weights measured on this machine's ParityDB (issue 19, docs/THROUGHPUT.md): runs
# the node's `benchmark storage` (reads and writes of every key of a dev chain's state, through
# the same trie and database the node uses) and writes runtime/src/weights/paritydb_weights.rs,
# which the runtime uses as `frame_system::Config::DbWeight` instead of Substrate's defaults.
#
#   scripts/db-weights.sh            the dev chain's genesis state
#   BASE=DIR scripts/db-weights.sh   an existing node database (e.g. after scripts/load.sh)
#
# Needs the release node built with `runtime-benchmarks` (scripts/bench.sh builds it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT"
node="$CARGO_TARGET_DIR/release/perpetua-node"
[ -x "$node" ] || cargo build --locked --release -p perpetua-node --features runtime-benchmarks
base="${BASE:-$(mktemp -d)}"
# Writes are committed in batches of 10 keys (the default batch of 100,000 is larger than a
# young chain's state, and a remainder is skipped). p95 of the measured reads and writes: a validator is not charged less than what most keys
# cost; the state of a young chain is small and mostly in cache, so this errs low.
"$node" benchmark storage --dev --base-path "$base" --database paritydb --state-version 1 \
  --metric p95 --batch-size "${BATCH:-10}" --weight-path runtime/src/weights
# The runtime has no sp-weights dependency: the same type through frame-support. The template's
# doc comments on struct fields in an expression are plain comments (rustc warns otherwise).
sed -i -e 's/use sp_weights::RuntimeDbWeight;/use frame_support::weights::RuntimeDbWeight;/' -e 's/use sp_weights::constants;/use frame_support::weights::constants;/' \
  -e 's|^            ///|            //|' runtime/src/weights/paritydb_weights.rs
echo "weights: runtime/src/weights/paritydb_weights.rs"
