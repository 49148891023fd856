#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time from seed corpora made from the test files, then
# prints executions and findings per target. The targets come from a TFGRAM_FUZZ=ON build:
#   CC=clang CXX=clang++ TFGRAM_BUILD_DIR=build-san bash scripts/build.sh -DTFGRAM_SANITIZE=ON -DTFGRAM_FUZZ=ON
#   bash tools/fuzz.sh [SECONDS_PER_TARGET (default 10)] [TARGET...]
# Environment: TFGRAM_BUILD_DIR (default build-san), TFGRAM_FUZZ_DIR (corpora, crashes; default
# $TFGRAM_BUILD_DIR/fuzz-work). Every input in fuzz/regressions/<target>/ (earlier findings) runs
# first; a crash, hang or sanitizer report exits non-zero and leaves the input in
# $TFGRAM_FUZZ_DIR/<target>/findings/ to commit as a regression. fuzz/open/ holds findings inside
# LibTorch that are documented but not fixed (docs/reliability.md); they are not replayed.
# A single allocation may reach 8 GB (-malloc_limit_mb), fuzz_published 8 GB resident: LibTorch's
# unpickler reserves a string's declared length (up to 4 GB) before reading it (fuzz/open/fuzz_published/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
shift || true
build=${TFGRAM_BUILD_DIR:-build-san}
work=${TFGRAM_FUZZ_DIR:-$build/fuzz-work}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_audio fuzz_config fuzz_checkpoint fuzz_manifest fuzz_results fuzz_published)
shared=${TFGRAM_SHARED_DIR:-../shared}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TFGRAM_NUM_THREADS=1 OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive
mkdir -p "$work"

# seed TARGET SELECTOR-BYTE FILE...: copies each file into the target's corpus behind one byte
# (the targets read their first byte as a mode; see fuzz/*.cpp). SELECTOR "" = no byte.
seed() {
  local target=$1 selector=$2
  shift 2
  mkdir -p "$work/$target/corpus"
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    local out="$work/$target/corpus/seed-${selector:-x}-$(basename "$f")"
    if [ -n "$selector" ]; then { printf "\\x$selector"; cat "$f"; } > "$out"; else cp "$f" "$out"; fi
  done
}

# Seeds: the committed small inputs (fuzz/seeds), the configs, the golden files, FSDD clips and a
# checkpoint of a tiny model trained here (tens of kilobytes, so executions stay fast).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seed fuzz_audio 00 fuzz/seeds/audio/*.wav $(ls "$shared"/data/fsdd/recordings/*.wav 2>/dev/null | head -3)
seed fuzz_audio 01 fuzz/seeds/audio/*.flac
seed fuzz_audio 02 fuzz/seeds/audio/*.ogg
seed fuzz_config 00 fuzz/seeds/config/run*.yaml
seed fuzz_config 01 fuzz/seeds/config/*.json
seed fuzz_config 02 configs/*.yaml fuzz/seeds/config/experiment*.yaml
seed fuzz_config 03 fuzz/seeds/config/*.set
seed fuzz_manifest "" fuzz/seeds/manifest/*.csv
seed fuzz_results 00 fuzz/seeds/results/*.csv
seed fuzz_results 01 fuzz/seeds/results/*.csv
seed fuzz_published "" $(ls -S "$shared"/golden/*.pt 2>/dev/null | tail -4)
if [ ! -f "$work/tiny.ckpt" ]; then
  "$build/tfgram" train -q -c fuzz/seeds/config/run_tiny.yaml -o "$tmp/tiny" >/dev/null
  cp "$tmp/tiny/best.ckpt" "$work/tiny.ckpt"
fi
seed fuzz_checkpoint 00 "$work/tiny.ckpt"
tail -c +33 "$work/tiny.ckpt" > "$tmp/tiny.payload"
seed fuzz_checkpoint 01 "$tmp/tiny.payload"

status=0
summary=()
for target in "${targets[@]}"; do
  binary="$build/fuzz/$target"
  [ -x "$binary" ] || { echo "fuzz: $binary not built (TFGRAM_FUZZ=ON)"; exit 2; }
  mkdir -p "$work/$target/findings" "$work/$target/corpus"
  rm -f "$work/$target/findings/"*  # this run's findings only
  # Earlier findings must pass (no crash) before new fuzzing.
  if compgen -G "fuzz/regressions/$target/*" >/dev/null; then
    if ! "$binary" -runs=0 fuzz/regressions/$target/* >"$work/$target/regressions.log" 2>&1; then
      echo "fuzz: $target fails on a committed regression input (see $work/$target/regressions.log)"
      status=1
    fi
  fi
  log="$work/$target/fuzz.log"
  rss=4096
  # LibTorch's unpickler reserves a string's declared length (up to 4 GB) before reading it; under
  # ASan that memory is resident (open finding, fuzz/open/fuzz_published/, docs/reliability.md).
  [ "$target" = fuzz_published ] && rss=8192
  set +e
  "$binary" "$work/$target/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb="$rss" -malloc_limit_mb=8192 -max_len=262144 \
    -artifact_prefix="$work/$target/findings/" -print_final_stats=1 >"$log" 2>&1
  code=$?
  set -e
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  findings=$(find "$work/$target/findings" -type f | wc -l)
  summary+=("$(printf '%-16s %10s execs  %3s finding(s)  exit %s' "$target" "${execs:-0}" "$findings" "$code")")
  if [ "$code" -ne 0 ]; then
    status=1
    echo "fuzz: $target found a problem:"
    grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$log" | head -5
  fi
done
printf '%s\n' "${summary[@]}"
exit $status
