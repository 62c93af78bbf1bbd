#!/usr/bin/env python3
"""Prints frame-benchmarking results as ratios to the baseline measured in the same run
(pallet_balances::transfer_keep_alive). Usage: bench_summary.py DIR PALLET...; DIR holds
baseline.json and PALLET.json as written by `benchmark pallet --json-file`."""
import json, sys, os
out, pallets = sys.argv[1], sys.argv[2:]
b = json.load(open(os.path.join(out, "baseline.json")))
baseline = b[0]["time_results"][0]["extrinsic_time"]
# extrinsic_time is in nanoseconds; the first sample has the lowest component values.
print(f"\n{'call':<52} {'time (us)':>10} {'x transfer':>11}")
print(f"{'pallet_balances::transfer_keep_alive (baseline)':<52} {baseline/1000:>10.1f} {1.0:>11.2f}")
for p in pallets:
    for r in json.load(open(os.path.join(out, f"{p}.json"))):
        tr = r["time_results"]
        lo, hi = tr[0], tr[-1]
        comps = ",".join(f"{c[0]}={c[1]}" for c in hi["components"])
        name = f"{p}::{r['benchmark']}"
        print(f"{name:<52} {lo['extrinsic_time']/1000:>10.1f} {lo['extrinsic_time']/baseline:>11.2f}"
              + (f"   at {comps}: {hi['extrinsic_time']/1000:.1f} us ({hi['extrinsic_time']/baseline:.2f}x)" if comps else ""))
