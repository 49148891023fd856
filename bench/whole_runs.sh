#!/usr/bin/env bash
# Whole `tfgram train` processes, timed as a user would see them: wall, user and system time, minor
# page faults and peak resident memory (GNU time), each run REPS times (median kept), under the
# tool's own policy and, side by side in the same minutes, under glibc's and OpenBLAS's defaults
# (TFGRAM_MALLOC=default, OPENBLAS_THREAD_TIMEOUT=28). Prints a table and the targets as pass/fail
# and records them in docs/whole_runs.md. Run on an otherwise idle machine.
#   bash bench/whole_runs.sh [REPS]          (default 3; data from $TFGRAM_DATA_DIR or ../shared/data)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
source bench/common.sh

write_config fsdd_mel_linear fsdd 8000 mel_linear 4
write_config esc10_mel_conv esc10 40000 mel_conv 2
write_config esc10_cnn6 esc10 40000 cnn6 1

# One run: prints "wall user sys faults maxrss_kb".
run_once() {
  local config=$1 threads=$2
  shift 2
  local out="$work/run.$RANDOM"
  env TFGRAM_NUM_THREADS="$threads" "$@" /usr/bin/time -f "%e %U %S %R %M" -o "$work/time" \
    "$tool" train -q -c "$config" -o "$out" >/dev/null
  rm -rf "$out"
  cat "$work/time"
}

results="$work/results.txt"
: >"$results"
for spec in "fsdd_mel_linear 1" "fsdd_mel_linear 2" "esc10_mel_conv 2" "esc10_cnn6 2"; do
  set -- $spec
  name=$1 threads=$2
  run_once "$work/$name.yaml" "$threads" >/dev/null  # warm-up: the decoded-audio cache, page cache
  for i in $(seq "$reps"); do
    echo "$name $threads tool $(run_once "$work/$name.yaml" "$threads")" >>"$results"
    echo "$name $threads defaults $(run_once "$work/$name.yaml" "$threads" TFGRAM_MALLOC=default OPENBLAS_THREAD_TIMEOUT=28)" >>"$results"
  done
done

/usr/bin/python3 - "$results" "$reps" <<'PY' | tee docs/whole_runs.md
import statistics, subprocess, sys, datetime, platform
rows = {}
for line in open(sys.argv[1]):
    name, threads, policy, *v = line.split()
    rows.setdefault((name, threads), {}).setdefault(policy, []).append([float(x) for x in v])
med = lambda runs, i: statistics.median(r[i] for r in runs)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"# Whole training runs\n\nMeasured by `bash bench/whole_runs.sh {sys.argv[2]}` on {datetime.date.today()}, {cpu}, "
      f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores: whole `tfgram train` processes, "
      f"median of {sys.argv[2]} runs each, \"tool\" = the tool's own allocation and thread policy, \"defaults\" = "
      "glibc's and OpenBLAS's (`TFGRAM_MALLOC=default OPENBLAS_THREAD_TIMEOUT=28`), run alternately in the same minutes.\n")
print("| run | threads | policy | wall s | user s | system s | system / user | minor faults | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|")
for (name, threads), by in rows.items():
    for policy in ("tool", "defaults"):
        r = by[policy]
        print(f"| {name} | {threads} | {policy} | {med(r,0):.2f} | {med(r,1):.2f} | {med(r,2):.2f} | "
              f"{med(r,2)/med(r,1):.0%} | {med(r,3)/1e6:.2f} M | {med(r,4)/1024:.0f} |")
print("\nTargets (issue #16):\n")
def target(ok, text): print(f"- [{'PASS' if ok else 'FAIL'}] {text}")
for key in [("fsdd_mel_linear", "1"), ("fsdd_mel_linear", "2"), ("esc10_mel_conv", "2")]:
    r = rows[key]["tool"]
    target(med(r,2) <= 0.10 * med(r,1), f"{key[0]} at {key[1]} thread(s): system ≤ 10 % of user: {med(r,2)/med(r,1):.0%}")
t, d = rows[("esc10_mel_conv", "2")]["tool"], rows[("esc10_mel_conv", "2")]["defaults"]
target(med(d,0) >= 1.6 * med(t,0), f"esc10_mel_conv wall ≥ 1.6× faster than under the defaults: {med(d,0)/med(t,0):.2f}×")
PY
