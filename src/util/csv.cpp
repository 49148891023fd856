#include "tfgram/util/csv.h"

#include <stdexcept>

namespace tfgram::util {

std::vector<CsvRecord> parse_csv_records(const std::string& text, bool comments) {
  std::vector<CsvRecord> rows;
  size_t i = 0;
  int64_t line = 1;
  // Skip a UTF-8 byte-order mark written by spreadsheet programs.
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
  while (i < text.size()) {
    const int64_t row_line = line;
    // Whole-line skips: blank lines and comments.
    if (text[i] == '\n' || text[i] == '\r' || (comments && text[i] == '#')) {
      const size_t end = text.find('\n', i);
      i = end == std::string::npos ? text.size() : end + 1;
      ++line;
      continue;
    }
    CsvRecord row;
    row.line = row_line;
    std::string field;
    bool quoted = false;
    bool row_done = false;
    while (!row_done) {
      if (i >= text.size()) {
        if (quoted) throw std::invalid_argument("line " + std::to_string(row_line) + ": a quoted field is never closed");
        row_done = true;
        break;
      }
      const char c = text[i++];
      if (quoted) {
        if (c == '"') {
          if (i < text.size() && text[i] == '"') {
            field += '"';
            ++i;
          } else {
            quoted = false;
          }
        } else {
          if (c == '\n') ++line;
          field += c;
        }
      } else if (c == '"' && field.empty()) {
        quoted = true;
      } else if (c == ',') {
        row.fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        ++line;
        row_done = true;
      } else if (c != '\r') {
        field += c;
      }
    }
    row.fields.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace tfgram::util
