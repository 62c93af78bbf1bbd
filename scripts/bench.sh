#!/usr/bin/env bash
# Runtime benchmarks: builds perpetua-node with `runtime-benchmarks`, runs frame-benchmarking
# for Perpetua's pallets on the dev chain and writes each pallet's src/weights.rs, then prints
# every measured call as a ratio to `pallet_balances::transfer_keep_alive`, measured in the same
# run (the baseline).
#
#   scripts/bench.sh                      all Perpetua pallets
#   scripts/bench.sh pallet_equities      one pallet
#   STEPS=50 REPEAT=20 scripts/bench.sh   more samples (defaults: 20 and 5)
#   KEEP=DIR scripts/bench.sh             keep the raw JSON results in DIR (for bench_summary.py)
#   BENCH_PROFILE=dev scripts/bench.sh    a quicker build (the dev-profile node the tests use);
#                                         its host is slower, so its weights err on the heavy side
#
# The committed weights come from the release-profile node (the default here), as a validator
# runs it; its first build took 20 minutes on two cores.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT"
bash scripts/setup.sh
case "${BENCH_PROFILE:-release}" in
  release) cargo build --locked --release -p perpetua-node --features runtime-benchmarks
           NODE="$CARGO_TARGET_DIR/release/perpetua-node" ;;
  dev)     cargo build --locked -p perpetua-node --features runtime-benchmarks
           NODE="$CARGO_TARGET_DIR/debug/perpetua-node" ;;
  *) echo "BENCH_PROFILE must be release or dev" >&2; exit 2 ;;
esac
STEPS="${STEPS:-20}"
REPEAT="${REPEAT:-5}"

declare -A DIRS=(
  [pallet_market_calendar]=pallets/market-calendar
  [pallet_equities]=pallets/equities
  [pallet_prices]=pallets/prices
  [pallet_pool]=pallets/pool
  [pallet_options]=pallets/options
  [pallet_liquidation]=pallets/liquidation
  [pallet_governance]=pallets/governance
  [pallet_validator_set]=pallets/validator-set
)
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=("${!DIRS[@]}")

if [ -n "${KEEP:-}" ]; then out="$KEEP"; mkdir -p "$out"; else out="$(mktemp -d)"; fi
run() { # pallet extrinsic json-out [weights-out]
  local args=(benchmark pallet --chain dev --pallet "$1" --extrinsic "$2" --steps "$STEPS"
    --repeat "$REPEAT" --wasm-execution compiled --heap-pages 4096 --json-file "$3")
  [ -n "${4:-}" ] && args+=(--template scripts/frame-weight-template.hbs --output "$4")
  # wasmtime in the release node now and then fails to seal its memfd (EBUSY) while building
  # the genesis; that is the host, not the measurement, so such a run is retried.
  local try
  for try in 1 2 3; do
    "$NODE" "${args[@]}" > "$3.log" 2>&1 && return 0
    grep -q "cannot add seals to the memfd" "$3.log" || break
    echo "  (memfd seal error, retrying)"
  done
  cat "$3.log" >&2
  exit 1
}

echo "baseline: pallet_balances::transfer_keep_alive"
run pallet_balances transfer_keep_alive "$out/baseline.json"
for p in "${pallets[@]}"; do
  dir="${DIRS[$p]:-}"
  [ -n "$dir" ] || { echo "unknown pallet $p (known: ${!DIRS[*]})" >&2; exit 2; }
  echo "benchmarking $p -> $dir/src/weights.rs"
  run "$p" '*' "$out/$p.json" "$dir/src/weights.rs"
done

python3 scripts/bench_summary.py "$out" "${pallets[@]}"
[ -n "${KEEP:-}" ] || rm -rf "$out"
