#!/usr/bin/env bash
# Data-parallel training on this machine: epoch time of one process against two ranks
# (`tfgram launch --nproc 2`), on FSDD with DMEL + mel_conv and on ESC-10 with DMEL + CNN6, with
# the all-reduce volume and time per step that rank 0 reports. Both set-ups use all the cores: one
# process at C threads, or 2 ranks at C/2 threads each. Prints a markdown table (the figures of
# docs/distributed.md). Run on an otherwise idle machine.
#   bash bench/distributed.sh [EPOCHS]      (default 2; data from $TFGRAM_DATA_DIR or ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-2}
source bench/common.sh
cores=$(nproc)

write_config fsdd_mel_conv fsdd 8000 mel_conv "$epochs" 100
write_config esc10_cnn6 esc10 40000 cnn6 "$epochs" 100

# Median epoch time (history.csv's seconds column, epochs after the first: no cache warm-up).
epoch_seconds() {
  /usr/bin/python3 - "$1/history.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
s = [float(r["seconds"]) for r in rows]
print(f"{statistics.median(s[1:] if len(s) > 1 else s):.2f}")
PY
}

printf '| run | set-up | epoch (s) | speed-up | all-reduce per step |\n|---|---|---|---|---|\n'
for name in fsdd_mel_conv esc10_cnn6; do
  "$tool" train -q -c "$work/$name.yaml" -o "$work/warm" --set train.max_epochs=1 >/dev/null  # decoded-audio cache
  rm -rf "$work/warm"
  env TFGRAM_NUM_THREADS="$cores" OMP_NUM_THREADS="$cores" "$tool" train -q -c "$work/$name.yaml" -o "$work/$name.1" >/dev/null
  one=$(epoch_seconds "$work/$name.1")
  half=$(( cores / 2 > 0 ? cores / 2 : 1 ))
  env TFGRAM_NUM_THREADS="$half" OMP_NUM_THREADS="$half" "$tool" launch --nproc 2 -- tfgram train -c "$work/$name.yaml" \
    -o "$work/$name.2" >/dev/null 2>"$work/$name.2.log"
  two=$(epoch_seconds "$work/$name.2")
  comm=$(grep -o 'all-reduce: .*' "$work/$name.2.log" | tail -1 | sed 's/^all-reduce: //')
  speedup=$(/usr/bin/python3 -c "print(f'{$one/$two:.2f}x')")
  printf '| %s | 1 process x %s threads | %s | | |\n' "$name" "$cores" "$one"
  printf '| %s | 2 ranks x %s thread(s) | %s | %s | %s |\n' "$name" "$half" "$two" "$speedup" "$comm"
done
