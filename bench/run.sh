#!/usr/bin/env bash
# Builds tfgram, runs its benchmarks and the Python peers side by side, prints one table of times,
# ratios and targets, and records it in docs/benchmarks.md. Run on an otherwise idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
build=${TFGRAM_BUILD_DIR:-build}
out=$(mktemp -d)
"$build/tfgram_bench" --benchmark_format=json --benchmark_min_time=1 >"$out/tfgram.json"
# tfgram_bench runs with OMP_WAIT_POLICY=passive and OPENBLAS_THREAD_TIMEOUT=4, as the tfgram
# tool does (util::prefer_passive_threads).
# The peers run under both policies and keep each workload's faster time, so neither side is
# judged under a setting that only suits the other.
env -u OMP_WAIT_POLICY /usr/bin/python3 bench/peers.py >"$out/peers_default.json"
OMP_WAIT_POLICY=passive /usr/bin/python3 bench/peers.py >"$out/peers_passive.json"
/usr/bin/python3 - "$out/peers_default.json" "$out/peers_passive.json" >"$out/peers.json" <<'PY'
import json, sys
a, p = (json.load(open(f)) for f in sys.argv[1:3])
print(json.dumps({k: min(a[k], p[k]) for k in a}))
PY
# Memory in fresh processes so neither side inherits the other's allocations; heap bytes are
# counted by the preloaded libtfgram_heap_peak.so (PYTHONMALLOC=malloc routes Python's small
# objects through malloc too).
heap="$(cd "$build" && pwd)/libtfgram_heap_peak.so"
{
  printf '{"ours": {'
  sep=""
  for w in 10 35 300; do printf '%s"%s": [%s]' "$sep" "$w" "$(LD_PRELOAD="$heap" "$build/tfgram_bench" --peak-memory "$w" | awk '{print $2 ", " $4 ", " $6}')"; sep=", "; done
  printf '}, "peer": {'
  sep=""
  for w in 10 35 300; do printf '%s"%s": [%s]' "$sep" "$w" "$(LD_PRELOAD="$heap" PYTHONMALLOC=malloc /usr/bin/python3 bench/peers.py --peak-memory "$w" 2>/dev/null | awk '{print $2 ", " $4 ", " $6}')"; sep=", "; done
  printf '}}\n'
} >"$out/memory.json"
python3 bench/report.py "$out/tfgram.json" "$out/peers.json" "$out/memory.json" --markdown docs/benchmarks.md
# The sections other scripts measure, each side by side in its own run.
bash bench/kinds.sh >/dev/null
PYTHONPATH="$build/python" OMP_WAIT_POLICY=passive /usr/bin/python3 bench/python_package.py --record docs/benchmarks.md || true
echo "written: docs/benchmarks.md"
