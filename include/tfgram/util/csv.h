#pragma once
// CSV records (RFC 4180): manifests, ESC-50's meta file, results.csv.
#include <cstdint>
#include <string>
#include <vector>

namespace tfgram::util {

/// One CSV record and the line it starts on (1-based).
struct CsvRecord {
  int64_t line = 0;
  std::vector<std::string> fields;
};

/// The records of `text`: quoted fields (with commas, newlines and "" escapes), CRLF or LF, a
/// UTF-8 byte-order mark skipped. Blank lines and, when `comments`, lines starting with '#' are
/// skipped. std::invalid_argument "line N: a quoted field is never closed" on an open quote.
std::vector<CsvRecord> parse_csv_records(const std::string& text, bool comments = false);

}  // namespace tfgram::util
