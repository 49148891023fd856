#!/usr/bin/env bash
# The main job on a fresh Debian 12: install dependencies, build, run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
"${TFGRAM_BUILD_DIR:-build}/tfgram" demo "$@"
