#!/usr/bin/env python3
"""Prints frame-benchmarking results as ratios to the baseline measured in the same run
(pallet_balances::transfer_keep_alive). Usage: bench_summary.py DIR PALLET...; DIR holds
baseline.json and PALLET.json as written by `benchmark pallet --json-file`.

Two ratios per call: execution alone, and the weight a block is charged (execution plus the
storage reads and writes at the runtime's DbWeight, runtime/src/weights/paritydb_weights.rs).
Execution is the median over the repeats at the lowest and at the highest component values.
A call with one component also gets its slope: what one more unit of it adds."""
import json, os, re, statistics, sys

out, pallets = sys.argv[1], sys.argv[2:]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
db = open(os.path.join(root, "runtime/src/weights/paritydb_weights.rs")).read()
# ns per read and per write
READ = int(re.search(r"read: ([0-9_]+) \*", db).group(1).replace("_", ""))
WRITE = int(re.search(r"write: ([0-9_]+) \*", db).group(1).replace("_", ""))


def point(result, components):
    """(execution ns, reads, writes) at the given component values."""
    times = [t["extrinsic_time"] for t in result["time_results"] if t["components"] == components]
    dbs = [d for d in result["db_results"] if d["components"] == components] or [
        d for d in result["db_results"]
    ]
    return statistics.median(times), dbs[0]["reads"], dbs[0]["writes"]


def weight(p):
    return p[0] + p[1] * READ + p[2] * WRITE


base_result = json.load(open(os.path.join(out, "baseline.json")))[0]
baseline = point(base_result, base_result["time_results"][0]["components"])
bx, bw = baseline[0], weight(baseline)
print(f"\nDbWeight: read {READ / 1000:.1f} us, write {WRITE / 1000:.1f} us")
print(f"\n{'call':<44} {'exec (us)':>9} {'x':>6} {'weight (us)':>11} {'x':>6}  r/w")
print(f"{'balances::transfer_keep_alive (baseline)':<44} {bx / 1000:>9.1f} {1.0:>6.2f} "
      f"{bw / 1000:>11.1f} {1.0:>6.2f}  {baseline[1]}/{baseline[2]}")
for p in pallets:
    for r in json.load(open(os.path.join(out, f"{p}.json"))):
        comps = sorted({tuple(map(tuple, t["components"])) for t in r["time_results"]})
        lo_c, hi_c = [list(c) for c in comps[0]], [list(c) for c in comps[-1]]
        lo, hi = point(r, lo_c), point(r, hi_c)
        name = f"{p.removeprefix('pallet_')}::{r['benchmark']}"
        line = (f"{name:<44} {lo[0] / 1000:>9.1f} {lo[0] / bx:>6.2f} {weight(lo) / 1000:>11.1f} "
                f"{weight(lo) / bw:>6.2f}  {lo[1]}/{lo[2]}")
        if hi_c != lo_c:
            at = ",".join(f"{c[0]}={c[1]}" for c in hi_c)
            line += f"   at {at}: {weight(hi) / 1000:.1f} us ({weight(hi) / bw:.2f}x), {hi[1]}/{hi[2]}"
            if len(hi_c) == 1:
                units = hi_c[0][1] - lo_c[0][1]
                slope = tuple((h - l) / units for h, l in zip(hi, lo))
                line += (f"\n{'':<44} per {hi_c[0][0]}: exec {slope[0] / 1000:.1f} us ({slope[0] / bx:.2f}x), "
                         f"weight {weight(slope) / 1000:.1f} us ({weight(slope) / bw:.2f}x), "
                         f"{slope[1]:.1f}/{slope[2]:.1f}")
        print(line)
