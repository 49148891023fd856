#!/usr/bin/env bash
# Installs every Debian 12 package tfgram needs to build, test, run and benchmark.
# Idempotent: does nothing when all are present. Works as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake ccache pkg-config git
  libtorch-dev libopenblas0-pthread          # LibTorch 1.13 + a fast BLAS (reference BLAS is ~20x slower)
  libgloo-dev                                # the Gloo headers c10d's ProcessGroupGloo needs (distributed training)
  libsndfile1-dev libsoxr-dev                # audio decoding and resampling
  libfftw3-dev                               # the fused CPU path of the DMEL kernel (its FFTs)
  zlib1g-dev                                 # CRC-32 of checkpoints and result files
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libpng-dev gnuplot-nox                     # figures: heatmaps (libpng) and line plots (gnuplot)
  libgtest-dev libgmock-dev libbenchmark-dev # tests and benchmarks
  python3-torch python3-torchaudio           # the Python package (same libtorch.so) and the peers the benchmarks compare against
  python3-pytest                             # the Python package's tests (CTest runs them)
  clang-14 clang libclang-rt-14-dev          # the sanitizer build and the libFuzzer targets (scripts/sanitize.sh, tools/fuzz.sh)
  util-linux                                 # setpriv: the unreadable-folder test drops root's DAC override
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
