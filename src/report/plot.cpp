#include "tfgram/report/plot.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "process.h"
#include "tfgram/report/png.h"
#include "tfgram/util/check.h"

namespace tfgram::report {
namespace {

namespace fs = std::filesystem;

// A private folder under $TMPDIR (or /tmp), removed with everything in it when done.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/tfgram-plot-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("plot_lines: cannot create a temporary folder '" + pattern +
                               "': " + std::strerror(errno));
    }
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// A gnuplot single-quoted string: no escapes are processed inside, a quote is written twice,
// and a line break would end the command, so it becomes a space.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "''";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "'";
}

bool drawable(double x, double y, const PlotOptions& options) {
  return std::isfinite(x) && std::isfinite(y) && (!options.log_x || x > 0.0) && (!options.log_y || y > 0.0);
}

// The last `max_lines` lines of a log file, joined by " | " so an error message stays one line.
std::string tail_of(const std::string& path, size_t max_lines = 4) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t^") != std::string::npos) lines.push_back(line);
  }
  std::string out;
  const size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
  for (size_t i = first; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
  return out.empty() ? "(no output)" : out;
}

std::string legend_command(const PlotOptions& options, size_t named) {
  Legend legend = options.legend;
  if (legend == Legend::kAuto) {
    legend = named == 0 || named > 12 ? Legend::kNone : named <= 4 ? Legend::kInside : Legend::kOutside;
  }
  switch (legend) {
    case Legend::kInside: return "set key inside top right";
    case Legend::kOutside: return "set key outside right top";
    default: return "unset key";
  }
}

std::string format_number(double v) {
  std::ostringstream out;
  out << std::setprecision(17) << v;
  return out.str();
}

}  // namespace

void PlotOptions::Validate() const {
  constexpr const char* where = "PlotOptions";
  util::require(width >= 64 && width <= 8192, where, "width must be in [64, 8192] px, got ", width);
  util::require(height >= 64 && height <= 8192, where, "height must be in [64, 8192] px, got ", height);
  const auto check_range = [&](const std::optional<std::pair<double, double>>& range, const char* name,
                               bool log) {
    if (!range) return;
    util::require(std::isfinite(range->first) && std::isfinite(range->second) && range->first < range->second,
                  where, name, " must be finite with low < high, got [", range->first, ", ", range->second, "]");
    util::require(!log || range->first > 0.0, where, name, " must be > 0 on a log axis, got [",
                  range->first, ", ", range->second, "]");
  };
  check_range(x_range, "x_range", log_x);
  check_range(y_range, "y_range", log_y);
  util::require(std::isfinite(line_width) && line_width > 0.0, where, "line_width must be > 0, got ", line_width);
  util::require(!gnuplot.empty(), where, "gnuplot (the executable) must not be empty");
  util::require(std::isfinite(timeout_seconds) && timeout_seconds > 0.0, where,
                "timeout_seconds must be > 0, got ", timeout_seconds);
}

bool gnuplot_available(const std::string& executable) { return !detail::find_executable(executable).empty(); }

