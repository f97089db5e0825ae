#!/usr/bin/env bash
# The one command that runs every test, on a fresh machine of this kind as on a developer's.
# It installs what it needs first, idempotently.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain targets"
installed=$(rustup target list --installed)
for target in wasm32-unknown-unknown wasm32v1-none; do
  grep -qx "$target" <<<"$installed" || rustup target add "$target"
done

step "core builds for a target with no std at all (wasm32v1-none, no crypto)"
cargo build -p certgate --no-default-features --features alloc --target wasm32v1-none

step "CLI test peers: openssl, keytool (Java 17), curl"
missing=()
command -v openssl >/dev/null || missing+=(openssl)
command -v keytool >/dev/null || missing+=(openjdk-17-jre-headless)
command -v curl >/dev/null || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"
fi

step "workspace tests (unit, integration, doctests)"
cargo test --workspace
