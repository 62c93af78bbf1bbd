#!/usr/bin/env bash
# Generates chain-spec/local_testnet.json (plain) and chain-spec/local_testnet-raw.json from the
# runtime's local_testnet preset. With --check, verifies that the committed files are what the
# current runtime generates (also part of scripts/test.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PERPETUA_ROOT"
[ -x "$PERPETUA_NODE" ] || bash scripts/build-node.sh
out="$PERPETUA_ROOT/chain-spec"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$PERPETUA_NODE" build-spec --chain local --disable-default-bootnode > "$tmp/local_testnet.json" 2>"$tmp/log" \
  || { cat "$tmp/log" >&2; exit 1; }
"$PERPETUA_NODE" build-spec --chain local --raw --disable-default-bootnode \
  > "$tmp/local_testnet-raw.json" 2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
if [ "${1:-}" = "--check" ]; then
  # The check itself is a test of the node crate (node/tests/chain_spec.rs).
  cargo test --locked -p perpetua-node --test chain_spec
else
  mkdir -p "$out"
  cp "$tmp/local_testnet.json" "$tmp/local_testnet-raw.json" "$out/"
  echo "wrote $out/local_testnet.json and $out/local_testnet-raw.json"
fi
