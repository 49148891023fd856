#pragma once
// results.csv and failure records of an experiment, with format versions and checksums.
//
// results.csv is plain CSV ending in one integrity line (util/integrity.h):
//   # tfgram-results format 2 crc32 <8 hex>
// (pandas: read_csv(path, comment="#")). Columns after the metrics: folder, status ("ok" or
// "failed") and error (the failed trial's reason, one line). A failed trial's reason is kept in
// <run folder>/failed.txt until the trial succeeds.
#include <optional>
#include <string>

#include "tfgram/experiment/table.h"

namespace tfgram::experiment {

constexpr int kResultsFormatVersion = 2;

/// CSV text (header and rows) with the integrity line appended.
std::string seal_results(const std::string& csv);
/// Checks the integrity line, then parses; std::invalid_argument naming `origin`.
Csv parse_results(const std::string& text, const std::string& origin);
/// The same for a file (std::invalid_argument naming it when it cannot be read).
Csv read_results_csv(const std::string& path);

/// Records why the trial in `folder` failed (first line of `reason`), atomically.
void record_failure(const std::string& folder, const std::string& reason);
/// The recorded reason, if the trial in `folder` last failed.
std::optional<std::string> recorded_failure(const std::string& folder);
/// Removes the record (the trial is being retried or has finished).
void clear_failure(const std::string& folder);

}  // namespace tfgram::experiment
