// results.csv: rebuilt from the run folders after every trial.
#include "tfgram/experiment/results.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <optional>

#include "tfgram/experiment/results_file.h"
#include "tfgram/experiment/table.h"
#include "tfgram/train/result_file.h"
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
  // Finished trials with their result; failed ones (a recorded reason, no result) get a row of
  // their own with status "failed" and the reason, no metrics.
  std::vector<std::pair<const Trial*, std::optional<train::RunResult>>> results;
  for (const auto& trial : trials) {
    const auto path = fs::path(trial.folder) / "result.json";
    if (fs::exists(path)) {
      results.emplace_back(&trial, train::read_result_file(path.string()));
    } else if (recorded_failure(trial.folder)) {
      results.emplace_back(&trial, std::nullopt);
    }
  }
  // The learned values any run reports, in order of first appearance: initial_ and learned_
  // columns for scalars, a mean_ column for vectors (result.json has every value).
  std::vector<std::pair<std::string, bool>> learned;
  for (const auto& [trial, r] : results) {
    if (!r) continue;
    for (const auto* values : {&r->initial.values, &r->learned.values}) {
      for (const auto& value : *values) {
        const bool known = std::any_of(learned.begin(), learned.end(), [&](const auto& l) { return l.first == value.name; });
        if (!known) learned.emplace_back(value.name, value.scalar);
      }
    }
  }
  std::vector<std::string> header{"cell", "run"};
  for (const auto& axis : config.grid) header.push_back(axis.name);
  for (const char* name :
       {"seed", "epochs", "best_epoch", "best_valid_loss", "best_valid_accuracy", "test_loss", "test_accuracy"}) {
    header.push_back(name);
  }
  for (const auto& [name, scalar] : learned) {
    if (scalar) {
      header.push_back("initial_" + name);
      header.push_back("learned_" + name);
    } else {
      header.push_back("mean_" + name);
    }
  }
  header.push_back("seconds");
  header.push_back("folder");
  header.push_back("status");
  header.push_back("error");
  std::string out = csv_line(header);
  for (const auto& [trial, result] : results) {
    std::vector<std::string> row{trial->cell_id, std::to_string(trial->run)};
    for (const auto& label : trial->cell_labels) row.push_back(label);
    if (!result) {
      row.push_back(std::to_string(trial->seed));
      row.resize(header.size() - 3);
      row.push_back(fs::relative(trial->folder, config.output).string());
      row.push_back("failed");
      row.push_back(*recorded_failure(trial->folder));
      out += csv_line(row);
      continue;
    }
    const auto& r = *result;
    for (const auto& value :
         {std::to_string(trial->seed), std::to_string(r.epochs), std::to_string(r.best_epoch),
          format_number(r.best_valid_loss), format_number(r.best_valid_accuracy), format_number(r.test_loss),
          format_number(r.test_accuracy)}) {
      row.push_back(value);
    }
    for (const auto& [name, scalar] : learned) {
      if (scalar) {
        row.push_back(optional_number(r.initial.scalar(name)));
        row.push_back(optional_number(r.learned.scalar(name)));
      } else {
        row.push_back(mean_of(r.learned.vector(name)));
      }
    }
    row.push_back(format_number(r.seconds));
    row.push_back(fs::relative(trial->folder, config.output).string());
    row.push_back("ok");
    row.push_back("");
    out += csv_line(row);
  }
  return out;
}

int64_t write_results(const ExperimentConfig& config, const std::vector<Trial>& trials) {
  fs::create_directories(config.output);
  const auto text = results_csv(config, trials);
  util::write_file_atomic((fs::path(config.output) / "results.csv").string(), seal_results(text));
  return static_cast<int64_t>(std::count(text.begin(), text.end(), '\n')) - 1;
}

}  // namespace tfgram::experiment
