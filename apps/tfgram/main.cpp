// tfgram command-line tool: a thin shell over the library. Subcommands register themselves
// (commands.h); usage errors and bad input exit with code 2 and one line on stderr.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <climits>
#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include "commands.h"
#include "tfgram/data/errors.h"
#include "tfgram/util/allocator.h"
#include "tfgram/util/interrupt.h"
#include "tfgram/util/threads.h"

namespace tfgram::cli {
struct Entry {
  std::string description;
  CommandSetup setup;
};
std::map<std::string, Entry>& registry() {
  static std::map<std::string, Entry> commands;
  return commands;
}

bool register_command(const std::string& name, const std::string& description, CommandSetup setup) {
  registry()[name] = Entry{description, std::move(setup)};
  return true;
}

std::string self_path() {
  char buffer[PATH_MAX];
  const auto n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) throw std::runtime_error("cannot find the tfgram executable");
  return std::string(buffer, static_cast<size_t>(n));
}

}  // namespace tfgram::cli

int main(int argc, char** argv) {
  tfgram::util::prefer_passive_threads(argv);
  tfgram::util::configure_allocator();
  CLI::App app{"tfgram: learnable time-frequency front ends (DEGram, DMEL) on LibTorch"};
  app.require_subcommand(1);
  int threads = 0;
  app.add_option("--threads", threads, "intra-op threads (default: $TFGRAM_NUM_THREADS or all cores)")
      ->check(CLI::NonNegativeNumber);

  std::vector<std::pair<CLI::App*, std::function<int()>>> actions;
  // Name an unknown command instead of CLI11's generic "A subcommand is required".
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word == "--threads") {
      ++i;
      continue;
    }
    if (word.empty() || word[0] == '-') continue;
    if (tfgram::cli::registry().count(word) == 0) {
      std::string known;
      for (const auto& [name, entry] : tfgram::cli::registry()) known += (known.empty() ? "" : ", ") + name;
      std::cerr << "tfgram: error: unknown command '" << word << "' (commands: " << known << ")\n";
      return 2;
    }
    break;
  }
  try {
    for (auto& [name, entry] : tfgram::cli::registry()) {
      CLI::App* sub = app.add_subcommand(name, entry.description);
      actions.emplace_back(sub, entry.setup(*sub));
    }
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;  // usage errors exit 2
  }
  try {
    tfgram::util::configure_threads(threads);
    for (auto& [sub, action] : actions) {
      if (sub->parsed()) return action();
    }
  } catch (const tfgram::util::Interrupted& e) {  // train/experiment stopped cleanly: 128 + signal
    std::cerr << "tfgram: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::invalid_argument& e) {
    std::cerr << "tfgram: error: " << e.what() << "\n";
    return 2;
  } catch (const tfgram::data::FileError& e) {  // a missing, corrupt or unsupported input file
    std::cerr << "tfgram: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "tfgram: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
