// results.csv → paper-style tables (markdown, LaTeX, HTML).
#include "tfgram/experiment/table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>

#include "tfgram/util/csv.h"

namespace tfgram::experiment {

int Csv::column(const std::string& name) const {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? -1 : static_cast<int>(it - header.begin());
}

Csv parse_csv(const std::string& text, const std::string& origin) {
  std::vector<std::vector<std::string>> records;
  try {
    for (auto& record : util::parse_csv_records(text)) records.push_back(std::move(record.fields));
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(origin + ": " + e.what());
  }
  Csv csv;
  if (records.empty()) throw std::invalid_argument(origin + ": empty file (no header)");
  csv.header = std::move(records.front());
  for (size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != csv.header.size()) {
      throw std::invalid_argument(origin + ": row " + std::to_string(r + 1) + " has " + std::to_string(records[r].size()) +
                                  " fields, the header has " + std::to_string(csv.header.size()));
    }
    csv.rows.push_back(std::move(records[r]));
  }
  return csv;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    const auto& f = fields[i];
    if (f.find_first_of(",\"\n\r") == std::string::npos) {
      out += f;
      continue;
    }
    out += '"';
    for (const char c : f) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
  }
  return out + "\n";
}

std::pair<double, double> mean_std(const std::vector<double>& values) {
  if (values.empty()) return {std::nan(""), std::nan("")};
  const double n = static_cast<double>(values.size());
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / n;
  if (values.size() < 2) return {mean, 0.0};
  double sum = 0;
  for (const double v : values) sum += (v - mean) * (v - mean);
  return {mean, std::sqrt(sum / (n - 1))};
}

