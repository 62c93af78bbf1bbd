# Sourced by every Perpetua script: one place for the build environment.
# shellcheck shell=bash
PERPETUA_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PERPETUA_ROOT
# One shared target directory: tests, CI, benchmarks and the node reuse one build.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/perpetua/target}"
# The wasm32 toolchain assembled by scripts/setup.sh (rustup cannot download wasm targets here).
export PERPETUA_WASM_TOOLCHAIN="${PERPETUA_WASM_TOOLCHAIN:-perpetua-wasm}"
export PERPETUA_WASM_PREFIX="${PERPETUA_WASM_PREFIX:-$HOME/.local/share/perpetua/wasm-toolchain}"
export WASM_BUILD_TOOLCHAIN="${WASM_BUILD_TOOLCHAIN:-$PERPETUA_WASM_TOOLCHAIN}"
# Debian's wasm32v1-none target spec does not pass --allow-undefined to the linker: the
# runtime imports the host functions (ext_*) the node provides, so they must stay undefined.
export WASM_BUILD_RUSTFLAGS="${WASM_BUILD_RUSTFLAGS:--C link-arg=--allow-undefined}"
# The runtime's wasm is always the release build, compacted and compressed as it would ship,
# even in the dev-profile node (substrate-wasm-builder skips compaction for dev builds).
export WASM_BUILD_TYPE="${WASM_BUILD_TYPE:-release}"
# The wasm build runs in the target directory, outside the workspace: point it at our
# Cargo.lock (which pins the yanked core2), or it would resolve its dependencies afresh.
export WASM_BUILD_WORKSPACE_HINT="$PERPETUA_ROOT"
# frame-benchmarking-cli (only in `runtime-benchmarks` nodes) embeds a test runtime for
# storage-access benchmarks whose wasm build cannot find its package from our workspace; we do
# not run those benchmarks.
export SKIP_FRAME_STORAGE_ACCESS_TEST_RUNTIME_WASM_BUILD=1
export PROTOC="${PROTOC:-/usr/bin/protoc}"
export PATH="$HOME/.cargo/bin:$PATH"
# The node binary built by scripts/build-node.sh (dev profile, hot crates optimised).
export PERPETUA_NODE="${PERPETUA_NODE:-$CARGO_TARGET_DIR/debug/perpetua-node}"
