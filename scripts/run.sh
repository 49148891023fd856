#!/usr/bin/env bash
# The main job on a fresh Debian 12: install dependencies, build, then run the DMEL paper's
# synthetic time-frequency grid (SPEC §2.6 row 1) at its quick size (under a minute on 2 cores) and
# print the paper-style table, then where the report is. The full size: drop `--profile quick`. Extra arguments go to
# `tfgram experiment` (e.g. --jobs 1, --output DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
"${TFGRAM_BUILD_DIR:-build}/tfgram" experiment configs/dmel_time_frequency.yaml --profile quick --jobs 2 "$@"
