// `tfgram table RESULTS.csv [--format markdown|latex|both]`: the paper-style table of an experiment.
#include <iostream>
#include <memory>

#include "commands.h"
#include "tfgram/experiment/results_file.h"
#include "tfgram/experiment/table.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::cli {
namespace {

struct TableArgs {
  std::string results;
  std::string format = "markdown";
};

int run(const TableArgs& args) {
  if (args.format != "markdown" && args.format != "latex" && args.format != "both") {
    throw std::invalid_argument("--format: expected markdown, latex or both, got '" + args.format + "'");
  }
  const auto table = experiment::results_table(experiment::read_results_csv(args.results));
  if (args.format != "latex") std::cout << table.markdown();
  if (args.format == "both") std::cout << "\n";
  if (args.format != "markdown") std::cout << table.latex();
  return 0;
}

const bool registered = register_command(
    "table", "print the paper-style table of an experiment's results.csv",
    [](CLI::App& command) -> std::function<int()> {
      auto args = std::make_shared<TableArgs>();
      command.add_option("results", args->results, "results.csv of an experiment")->required();
      command.add_option("-f,--format", args->format, "markdown, latex or both");
      return [args] { return run(*args); };
    });

}  // namespace
}  // namespace tfgram::cli
