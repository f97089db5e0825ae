#!/usr/bin/env bash
# The one command that runs every test, on a fresh machine of this kind as on a developer's.
# It installs what it needs first, idempotently.
set -euo pipefail
cd "$(dirname "$0")/.."

steps=0
step() { steps=$((steps + 1)); printf '\n==> %s\n' "$*"; }

step "toolchain targets"
installed=$(rustup target list --installed)
for target in wasm32-unknown-unknown wasm32v1-none; do
  grep -qx "$target" <<<"$installed" || rustup target add "$target"
done

step "core builds for a target with no std at all (wasm32v1-none, no crypto)"
cargo build -p certgate --no-default-features --features alloc --target wasm32v1-none

step "CLI test peers: openssl, keytool (Java 17), curl, script (a terminal for prompts)"
missing=()
command -v openssl >/dev/null || missing+=(openssl)
command -v keytool >/dev/null || missing+=(openjdk-17-jre-headless)
command -v curl >/dev/null || missing+=(curl)
command -v script >/dev/null || missing+=(bsdutils)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "certgate-server proxy tests: Debian's nginx (nginx-light) and haproxy, only when missing"
# crates/certgate-server/tests/{nginx,haproxy}.rs start them, on loopback, from a scratch directory.
missing=()
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "workspace tests (unit, integration, doctests)"
cargo test --workspace

step "the README's main job: certgate demo (demo PKI, certgate-server, curl calls checked one by one)"
cargo build -q -p certgate-cli -p certgate-server
"${CARGO_TARGET_DIR:-target}/debug/certgate" demo --port 0

step "x509-limbo conformance: the dev suite must match tests/limbo/exceptions.json, with no unsafe accept"
cargo run --release -p certgate-limbo -- \
  --limbo "$(git rev-parse --show-toplevel)/../shared/conformance/limbo-dev.json.gz" \
  --out "${CARGO_TARGET_DIR:-target}/limbo-results.json" \
  --exceptions tests/limbo/exceptions.json --now 1780000000

# --- npm package `certgate` (bindings/wasm + bindings/npm) ---------------------------------
step "npm package: toolchain (clang for ring on wasm32, wasm-bindgen CLI at the pinned version)"
command -v clang >/dev/null || { apt-get update && apt-get install -y --no-install-recommends clang; }
bindgen_version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)"/\1/p' Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen_version" ]; then
  # No --locked: the CLI's lockfile pins a yanked dependency.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

step "npm package: dependencies, wasm builds (node, web), types, node --test (both builds, HTTPS on loopback, node-demo)"
npm --prefix node-demo ci --no-audit --no-fund
(cd bindings/npm && npm ci --no-audit --no-fund && npm run build && npm run typecheck && npm test)

step "x509-limbo through both wasm builds (tests/limbo/wasm.mjs): every case's verdict and code equal to the native run's"
node tests/limbo/parity.mjs \
  --limbo "$(git rev-parse --show-toplevel)/../shared/conformance/limbo-dev.json.gz" \
  --native "${CARGO_TARGET_DIR:-target}/limbo-results.json" --now 1780000000 \
  --out-dir "${CARGO_TARGET_DIR:-target}"

# --- inspector page (bindings/inspector) -----------------------------------------------------
step "inspector: Debian's chromium for the browser tests (a browser is never downloaded)"
[ -x /usr/bin/chromium ] || { apt-get update && apt-get install -y --no-install-recommends chromium; }

step "inspector: dependencies, static site build (bindings/inspector/dist), browser tests (node --test + playwright-core)"
npm --prefix bindings/inspector ci --no-audit --no-fund
npm --prefix bindings/inspector run build
timeout 900 npm --prefix bindings/inspector test

# --- interop: real clients against both demo servers (tests/interop, issue 12) -----------------
step "interop: chromium, libnss3-tools (certutil, pk12util) and a JDK (java Client.java compiles) from Debian, only when missing"
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v certutil >/dev/null && command -v pk12util >/dev/null || missing+=(libnss3-tools)
java --list-modules 2>/dev/null | grep '^jdk.compiler@' >/dev/null || missing+=(openjdk-17-jdk-headless)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "interop: Chromium, Java 17, Python, curl, openssl s_client, Node × P-256/RSA-2048/Ed25519 × certgate-server/node-demo"
timeout 900 tests/interop/run

step "fuzz: every target of fuzz/ for 10 s after one build (nightly + cargo-fuzz, installed when missing)"
fuzz/run.sh 10

# Every step above ran to completion (set -e stops at the first failure).
echo
echo "steps: $steps passed, 0 failed"
