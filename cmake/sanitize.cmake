# Hardening builds, each selected with one option (docs/reliability.md):
#   TFGRAM_SANITIZE=ON  AddressSanitizer + UndefinedBehaviorSanitizer on every target (library,
#                       tool, tests); any report fails the run (no recovery from UB).
#   TFGRAM_FUZZ=ON      libFuzzer targets in fuzz/ (clang only); the library is built with
#                       coverage for them. Combine with TFGRAM_SANITIZE=ON (the CI does: one
#                       clang build serves the sanitizer test pass and the fuzzers).
# Keep such builds in their own folder (scripts/build.sh with TFGRAM_BUILD_DIR=build-san).
option(TFGRAM_SANITIZE "Build everything with ASan + UBSan" OFF)
option(TFGRAM_FUZZ "Build the libFuzzer targets (clang)" OFF)

if(TFGRAM_SANITIZE)
  set(TFGRAM_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${TFGRAM_SANITIZE_FLAGS})
  add_link_options(${TFGRAM_SANITIZE_FLAGS})
  # Release keeps the suite's run time close to the normal build's; -g1 names lines in reports.
  add_compile_options(-g1)
endif()

if(TFGRAM_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "TFGRAM_FUZZ needs clang (CXX=clang++ cmake ...): libFuzzer is part of clang")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
