#pragma once
// A front end's learned quantities at one point of a run (an epoch, the start, the best model),
// as the model reports them (frontends/frontend.h): history, result.json, results.csv and
// `tfgram info` show them by name, whatever the front end.
#include <optional>
#include <string>
#include <vector>

#include "tfgram/frontends/frontend.h"

namespace tfgram::train {

struct LearnedValues {
  std::vector<frontends::LearnedValue> values;

  const frontends::LearnedValue* find(const std::string& name) const;
  /// The value of scalar `name`, unset when absent.
  std::optional<double> scalar(const std::string& name) const;
  /// The values of `name`, empty when absent.
  std::vector<double> vector(const std::string& name) const;
  /// The values as one line: "lambd 5.3 samples, window_ms 35 ms, center_hz mean 1391 Hz".
  std::string summary() const;
};

/// The mean of a vector value (what CSV columns and summaries show of one).
double mean_of(const std::vector<double>& values);

}  // namespace tfgram::train
