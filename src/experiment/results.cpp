// results.csv: rebuilt from the run folders after every trial.
#include "tfgram/experiment/results.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <optional>

#include "tfgram/experiment/table.h"
#include "tfgram/train/trainer.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::experiment {
namespace {
namespace fs = std::filesystem;

std::string format_number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}
std::string optional_number(const std::optional<double>& value) { return value ? format_number(*value) : ""; }
std::string mean_of(const std::vector<double>& values) {
  if (values.empty()) return "";
  return format_number(std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size()));
}

}  // namespace

std::string results_csv(const ExperimentConfig& config, const std::vector<Trial>& trials) {
  std::vector<std::string> header{"cell", "run"};
  for (const auto& axis : config.grid) header.push_back(axis.name);
  for (const char* name :
       {"seed", "epochs", "best_epoch", "best_valid_loss", "best_valid_accuracy", "test_loss", "test_accuracy",
        "initial_lambd", "learned_lambd", "initial_window_ms", "learned_window_ms", "mean_center_hz",
        "mean_bandwidth_hz", "seconds", "folder"}) {
    header.push_back(name);
  }
  std::string out = csv_line(header);
  for (const auto& trial : trials) {
    const auto path = fs::path(trial.folder) / "result.json";
    if (!fs::exists(path)) continue;
    const auto r = train::RunResult::from_json(util::read_file(path.string()));
    std::vector<std::string> row{trial.cell_id, std::to_string(trial.run)};
    for (const auto& label : trial.cell_labels) row.push_back(label);
    for (const auto& value :
         {std::to_string(trial.seed), std::to_string(r.epochs), std::to_string(r.best_epoch),
          format_number(r.best_valid_loss), format_number(r.best_valid_accuracy), format_number(r.test_loss),
          format_number(r.test_accuracy), optional_number(r.initial_lambd), optional_number(r.learned_lambd),
          optional_number(r.initial_window_ms), optional_number(r.learned_window_ms), mean_of(r.center_hz),
          mean_of(r.bandwidth_hz), format_number(r.seconds),
          fs::relative(trial.folder, config.output).string()}) {
      row.push_back(value);
    }
    out += csv_line(row);
  }
  return out;
}

int64_t write_results(const ExperimentConfig& config, const std::vector<Trial>& trials) {
  fs::create_directories(config.output);
  const auto text = results_csv(config, trials);
  util::write_file_atomic((fs::path(config.output) / "results.csv").string(), text);
  return static_cast<int64_t>(std::count(text.begin(), text.end(), '\n')) - 1;
}

}  // namespace tfgram::experiment
