#pragma once
// The subcommands of the tfgram tool; main.cpp only parses arguments and dispatches here.
#include <cstdint>

namespace tfgram::cli {

struct DemoArgs {
  double seconds = 1.0;
  uint64_t seed = 0;
};
int run_demo(const DemoArgs& args);

}  // namespace tfgram::cli
