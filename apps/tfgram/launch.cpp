// `tfgram launch --nproc N [--nnodes M --node-rank K --master HOST:PORT] -- tfgram train …`:
// starts this machine's ranks of a data-parallel job (torchrun's role); see docs/distributed.md.
#include <iostream>
#include <memory>

#include "commands.h"
#include "tfgram/dist/launch.h"

namespace tfgram::cli {
namespace {

struct LaunchArgs {
  int64_t nproc = 1;
  int64_t nnodes = 1;
  int64_t node_rank = 0;
  std::string master;
  std::string log_dir;
  double grace = 10;
  std::vector<std::string> command;
};

int run(LaunchArgs args) {
  // "tfgram" means this tfgram (the build folder's need not be on PATH).
  if (!args.command.empty() && args.command[0] == "tfgram") args.command[0] = self_path();
  return dist::launch(dist::LaunchOptions()
                          .nproc(args.nproc)
                          .nnodes(args.nnodes)
                          .node_rank(args.node_rank)
                          .master(args.master)
                          .log_dir(args.log_dir)
                          .grace(args.grace)
                          .command(args.command),
                      &std::cerr);
}

const bool registered = register_command(
    "launch", "start this machine's ranks of a data-parallel job: launch --nproc N -- tfgram train ...",
    [](CLI::App& command) -> std::function<int()> {
      auto args = std::make_shared<LaunchArgs>();
      command.add_option("--nproc", args->nproc, "ranks on this machine")->check(CLI::PositiveNumber);
      command.add_option("--nnodes", args->nnodes, "machines in the job")->check(CLI::PositiveNumber);
      command.add_option("--node-rank", args->node_rank, "this machine's index in [0, nnodes)")
          ->check(CLI::NonNegativeNumber);
      command.add_option("--master", args->master,
                         "HOST:PORT of node 0, where rank 0 hosts the store (default on one machine: "
                         "127.0.0.1 and a free port)");
      command.add_option("--log-dir", args->log_dir, "write each rank's output to DIR/rank_<R>.log");
      command.add_option("--grace", args->grace, "seconds the other ranks get to stop after one failed")
          ->check(CLI::NonNegativeNumber);
      command.add_option("command", args->command, "the program every rank runs, after --")->required();
      return [args] { return run(*args); };
    });

}  // namespace
}  // namespace tfgram::cli
