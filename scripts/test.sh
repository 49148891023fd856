#!/usr/bin/env bash
# Every test on a fresh Debian 12: install dependencies, build, run the suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir "${TFGRAM_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
