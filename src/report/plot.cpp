#include "tfgram/report/plot.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "gnuplot.h"
#include "tfgram/util/process.h"
#include "tfgram/report/png.h"
#include "tfgram/util/check.h"

namespace tfgram::report {
namespace {

using detail::gnuplot_number;
using detail::gnuplot_quoted;

bool drawable(double x, double y, const PlotOptions& options) {
  return std::isfinite(x) && std::isfinite(y) && (!options.log_x || x > 0.0) && (!options.log_y || y > 0.0);
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

bool gnuplot_available(const std::string& executable) { return !util::find_executable(executable).empty(); }

void plot_lines(const std::vector<Series>& series, const PlotOptions& options, const std::string& png_path) {
  const std::string where = "plot_lines('" + png_path + "')";
  options.Validate();
  util::require(!series.empty(), where.c_str(), "no series to draw");
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    util::require(s.x.size() == s.y.size(), where.c_str(), "series ", i, " '", s.name, "' has ", s.x.size(),
                  " x values but ", s.y.size(), " y values");
    util::require(s.y_low.size() == s.y_high.size() && (s.y_low.empty() || s.y_low.size() == s.x.size()),
                  where.c_str(), "series ", i, " '", s.name, "' has a band of ", s.y_low.size(), " low and ",
                  s.y_high.size(), " high values for ", s.x.size(), " points");
    util::require(s.colour.empty() || (s.colour.size() == 7 && s.colour[0] == '#' &&
                                       s.colour.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos),
                  where.c_str(), "series ", i, " '", s.name, "' colour must be \"#rrggbb\", got '", s.colour, "'");
  }

  detail::TemporaryFolder folder(where);
  std::vector<std::string> band_terms;  // drawn first, under every line
  std::vector<std::string> plot_terms;
  size_t named = 0;
  double y_min = INFINITY;
  double y_max = -INFINITY;
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    const bool band = !s.y_low.empty();
    std::ostringstream data;
    data << std::setprecision(17);
    size_t points = 0;
    for (size_t k = 0; k < s.x.size(); ++k) {
      const bool ok = drawable(s.x[k], s.y[k], options) &&
                      (!band || (drawable(s.x[k], s.y_low[k], options) && drawable(s.x[k], s.y_high[k], options)));
      if (ok) {
        data << s.x[k] << ' ' << s.y[k];
        if (band) data << ' ' << s.y_low[k] << ' ' << s.y_high[k];
        data << '\n';
        ++points;
        y_min = std::min({y_min, s.y[k], band ? s.y_low[k] : s.y[k]});
        y_max = std::max({y_max, s.y[k], band ? s.y_high[k] : s.y[k]});
      } else {
        data << '\n';  // a blank line breaks the line at a missing point
      }
    }
    if (points == 0) continue;  // gnuplot fails on a file with no point; nothing to draw anyway
    const std::string data_path = folder.file("series" + std::to_string(i) + ".dat");
    std::ofstream(data_path) << data.str();
    const std::string colour = s.colour.empty() ? std::to_string(i % 8 + 1) : "rgb " + gnuplot_quoted(s.colour);
    if (band) {
      band_terms.push_back(gnuplot_quoted(data_path) + " using 1:3:4 with filledcurves fs transparent solid 0.2 "
                           "noborder lc " + colour + " notitle");
    }
    std::string term = gnuplot_quoted(data_path) + " using 1:2 with " +
                       (options.points && !s.dashed ? "linespoints pt 7 ps 0.6" : "lines") +
                       " lw " + gnuplot_number(options.line_width) + " lc " + colour + (s.dashed ? " dt 2" : "");
    if (s.name.empty()) {
      term += " notitle";
    } else {
      term += " title " + gnuplot_quoted(s.name);
      ++named;
    }
    plot_terms.push_back(term);
  }
  util::require(!plot_terms.empty(), where.c_str(), "none of the ", series.size(),
                " series has a finite point to draw", options.log_y || options.log_x ? " (log axes need values > 0)" : "");
  plot_terms.insert(plot_terms.begin(), band_terms.begin(), band_terms.end());

  std::ostringstream script;
  script << "set title " << gnuplot_quoted(options.title) << "\n"
         << "set xlabel " << gnuplot_quoted(options.x_label) << "\n"
         << "set ylabel " << gnuplot_quoted(options.y_label) << "\n"
         << "set grid\n"
         << legend_command(options, named) << "\n";
  if (options.log_x) script << "set logscale x\n";
  if (options.log_y) {
    script << "set logscale y\n";
    // Less than three decades: a tick at every factor of 2 (1, 2, 4, 8 …) instead of 1 and 10 only.
    const double low = options.y_range ? options.y_range->first : y_min;
    const double high = options.y_range ? options.y_range->second : y_max;
    if (high / low < 1e3) script << "set ytics 2\nset format y '%g'\n";
  }
  if (options.x_range) {
    script << "set xrange [" << gnuplot_number(options.x_range->first) << ":" << gnuplot_number(options.x_range->second) << "]\n";
  }
  if (options.y_range) {
    script << "set yrange [" << gnuplot_number(options.y_range->first) << ":" << gnuplot_number(options.y_range->second) << "]\n";
  }
  script << "plot ";
  for (size_t i = 0; i < plot_terms.size(); ++i) script << (i == 0 ? "" : ", \\\n     ") << plot_terms[i];
  detail::run_gnuplot({png_path, options.width, options.height, options.gnuplot, options.timeout_seconds, where},
                      script.str(), folder);
}

}  // namespace tfgram::report
