#pragma once
// <output>/results.csv: one row per finished trial, rebuilt from the run folders' result.json files
// (so a resumed or parallel experiment never duplicates or loses a row).
#include <cstdint>
#include <string>
#include <vector>

#include "tfgram/experiment/grid.h"

namespace tfgram::experiment {

/// The results table text rebuilt from the trials' result.json files (finished trials only):
/// cell, run, one column per axis, seed, then the metrics (see docs/experiments.md).
std::string results_csv(const ExperimentConfig& config, const std::vector<Trial>& trials);
/// Rebuilds and atomically replaces <output>/results.csv; returns the number of rows.
int64_t write_results(const ExperimentConfig& config, const std::vector<Trial>& trials);

}  // namespace tfgram::experiment