void plot_lines(const std::vector<Series>& series, const PlotOptions& options, const std::string& png_path) {
  const std::string where = "plot_lines('" + png_path + "')";
  options.Validate();
  util::require(!series.empty(), where.c_str(), "no series to draw");
  for (size_t i = 0; i < series.size(); ++i) {
    util::require(series[i].x.size() == series[i].y.size(), where.c_str(), "series ", i, " '",
                  series[i].name, "' has ", series[i].x.size(), " x values but ", series[i].y.size(),
                  " y values");
  }

  TemporaryFolder folder;
  std::vector<std::string> plot_terms;
  size_t named = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    std::ostringstream data;
    data << std::setprecision(17);
    size_t points = 0;
    for (size_t k = 0; k < s.x.size(); ++k) {
      if (drawable(s.x[k], s.y[k], options)) {
        data << s.x[k] << ' ' << s.y[k] << '\n';
        ++points;
      } else {
        data << '\n';  // a blank line breaks the line at a missing point
      }
    }
    if (points == 0) continue;  // gnuplot fails on a file with no point; nothing to draw anyway
    const std::string data_path = folder.file("series" + std::to_string(i) + ".dat");
    std::ofstream(data_path) << data.str();
    std::string term = quoted(data_path) + " using 1:2 with " + (options.points ? "linespoints pt 7 ps 0.6" : "lines") +
                       " lw " + format_number(options.line_width) + " lc " + std::to_string(i % 8 + 1);
    if (s.name.empty()) {
      term += " notitle";
    } else {
      term += " title " + quoted(s.name);
      ++named;
    }
    plot_terms.push_back(term);
  }
  util::require(!plot_terms.empty(), where.c_str(), "none of the ", series.size(),
                " series has a finite point to draw", options.log_y || options.log_x ? " (log axes need values > 0)" : "");

  // gnuplot writes beside the destination; the finished file is renamed into place.
  static std::atomic<uint64_t> counter{0};
  const std::string temporary_png =
      util::concat(png_path, ".tmp-plot-", ::getpid(), "-", counter.fetch_add(1));
  // Fail here, with the system's reason, rather than through gnuplot's message about its output.
  if (FILE* probe = std::fopen(temporary_png.c_str(), "wb")) {
    std::fclose(probe);
  } else {
    throw std::runtime_error(where + ": cannot write: " + std::strerror(errno));
  }
  const std::string size = std::to_string(options.width) + "," + std::to_string(options.height);
  std::ostringstream script;
  script << "set encoding utf8\n"
         // pngcairo draws anti-aliased lines; the libgd png terminal is the fallback.
         << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
         << "  set terminal pngcairo size " << size << " noenhanced font 'sans,10'\n"
         << "} else {\n"
         << "  set terminal png size " << size << " noenhanced\n"
         << "}\n"
         << "set output " << quoted(temporary_png) << "\n"
         << "set title " << quoted(options.title) << "\n"
         << "set xlabel " << quoted(options.x_label) << "\n"
         << "set ylabel " << quoted(options.y_label) << "\n"
         << "set grid\n"
         << legend_command(options, named) << "\n";
  if (options.log_x) script << "set logscale x\n";
  if (options.log_y) script << "set logscale y\n";
  if (options.x_range) {
    script << "set xrange [" << format_number(options.x_range->first) << ":" << format_number(options.x_range->second) << "]\n";
  }
  if (options.y_range) {
    script << "set yrange [" << format_number(options.y_range->first) << ":" << format_number(options.y_range->second) << "]\n";
  }
  script << "plot ";
  for (size_t i = 0; i < plot_terms.size(); ++i) script << (i == 0 ? "" : ", \\\n     ") << plot_terms[i];
  script << "\nunset output\n";
  const std::string script_path = folder.file("plot.gp");
  std::ofstream(script_path) << script.str();

  const auto cleanup = [&] { std::remove(temporary_png.c_str()); };
  const std::string executable = detail::find_executable(options.gnuplot);
  if (executable.empty()) {
    cleanup();
    throw std::runtime_error(where + ": gnuplot ('" + options.gnuplot +
                             "') was not found or is not executable; install it (Debian: apt-get install "
                             "gnuplot-nox) or set PlotOptions::gnuplot");
  }
  const std::string log_path = folder.file("gnuplot.log");
  detail::ProcessResult result;
  try {
    result = detail::run_process({executable, script_path}, log_path, options.timeout_seconds);
  } catch (const std::runtime_error& error) {
    cleanup();
    throw std::runtime_error(where + ": gnuplot: " + error.what());
  }
  if (result.timed_out || !result.exited || result.status != 0) {
    cleanup();
    const std::string how = result.timed_out ? "was killed after " + format_number(options.timeout_seconds) + " s"
                            : result.exited  ? "exited with status " + std::to_string(result.status)
                                             : "was killed by signal " + std::to_string(result.status);
    throw std::runtime_error(where + ": gnuplot ('" + executable + "') " + how + ": " + tail_of(log_path));
  }
  PngSize written;
  try {
    written = png_size(temporary_png);
  } catch (const std::runtime_error& error) {
    cleanup();
    throw std::runtime_error(where + ": gnuplot ('" + executable + "') exited 0 but wrote no valid PNG (" +
                             error.what() + "); its output: " + tail_of(log_path));
  }
  if (written.width != options.width || written.height != options.height) {
    cleanup();
    throw std::runtime_error(util::concat(where, ": gnuplot wrote ", written.width, " × ", written.height,
                                          " px instead of the requested ", options.width, " × ", options.height));
  }
  if (std::rename(temporary_png.c_str(), png_path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    cleanup();
    throw std::runtime_error(where + ": cannot move the finished file into place: " + reason);
  }
}

}  // namespace tfgram::report
