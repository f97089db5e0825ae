#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after the other, on fresh
# seed corpora; fails on the first crash, hang (10 s per input) or leak. Prints executions per
# target. The short CI run: `fuzz/run.sh 15`; the long run: see fuzz/README.md.
#
#   fuzz/run.sh SECONDS [TARGET...]
# Environment: FUZZ_SANITIZER=address (default) or none (2-3x the executions, for long runs);
# FUZZ_LIMBO=300 (limbo cases in the seeds) or all.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
sanitizer=${FUZZ_SANITIZER:-address}
# Always fuzz/target: the instrumented builds share nothing with the main workspace's.
export CARGO_TARGET_DIR="$PWD/target"

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
python3 seed.py --limbo "${FUZZ_LIMBO:-300}"
mkdir -p artifacts
if ! cargo +nightly fuzz build --sanitizer "$sanitizer" >artifacts/build.log 2>&1; then
  tail -n 40 artifacts/build.log
  exit 1
fi
for target in "${targets[@]}"; do
  log="artifacts/$target.log"
  # -timeout: an input taking 10 s is a hang; -rss_limit_mb: 2 GiB is a leak or a bomb.
  if ! cargo +nightly fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz target $target failed: see fuzz/$log and the input in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  printf '%-12s %10s executions in %ss, 0 crashes, 0 hangs\n' "$target" "$executions" "$seconds"
done
