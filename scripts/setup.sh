#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, run and test Perpetua.
# Idempotent: every step checks first and does nothing when already done.
#
#   protoc                     litep2p's build script needs it
#   a wasm32v1-none toolchain  rustup cannot download wasm targets here; we assemble one from
#                              Debian's rustc-web (1.96, with std sources) and link it into rustup
#   npm packages               zombienet and @polkadot/api for the network tests; the web app's
#                              (Vite, TypeScript, vitest, playwright-core) in app/
#   chromium                   Debian's, for the web app's browser test (npm cannot download one)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

log() { printf '[setup] %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# --- 1. Debian packages -------------------------------------------------------------------
APT_PKGS=(protobuf-compiler rustc-web cargo-web rust-web-src libstd-rust-web-dev rust-web-llvm lld-22 chromium)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  log "Debian packages present"
fi
command -v protoc >/dev/null || { echo "protoc missing after install" >&2; exit 1; }

# --- 2. The wasm32v1-none toolchain ----------------------------------------------------------
SYS_RUSTC=/usr/bin/rustc
SYS_VERSION="$($SYS_RUSTC --version)"
PREFIX="$PERPETUA_WASM_PREFIX"
STAMP="$PREFIX/.perpetua-stamp"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$SYS_VERSION" ] \
   && rustup toolchain list | grep -q "^$PERPETUA_WASM_TOOLCHAIN"; then
  log "wasm toolchain '$PERPETUA_WASM_TOOLCHAIN' present ($SYS_VERSION)"
else
  log "assembling wasm toolchain '$PERPETUA_WASM_TOOLCHAIN' in $PREFIX from $SYS_VERSION"
  SRC_DIR="$(readlink -f /usr/lib/rustlib/src/rust)"
  rm -rf "$PREFIX"
  mkdir -p "$PREFIX/bin" "$PREFIX/lib/rustlib/wasm32v1-none/lib" "$PREFIX/lib/rustlib/src"
  ln -s /usr/lib/rustlib/x86_64-unknown-linux-gnu "$PREFIX/lib/rustlib/x86_64-unknown-linux-gnu"
  ln -s /usr/lib/rustlib/etc "$PREFIX/lib/rustlib/etc"
  ln -s "$SRC_DIR" "$PREFIX/lib/rustlib/src/rust"
  # rustc's own shared libraries live next to /usr/lib/rustlib; keep them findable.
  for f in /usr/lib/x86_64-linux-gnu/librustc_driver-*.so /usr/lib/librustc_driver-*.so; do
    [ -e "$f" ] && ln -sf "$f" "$PREFIX/lib/" || true
  done
  printf '#!/bin/sh\nexec /usr/bin/rustc --sysroot %s "$@"\n' "$PREFIX" > "$PREFIX/bin/rustc"
  printf '#!/bin/sh\nexec /usr/bin/rustdoc --sysroot %s "$@"\n' "$PREFIX" > "$PREFIX/bin/rustdoc"
  chmod +x "$PREFIX/bin/rustc" "$PREFIX/bin/rustdoc"
  ln -s /usr/bin/cargo "$PREFIX/bin/cargo"

  # Build core, alloc and compiler_builtins for wasm32v1-none once, from Debian's std sources.
  WORK="$(mktemp -d)"
  trap 'rm -rf "$WORK"' EXIT
  mkdir -p "$WORK/src"
  cat > "$WORK/Cargo.toml" <<'TOML'
[package]
name = "perpetua-wasm-sysroot"
version = "0.0.0"
edition = "2021"
[lib]
path = "src/lib.rs"
[profile.release]
panic = "abort"
TOML
  echo '#![no_std]' > "$WORK/src/lib.rs"
  (
    cd "$WORK"
    # The build must not see the rustup proxy's toolchain overrides.
    env -u RUSTUP_TOOLCHAIN -u CARGO_TARGET_DIR RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes \
      /usr/bin/cargo build --release --offline --config "build.rustc='/usr/bin/rustc'" \
      -Zbuild-std=core,alloc --target wasm32v1-none --target-dir "$WORK/target" -q 2>/dev/null \
    || env -u RUSTUP_TOOLCHAIN -u CARGO_TARGET_DIR RUSTC_BOOTSTRAP=1 RUSTFLAGS=-Cembed-bitcode=yes \
      /usr/bin/cargo build --release --config "build.rustc='/usr/bin/rustc'" \
      -Zbuild-std=core,alloc --target wasm32v1-none --target-dir "$WORK/target" -q
  )
  cp "$WORK"/target/wasm32v1-none/release/deps/lib{core,alloc,compiler_builtins,rustc_std_workspace_core}-*.rlib \
     "$PREFIX/lib/rustlib/wasm32v1-none/lib/" 2>/dev/null || true
  ls "$PREFIX/lib/rustlib/wasm32v1-none/lib/"libcore-*.rlib >/dev/null
  ls "$PREFIX/lib/rustlib/wasm32v1-none/lib/"liballoc-*.rlib >/dev/null
  ls "$PREFIX/lib/rustlib/wasm32v1-none/lib/"libcompiler_builtins-*.rlib >/dev/null
  rustup toolchain link "$PERPETUA_WASM_TOOLCHAIN" "$PREFIX"
  echo "$SYS_VERSION" > "$STAMP"
  log "wasm toolchain ready"
fi

# --- 3. Node.js packages for the network tests ---------------------------------------------
if [ "${PERPETUA_SKIP_NPM:-0}" != 1 ]; then
  if ! command -v node >/dev/null; then
    log "installing Node.js"
    $SUDO apt-get install -y -qq nodejs npm >/dev/null
  fi
  for dir in zombienet app; do
    ZDIR="$PERPETUA_ROOT/$dir"
    [ -f "$ZDIR/package.json" ] || continue
    if [ ! -d "$ZDIR/node_modules" ] || [ "$ZDIR/package-lock.json" -nt "$ZDIR/node_modules/.package-lock.json" ]; then
      log "installing npm packages in $dir/"
      (cd "$ZDIR" && npm ci --no-audit --no-fund --loglevel=error)
    else
      log "npm packages present in $dir/"
    fi
  done
fi
log "done"
