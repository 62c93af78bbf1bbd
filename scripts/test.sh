#!/usr/bin/env bash
# The whole test suite, from a fresh machine: sets up what is missing, then
#   1. unit tests, property tests and the runtime integration tests (native runtime), the
#      fuzzer's bounded run and its regressions (fuzz/, docs/FUZZING.md), and the node's CLI
#      and chain-spec tests (real node binary, real wasm);
#   2. the runtime upgrade's migrations with their try-runtime checks;
#   3. the web app: type check, build, unit tests and the browser test (Chromium, dev chain);
#   4. the zombienet network test (4 validators, upgraded from the last release during the
#      test) with the @polkadot/api end-to-end tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT"
bash scripts/setup.sh

step() { printf '\n==== %s\n' "$*"; }
t0=$SECONDS

step "cargo test --workspace"
cargo test --locked --workspace

step "fuzz: the bounded run's summary (full report: \$CARGO_TARGET_DIR/fuzz-ci-report.md)"
sed -n '3,9p' "$CARGO_TARGET_DIR/fuzz-ci-report.md"

step "pallet benchmarks as tests (runtime-benchmarks, mock runtimes)"
SKIP_WASM_BUILD=1 cargo test --locked --features runtime-benchmarks \
  -p pallet-market-calendar -p pallet-equities -p pallet-prices -p pallet-pool -p pallet-options \
  -p pallet-liquidation -p pallet-governance -p pallet-validator-set

step "runtime upgrade: migrations' pre/post checks and every pallet's try_state (try-runtime)"
SKIP_WASM_BUILD=1 cargo test --locked --features try-runtime -p perpetua-runtime --test upgrade
SKIP_WASM_BUILD=1 cargo test --locked --features try-runtime -p pallet-equities migrations
SKIP_WASM_BUILD=1 cargo test --locked --features try-runtime -p pallet-options migrations

step "perpetua-pricing builds no_std for wasm32v1-none"
(cd primitives/pricing && cargo +"$PERPETUA_WASM_TOOLCHAIN" build --locked --release -q \
  --no-default-features --target wasm32v1-none --target-dir "$CARGO_TARGET_DIR/wasm-check")

step "web app: build, unit tests, browser test against a dev chain (screenshots: \$CARGO_TARGET_DIR/app-screenshots)"
bash scripts/test-app.sh

step "zombienet: local testnet + @polkadot/api end-to-end"
bash scripts/zombienet.sh

printf '\nall tests passed in %d s\n' $((SECONDS - t0))
