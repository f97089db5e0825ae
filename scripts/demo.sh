#!/usr/bin/env bash
# The main job: a throwaway PKI, the native certgate server on 127.0.0.1:8443, and the curl
# calls that show alice allowed, mallory refused by the policy, expired and rogue refused in
# the handshake, and no certificate answered 401 (`certgate demo`; extra arguments pass through,
# e.g. `--port 0`, `--dir DIR --force`, `--keep-running`).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v curl >/dev/null || { apt-get update && apt-get install -y --no-install-recommends curl; }
cargo build -q -p certgate-cli -p certgate-server
exec "${CARGO_TARGET_DIR:-target}/debug/certgate" demo "$@"
