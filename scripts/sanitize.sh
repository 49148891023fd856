#!/usr/bin/env bash
# The sanitizer pass: a clang build with ASan + UBSan (TFGRAM_SANITIZE=ON) and the libFuzzer
# targets (TFGRAM_FUZZ=ON) in its own folder, then the fast tests under the sanitizers (the tool's
# child processes in the CLI tests are sanitized binaries too). Any report fails the test that
# triggered it. Extra arguments go to ctest.
#   TFGRAM_SAN_BUILD_DIR  build folder (default build-san)
#   TFGRAM_SAN_ALL=1      every test, not only the fast ones
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
build=${TFGRAM_SAN_BUILD_DIR:-build-san}
# No Python package: the uninstrumented python3 cannot load a sanitized libtfgram_ops.so (the
# normal suite runs its tests).
CC=clang CXX=clang++ TFGRAM_BUILD_DIR="$build" bash scripts/build.sh \
  -DTFGRAM_SANITIZE=ON -DTFGRAM_FUZZ=ON -DTFGRAM_BUILD_BENCH=OFF -DTFGRAM_BUILD_PYTHON=OFF
# Leaks are not checked: LibTorch keeps its registries and thread pools until exit on purpose.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# The slow tests (whole trainings on FSDD/ESC-10, the long kill/resume loops, the benchmarks'
# reference runs) are left to the normal build's suite, and so is the install test (its consumer is an
# uninstrumented program that cannot link the sanitized library); the rest is the sanitizer pass.
slow='install\.|Cli\.TrainOnFsdd|Faults\.KillResume|ExperimentRun\.ResumeAfterKill|DataEsc\.|Fsdd|Golden|ClassifierAssembly.*(resnet|cnn6)'
if [ "${TFGRAM_SAN_ALL:-0}" = 1 ]; then slow='^$'; fi
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -E "$slow" "$@"
