#!/usr/bin/env bash
# The long fuzz run (docs/FUZZING.md): the runtime-wide fuzzer, release build, random
# sequences until the time is up, then its report.
#
#   scripts/fuzz.sh [SECONDS]            default 3600
#   THREADS=2 BLOCKS=400 FIRST_SEED=1000000 OUT=DIR scripts/fuzz.sh 7200
#
# The report (sequences, blocks, calls by pallet and outcome, events, violations) is written
# to $CARGO_TARGET_DIR/fuzz/report.md every five minutes and at the end; each failing
# sequence, shrunk, to $CARGO_TARGET_DIR/fuzz/failures/seed-N.steps (replay one with
# `perpetua-fuzz --replay FILE`; copy it into fuzz/regressions/ once fixed). Exits non-zero
# if any sequence broke an invariant or panicked.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

run_for="${1:-3600}"
threads="${THREADS:-2}"
blocks="${BLOCKS:-400}"
first_seed="${FIRST_SEED:-1000000}"

SKIP_WASM_BUILD=1 cargo build --locked --release -p perpetua-fuzz
out="${OUT:-$CARGO_TARGET_DIR/fuzz}"
mkdir -p "$out"
echo "fuzzing for ${run_for} s on ${threads} thread(s), ${blocks} blocks per sequence, seeds from ${first_seed}"
"$CARGO_TARGET_DIR/release/perpetua-fuzz" \
  --seconds "$run_for" --threads "$threads" --blocks "$blocks" --first-seed "$first_seed" \
  --report "$out/report.md" --failures "$out/failures"
echo "report: $out/report.md"
