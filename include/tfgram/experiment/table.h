#pragma once
// Paper-style result tables from an experiment's results.csv (docs/experiments.md).
//
// Grid columns are the columns between "run" and "seed". When the grid is (initial window or λ) ×
// trainable, each initial value gets a "DMEL" row (trainable; range of learned window lengths or
// λ) and a "baseline" row (fixed); any other grid is grouped by every grid column. Accuracy is
// the test accuracy in percent, mean ± sample standard deviation (n − 1); "–" for a single run.
#include <string>
#include <vector>

namespace tfgram::experiment {

/// A parsed CSV: header and rows (quoted fields with commas, quotes and newlines supported).
struct Csv {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  /// Index of column `name`, or -1.
  int column(const std::string& name) const;
};
/// std::invalid_argument naming `origin` on a malformed file (row with a different field count).
Csv parse_csv(const std::string& text, const std::string& origin = "csv");
/// One CSV line (with '\n'), quoting fields that need it.
std::string csv_line(const std::vector<std::string>& fields);

/// A table as text cells, rendered three ways.
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::string markdown() const;
  std::string latex() const;
  std::string html() const;
};

/// Builds the table for `results` (parsed results.csv). std::invalid_argument when the file has
/// no "run"/"seed"/"test_accuracy" columns.
Table results_table(const Csv& results);

/// Mean and sample standard deviation (n − 1; 0 for n = 1).
std::pair<double, double> mean_std(const std::vector<double>& values);

}  // namespace tfgram::experiment
