#pragma once
// Per-epoch training history, written as CSV and JSON after every epoch.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tfgram/train/learned_values.h"

namespace tfgram::train {

struct EpochRecord {
  int64_t epoch = 0;  ///< 1-based
  double train_loss = 0;
  double train_accuracy = 0;
  double valid_loss = 0;
  double valid_accuracy = 0;
  double lr_model = 0;
  /// The rate of each front-end parameter group by name (train.lr.<name>); 0 = frozen.
  std::map<std::string, double> lr_frontend;
  /// The front end's learned quantities after the epoch (λ and window_ms for DMEL's kinds,
  /// center_hz and bandwidth_hz for DEGram's, …).
  LearnedValues frontend;
  /// Wall time of the epoch (train + validation) in seconds.
  double seconds = 0;
};

struct History {
  std::vector<EpochRecord> epochs;

  std::string to_json(int indent = 2) const;
  static History from_json(const std::string& text);
  /// One row per epoch, one lr_<group> column per front-end group, one column per learned
  /// scalar and a mean_<name> column per learned vector (the JSON has every value).
  std::string to_csv() const;
  /// Writes history.csv and history.json into `folder`, atomically.
  void save(const std::string& folder) const;
};

}  // namespace tfgram::train
