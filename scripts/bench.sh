#!/usr/bin/env bash
# Runtime benchmarks: builds perpetua-node with `runtime-benchmarks`, runs frame-benchmarking
# for Perpetua's pallets on the dev chain and writes each pallet's src/weights.rs, then prints
# every measured call as a ratio to `pallet_balances::transfer_keep_alive`, measured in the same
# run (the baseline).
#
#   scripts/bench.sh                      all Perpetua pallets
#   scripts/bench.sh pallet_equities      one pallet
#   STEPS=50 REPEAT=20 scripts/bench.sh   more samples (defaults: 20 and 5)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT"
bash scripts/setup.sh
cargo build --locked -p perpetua-node --features runtime-benchmarks
NODE="$CARGO_TARGET_DIR/debug/perpetua-node"
STEPS="${STEPS:-20}"
REPEAT="${REPEAT:-5}"

declare -A DIRS=(
  [pallet_market_calendar]=pallets/market-calendar
  [pallet_equities]=pallets/equities
  [pallet_prices]=pallets/prices
)
pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=("${!DIRS[@]}")

out="$(mktemp -d)"
run() { # pallet extrinsic json-out [weights-out]
  local args=(benchmark pallet --chain dev --pallet "$1" --extrinsic "$2" --steps "$STEPS"
    --repeat "$REPEAT" --wasm-execution compiled --heap-pages 4096 --json-file "$3")
  [ -n "${4:-}" ] && args+=(--template scripts/frame-weight-template.hbs --output "$4")
  "$NODE" "${args[@]}" > "$3.log" 2>&1 || { cat "$3.log" >&2; exit 1; }
}

echo "baseline: pallet_balances::transfer_keep_alive"
run pallet_balances transfer_keep_alive "$out/baseline.json"
for p in "${pallets[@]}"; do
  dir="${DIRS[$p]:-}"
  [ -n "$dir" ] || { echo "unknown pallet $p (known: ${!DIRS[*]})" >&2; exit 2; }
  echo "benchmarking $p -> $dir/src/weights.rs"
  run "$p" '*' "$out/$p.json" "$dir/src/weights.rs"
done

python3 - "$out" "${pallets[@]}" <<'PY'
import json, sys, os
out, pallets = sys.argv[1], sys.argv[2:]
def base(results):
    # Weight at the lowest component values: the regression's base (ref time, picoseconds).
    return {r["benchmark"]: r["time_results"][0]["extrinsic_time"] for r in results}
b = json.load(open(os.path.join(out, "baseline.json")))
baseline = b[0]["time_results"][0]["extrinsic_time"]
print(f"\n{'call':<52} {'time (us)':>10} {'x transfer':>11}")
print(f"{'pallet_balances::transfer_keep_alive (baseline)':<52} {baseline/1000:>10.1f} {1.0:>11.2f}")
for p in pallets:
    for r in json.load(open(os.path.join(out, f"{p}.json"))):
        tr = r["time_results"]
        lo, hi = tr[0], tr[-1]
        comps = ",".join(f"{c['name']}={c['value']}" for c in hi["components"])
        name = f"{p}::{r['benchmark']}"
        print(f"{name:<52} {lo['extrinsic_time']/1000:>10.1f} {lo['extrinsic_time']/baseline:>11.2f}"
              + (f"   at {comps}: {hi['extrinsic_time']/1000:.1f} us ({hi['extrinsic_time']/baseline:.2f}x)" if comps else ""))
PY
