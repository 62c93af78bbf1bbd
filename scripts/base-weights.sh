#!/usr/bin/env bash
# The weights every extrinsic pays besides its call, measured on this machine with the
# release node (issue 19, docs/THROUGHPUT.md), written to runtime/src/weights/:
#   block_weights.rs, extrinsic_weights.rs   `benchmark overhead`: an empty block, and one
#                                            more `System::remark` in a full block (signature
#                                            check and transaction extensions included)
#   frame_system_extensions.rs               nonce, era, genesis, weight and reclaim checks
#   pallet_transaction_payment.rs            charging the fee
# The node must be built with `runtime-benchmarks` (scripts/bench.sh builds it).
#
#   scripts/base-weights.sh           REPEAT=20 scripts/base-weights.sh
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT"
NODE="${NODE:-$CARGO_TARGET_DIR/release/perpetua-node}"
[ -x "$NODE" ] || cargo build --locked --release -p perpetua-node --features runtime-benchmarks
REPEAT="${REPEAT:-10}"
out=runtime/src/weights
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$NODE" benchmark overhead --dev --database paritydb --warmup 3 --repeat "$REPEAT" \
  --weight-path "$tmp" > "$tmp/overhead.log" 2>&1 || { cat "$tmp/overhead.log" >&2; exit 1; }
for f in block_weights.rs extrinsic_weights.rs; do
  # The generated files name the constants' crate `sp_weights`; the runtime has it as
  # `frame_support::weights`.
  sed -e 's/^use sp_core::parameter_types;/use frame_support::parameter_types;/' \
      -e 's/^use sp_weights::/use frame_support::weights::/' \
      -e 's/^\tuse sp_weights::constants;/\tuse frame_support::weights::constants;/' \
      "$tmp/$f" > "$out/$f"
done
for p in frame_system_extensions pallet_transaction_payment; do
  "$NODE" benchmark pallet --chain dev --pallet "$p" --extrinsic '*' --steps 2 \
    --repeat "$((REPEAT * 2))" --wasm-execution compiled --heap-pages 4096 \
    --output "$out/$p.rs" > "$tmp/$p.log" 2>&1 || { cat "$tmp/$p.log" >&2; exit 1; }
done
grep -h "Average:" -B0 "$tmp/overhead.log" || true
grep -h "saturating_mul" "$out/block_weights.rs" "$out/extrinsic_weights.rs"
