#!/usr/bin/env bash
# The main job: verify real client chains with the certgate core and show the verdicts.
# (Until the CLI's `certgate demo` lands, this runs the core's `verify` example on the fixtures.)
set -uo pipefail
cd "$(dirname "$0")/.."
fixtures=crates/certgate/tests/fixtures
time=1780000000 # the fixtures' fixed validation time, 2026-05-28T20:26:40Z
cargo build -q -p certgate --example verify || exit 1
for chain in alice expired rogue-leaf; do
  echo
  echo "\$ verify $fixtures/root-ca.pem $fixtures/$chain.pem $time"
  cargo run -q -p certgate --example verify -- "$fixtures/root-ca.pem" "$fixtures/$chain.pem" "$time"
done
exit 0
