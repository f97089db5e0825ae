#!/usr/bin/env bash
# Instructions per verification, counted by callgrind: bare rustls-webpki, certgate's verifier,
# and certgate + identity + policy, on each chain of benches/policy.rs. Wall-clock ratios from
# `cargo bench -p certgate --bench policy` drift when other processes share the cores; an
# instruction count does not. It is a second view, not a replacement: it leaves out cache and
# branch effects, and under valgrind ring and libc choose code paths for the CPU features
# valgrind reports, so signature checks may take more instructions than natively, which makes
# the ratios to webpki lower than the wall-clock ones (RSA-2048 + policy most: 1.064 here at
# 06fabf9, 1.097-1.100 wall clock on minimums).
#
#   bash crates/certgate/benches/instructions.sh [CALLS]
#
# Each variant runs twice, with 10 and with 10 + CALLS calls (default 200); the difference
# divided by CALLS is its cost per call, without the bench's setup. Needs valgrind.
set -euo pipefail
cd "$(dirname "$0")/../../.."

calls=${1:-200}
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is needed" >&2; exit 1; }
bin=$(cargo bench -p certgate --bench policy --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\))$/\1/p' | tail -1)
[ -x "$bin" ] || { echo "instructions.sh: no bench executable found" >&2; exit 1; }

# Instructions of one run of the bench with CERTGATE_BENCH_ONLY=$1.
count() {
  CERTGATE_BENCH_ONLY=$1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" 2>&1 |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

# Instructions per call of variant $2 on chain $1.
per_call() {
  local low high
  low=$(count "$1:$2:10")
  high=$(count "$1:$2:$((10 + calls))")
  echo $(((high - low) / calls))
}

printf '%-8s %14s %14s %8s %18s %8s\n' chain webpki certgate ratio certgate+policy ratio
for chain in pavel p256 rsa2048 mixed ed25519; do
  webpki=$(per_call "$chain" webpki)
  certgate=$(per_call "$chain" certgate)
  policy=$(per_call "$chain" policy)
  printf '%-8s %14d %14d %8s %18d %8s\n' "$chain" "$webpki" "$certgate" \
    "$(awk "BEGIN { printf \"%.3f\", $certgate / $webpki }")" "$policy" \
    "$(awk "BEGIN { printf \"%.3f\", $policy / $webpki }")"
done
