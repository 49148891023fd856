#!/usr/bin/env bash
# The new front-end kinds side by side in one run: the fully learnable front end (dmel_sincgram's
# window and filterbank) and PCEN, each against the same computation in plain ATen ops (C++), in
# plain PyTorch (bench/peers_kinds.py), DMEL and the fixed log-mel at the same size. Prints the
# table with its target (learnable ≤ 2× DMEL's forward+backward) and records it in
# docs/benchmarks.md (section "Front-end kinds beyond both papers"). Run on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TFGRAM_BUILD_DIR:-build}
[ -x "$build/tfgram_bench" ] || { bash scripts/setup.sh; bash scripts/build.sh; }
out=$(mktemp -d)
# Twice, keeping the faster reading of each benchmark: on a shared machine a slow minute then
# hits one side of a ratio only half as often.
for rep in 1 2; do
  "$build/tfgram_bench" --benchmark_filter='Learnable|LogmelForward|Pcen|DmelForwardBackward/' \
    --benchmark_format=json --benchmark_min_time=1 >"$out/ours_$rep.json"
done
OMP_WAIT_POLICY=passive /usr/bin/python3 bench/peers_kinds.py >"$out/peers.json"
/usr/bin/python3 - "$out/ours" "$out/peers.json" >"$out/table.md" <<'PY'
import json, re, sys
def load(path):
    return {re.sub(r"/(real_time|iterations:\d+)", "", b["name"].replace("BM_", "")): b["real_time"] / 1e3
            for b in json.load(open(path))["benchmarks"]}  # ms → s
runs = [load(f"{sys.argv[1]}_{rep}.json") for rep in (1, 2)]
ours = {k: min(r[k] for r in runs) for k in runs[0]}
peers = json.load(open(sys.argv[2]))
ms = lambda s: f"{s * 1e3:.1f}"
print("| workload | tfgram (ms) | ATen composed (ms) | plain PyTorch (ms) | DMEL fwd+bwd (ms) | fixed log-mel fwd (ms) "
      "| learnable / DMEL | target ≤ 2× |")
print("|---|---|---|---|---|---|---|---|")
for w in (10, 35, 300):
    t, c, p = ours[f"LearnableForwardBackward/{w}"], ours[f"LearnableComposedForwardBackward/{w}"], peers[f"LearnableForwardBackward/{w}"]
    d, f = ours[f"DmelForwardBackward/{w}"], ours[f"LogmelForward/{w}"]
    r = t / d
    print(f"| learnable fwd+bwd, {w} ms | {ms(t)} | {ms(c)} ({c / t:.1f}×) | {ms(p)} ({p / t:.1f}×) | {ms(d)} | {ms(f)} "
          f"| {r:.2f}× | {'pass' if r <= 2 else 'FAIL'} |")
t, c, p = ours["PcenForwardBackward"], ours["PcenComposedForwardBackward"], peers["PcenForwardBackward"]
print(f"| PCEN fwd+bwd (32 × 64 × 501) | {ms(t)} | {ms(c)} ({c / t:.1f}×) | {ms(p)} ({p / t:.1f}×) | – | – | – | – |")
PY
cat "$out/table.md"
{ echo "B = 32 × 5 s at 8 kHz, hop 80, 64 filters; λ, centres and bandwidths trained; in parentheses how many"
  echo "times tfgram's time. Measured $(date -u +%F) on $(bash bench/machine.sh) by bench/kinds.sh; tfgram's figures are the"
  echo "faster of two repetitions."; echo; cat "$out/table.md"; } |
  /usr/bin/python3 bench/record_section.py docs/benchmarks.md kinds "Front-end kinds beyond both papers"
echo "written: docs/benchmarks.md"
