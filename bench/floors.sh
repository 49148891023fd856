#!/usr/bin/env bash
# Issue #16's floors, side by side in one run at 1 and at 2 intra-op threads: DMEL forward+backward
# (λ trained) against its FFTs alone, the DEGram front end against its two filterbank GEMMs plus one
# pass over its input, and the main job's trainable epoch against its FFT floor plus the model's own
# time. Prints the table with each target as pass/fail and records it in docs/benchmarks.md
# (section "Distance to the floor"). Run on an idle machine: `bash bench/floors.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${TFGRAM_BUILD_DIR:-build}
[ -x "$build/tfgram_bench" ] || { bash scripts/setup.sh; bash scripts/build.sh; }
out=$(mktemp -d)
# Alternate the thread counts twice so that drift on a shared machine hits both; the report keeps
# the faster of the two repetitions of each.
for rep in 1 2; do
  for threads in 1 2; do
    TFGRAM_NUM_THREADS=$threads "$build/tfgram_bench" \
      --benchmark_filter='DmelForwardBackward/|DmelLayerForwardBackward/|DmelFloorPaired/|FftFloor/[0-9]+/[12]|Degram|MainEpoch' \
      --benchmark_format=json --benchmark_min_time=1 >"$out/t${threads}_$rep.json"
  done
done
/usr/bin/python3 - "$out" >"$out/table.md" <<'PY'
import json, re, sys
def load(path):
    return {re.sub(r"/(real_time|iterations:\d+|min_time:[\d.]+)", "", b["name"].replace("BM_", "")): b
            for b in json.load(open(path))["benchmarks"]}
def seconds(b):
    return b["real_time"] / 1e3  # ms → s
ms = lambda s: f"{s * 1e3:.1f}"
print("| workload | threads | tfgram (ms) | floor (ms) | tfgram / floor | target |")
print("|---|---|---|---|---|---|")
checks = []
for threads in (1, 2):
    runs = [load(f"{sys.argv[1]}/t{threads}_{rep}.json") for rep in (1, 2)]
    t = {k: min(seconds(r[k]) for r in runs) for k in runs[0]}
    for w, target in ((10, 1.5), (35, 1.5), (300, 1.25)):
        # The target row: the layer and its floor timed back to back in each iteration
        # (BM_DmelFloorPaired), the median of the per-pair ratios; of the two repetitions the
        # higher ratio (the less favourable) is reported.
        paired = max((r[f"DmelFloorPaired/{w}"] for r in runs), key=lambda b: b["ratio"])
        ours, floor, r = paired["layer_ms"] / 1e3, paired["floor_ms"] / 1e3, paired["ratio"]
        print(f"| DMEL layer fwd+bwd, λ trained, {w} ms (floor: its FFTs; timed in pairs) | {threads} | {ms(ours)} | {ms(floor)} | {r:.2f}× | ≤ {target}× {'pass' if r <= target else 'FAIL'} |")
        ours, floor = t[f"DmelLayerForwardBackward/{w}"], t[f"FftFloor/{w}/1"]
        print(f"| — the same timed one after the other, a second each (faster of two runs) | {threads} | {ms(ours)} | {ms(floor)} | {ours / floor:.2f}× | (no target) |")
        with_mean = t[f"DmelForwardBackward/{w}"]
        print(f"| — with a mean() loss timed too (as the peers are) | {threads} | {ms(with_mean)} | {ms(floor)} | {with_mean / floor:.2f}× | (no target) |")
        joint = t[f"FftFloor/{w}/2"]
        print(f"| — against the one complex FFT per frame it runs | {threads} | {ms(ours)} | {ms(joint)} | {ours / joint:.2f}× | (no target) |")
    paired = max((r["DegramFloorPaired"] for r in runs), key=lambda b: b["ratio"])
    ours, floor, r = paired["layer_ms"] / 1e3, paired["floor_ms"] / 1e3, paired["ratio"]
    print(f"| DEGram front end fwd+bwd (floor: its two GEMMs + one pass; timed in pairs) | {threads} | {ms(ours)} | {ms(floor)} | {r:.2f}× | ≤ 1.2× {'pass' if r <= 1.2 else 'FAIL'} |")
    ours, floor = t["DegramForwardBackward"], t["DegramFloor"]
    print(f"| — the same timed one after the other, a second each (faster of two runs) | {threads} | {ms(ours)} | {ms(floor)} | {ours / floor:.2f}× | (no target) |")
    ours, fft, model = t["MainEpoch/0"], t["MainEpoch/1"], t["MainEpoch/2"]
    r = ours / (fft + model)
    print(f"| main job's trainable epoch (floor: FFTs {ms(fft)} + model {ms(model)}) | {threads} | {ms(ours)} | {ms(fft + model)} | {r:.2f}× | ≤ 1.5× {'pass' if r <= 1.5 else 'FAIL'} |")
PY
cat "$out/table.md"
{ echo "Measured $(date -u +%F) on $(bash bench/machine.sh) by bench/floors.sh; the faster of two alternating repetitions."
  echo "DMEL: B = 32 × 5 s at 8 kHz, hop 80, 64 mels, log. Each DMEL and DEGram target row times the workload and its floor back to"
  echo "back in every iteration (BM_DmelFloorPaired, BM_DegramFloorPaired) and judges the median of the per-pair ratios, the higher of"
  echo "the two repetitions: this machine's speed drifts by tens of percent between minutes, more than the"
  echo "targets' margins. The row under it times the two a second each, as before. Both start the backward from a fixed"
  echo "upstream gradient (BM_DmelLayerForwardBackward); the next row times a mean() loss as well"
  echo "(BM_DmelForwardBackward, as bench/peers.py times the published code). Its floor is BM_FftFloor (two real FFTs per frame"
  echo "with the kernel's FFTW plans and threads, issue #16's definition). With λ trained the kernel runs one"
  echo "complex FFT per frame instead (X and X' from one transform), so the line below each DMEL row gives the"
  echo "distance to that transform alone (the floors read their frames from one large array, 262 MB at 300 ms,"
  echo "so there they are partly bound by memory; the kernel gathers each frame into L1). DEGram: 16 kHz, n_fft"
  echo "2048, 64 filters, TF-DE, normalisation."
  echo "Main job: configs/dmel_time_frequency.yaml's 3500 training examples in batches of 128, full mode, hop 1."
  echo; cat "$out/table.md"; } |
  /usr/bin/python3 bench/record_section.py docs/benchmarks.md floors "Distance to the floor"
echo "written: docs/benchmarks.md"