namespace {

constexpr const char* kDash = "–";

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::optional<double> number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// Test accuracy as "mean ± std" in percent; "–" for the std of a single run.
std::string accuracy_text(const std::vector<double>& accuracies) {
  const auto [mean, sd] = mean_std(accuracies);
  return fixed(100 * mean, 1) + " ± " + (accuracies.size() < 2 ? std::string(kDash) : fixed(100 * sd, 1));
}

std::string range_text(const std::vector<double>& values, int digits) {
  if (values.empty()) return kDash;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return "(" + fixed(*lo, digits) + ", " + fixed(*hi, digits) + ")";
}

bool is_true(const std::string& text) { return text == "true" || text == "1" || text == "True"; }

std::string escape_latex(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (text.compare(i, std::string(kDash).size(), kDash) == 0) {
      out += "--";
      i += std::string(kDash).size() - 1;
    } else if (text.compare(i, std::string("±").size(), "±") == 0) {
      out += "$\\pm$";
      i += std::string("±").size() - 1;
    } else if (text.compare(i, std::string("λ").size(), "λ") == 0) {
      out += "$\\lambda$";
      i += std::string("λ").size() - 1;
    } else if (c == '%' || c == '_' || c == '&' || c == '#' || c == '$') {
      out += std::string("\\") + c;
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_html(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

}  // namespace

std::string Table::markdown() const {
  std::string out = "|";
  for (const auto& h : header) out += " " + h + " |";
  out += "\n|";
  for (size_t i = 0; i < header.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& row : rows) {
    out += "|";
    for (const auto& cell : row) out += " " + cell + " |";
    out += "\n";
  }
  return out;
}

std::string Table::latex() const {
  std::string out = "\\begin{tabular}{" + std::string(header.size(), 'l') + "}\n\\toprule\n";
  auto line = [](const std::vector<std::string>& cells) {
    std::string text;
    for (size_t i = 0; i < cells.size(); ++i) text += (i ? " & " : "") + escape_latex(cells[i]);
    return text + " \\\\\n";
  };
  out += line(header) + "\\midrule\n";
  for (const auto& row : rows) out += line(row);
  return out + "\\bottomrule\n\\end{tabular}\n";
}

std::string Table::html() const {
  std::string out = "<table>\n<tr>";
  for (const auto& h : header) out += "<th>" + escape_html(h) + "</th>";
  out += "</tr>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& cell : row) out += "<td>" + escape_html(cell) + "</td>";
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

Table results_table(const Csv& all) {
  // Failed trials (status "failed", no metrics) stay in results.csv; the table is of finished runs.
  Csv results = all;
  if (const int status_col = all.column("status"); status_col >= 0) {
    results.rows.clear();
    for (const auto& row : all.rows) {
      if (row[status_col] != "failed") results.rows.push_back(row);
    }
  }
  const int run_col = results.column("run");
  const int seed_col = results.column("seed");
  const int acc_col = results.column("test_accuracy");
  if (run_col < 0 || seed_col < 0 || acc_col < 0 || seed_col < run_col) {
    throw std::invalid_argument("results table: expected the columns run, <grid columns>, seed, ..., test_accuracy");
  }
  std::vector<int> grid;
  for (int c = run_col + 1; c < seed_col; ++c) grid.push_back(c);
  auto values_of = [&](const std::vector<const std::vector<std::string>*>& rows, int col) {
    std::vector<double> out;
    if (col < 0) return out;
    for (const auto* row : rows) {
      if (const auto v = number((*row)[col])) out.push_back(*v);
    }
    return out;
  };

  // Paper layout: (initial window or λ) × trainable.
  int trainable_col = -1;
  int initial_col = -1;
  if (grid.size() == 2) {
    for (const int c : grid) {
      if (results.header[c] == "trainable") trainable_col = c;
    }
    for (const int c : grid) {
      if (c != trainable_col) initial_col = c;
    }
  }
  Table table;
  if (trainable_col >= 0) {
    const bool window = results.header[initial_col] == "window_ms";
    const int learned_col = results.column(window ? "learned_window_ms" : "learned_lambd");
    table.header = {window ? "window (ms)" : "λ init", "model",
                    window ? "learned window (ms) (min, max)" : "learned λ (min, max)", "runs", "accuracy (%)"};
    std::vector<std::string> initials;
    for (const auto& row : results.rows) {
      if (std::find(initials.begin(), initials.end(), row[initial_col]) == initials.end()) initials.push_back(row[initial_col]);
    }
    for (const auto& initial : initials) {
      for (const bool trainable : {true, false}) {
        std::vector<const std::vector<std::string>*> rows;
        for (const auto& row : results.rows) {
          if (row[initial_col] == initial && is_true(row[trainable_col]) == trainable) rows.push_back(&row);
        }
        if (rows.empty()) continue;
        table.rows.push_back({initial, trainable ? "DMEL" : "baseline",
                              trainable ? range_text(values_of(rows, learned_col), window ? 1 : 2) : std::string(kDash),
                              std::to_string(rows.size()), accuracy_text(values_of(rows, acc_col))});
      }
    }
    return table;
  }

  // Generic: one row per cell (every grid column), in order of first appearance.
  const int lambd_col = results.column("learned_lambd");
  bool any_lambd = false;
  for (const auto& row : results.rows) any_lambd = any_lambd || (lambd_col >= 0 && !row[lambd_col].empty());
  for (const int c : grid) table.header.push_back(results.header[c]);
  if (any_lambd) table.header.push_back("learned λ (min, max)");
  table.header.push_back("runs");
  table.header.push_back("accuracy (%)");
  std::vector<std::vector<std::string>> cells;
  for (const auto& row : results.rows) {
    std::vector<std::string> key;
    for (const int c : grid) key.push_back(row[c]);
    if (std::find(cells.begin(), cells.end(), key) == cells.end()) cells.push_back(key);
  }
  for (const auto& key : cells) {
    std::vector<const std::vector<std::string>*> rows;
    for (const auto& row : results.rows) {
      bool same = true;
      for (size_t i = 0; i < grid.size(); ++i) same = same && row[grid[i]] == key[i];
      if (same) rows.push_back(&row);
    }
    std::vector<std::string> out = key;
    if (any_lambd) out.push_back(range_text(values_of(rows, lambd_col), 2));
    out.push_back(std::to_string(rows.size()));
    out.push_back(accuracy_text(values_of(rows, acc_col)));
    table.rows.push_back(std::move(out));
  }
  return table;
}

}  // namespace tfgram::experiment
