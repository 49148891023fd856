// tfgram command-line tool: a thin shell over the library.
#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

#include "commands.h"
#include "tfgram/util/threads.h"

int main(int argc, char** argv) {
  CLI::App app{"tfgram: learnable time-frequency front ends (DEGram, DMEL) on LibTorch"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "intra-op threads (default: $TFGRAM_NUM_THREADS or all cores)")
      ->check(CLI::NonNegativeNumber);

  tfgram::cli::DemoArgs demo;
  auto* demo_cmd = app.add_subcommand("demo", "DEGram and DMEL of a generated chirp: shapes and parameters");
  demo_cmd->add_option("--seconds", demo.seconds, "chirp duration")->check(CLI::Range(0.1, 60.0));
  demo_cmd->add_option("--seed", demo.seed, "random seed");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors exit 2
  }
  try {
    tfgram::util::configure_threads(threads);
    if (*demo_cmd) return tfgram::cli::run_demo(demo);
  } catch (const std::invalid_argument& e) {
    std::cerr << "tfgram: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tfgram: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
