#pragma once
// Line plots (PNG) drawn by gnuplot run as a child process: λ against epoch for many runs,
// train/valid curves, filter responses. gnuplot is a run-time dependency (Debian: gnuplot-nox).
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tfgram::report {

/// One line. Points whose x or y is not finite (or y <= 0 on a log-y plot, x <= 0 on log-x) are
/// left out, which breaks the line there.
struct Series {
  std::string name;  ///< legend entry; empty = no entry
  std::vector<double> x;
  std::vector<double> y;
  /// A band from y_low to y_high (both empty, or as long as x), filled translucent in the line's
  /// colour under the line, e.g. the min–max over runs around their mean.
  std::vector<double> y_low;
  std::vector<double> y_high;
  /// "#rrggbb"; empty = the default colour for the series' position.
  std::string colour;
  bool dashed = false;
};

enum class Legend {
  kAuto,     ///< inside top right for <= 4 named series, outside right for <= 12, else none
  kInside,   ///< inside, top right
  kOutside,  ///< right of the plot area
  kNone,
};

struct PlotOptions {
  std::string title;  ///< may hold line breaks
  std::string x_label;
  std::string y_label;
  bool log_x = false;
  bool log_y = false;
  /// Image size in pixels (each 64–8192).
  int64_t width = 800;
  int64_t height = 500;
  /// Axis ranges; unset = gnuplot's autoscale.
  std::optional<std::pair<double, double>> x_range;
  std::optional<std::pair<double, double>> y_range;
  Legend legend = Legend::kAuto;
  double line_width = 1.5;
  /// Mark every point (useful for per-epoch values).
  bool points = false;
  /// The gnuplot executable: a path or a name looked up on PATH.
  std::string gnuplot = "gnuplot";
  /// gnuplot is killed and an error thrown after this many seconds.
  double timeout_seconds = 60.0;

  /// Throws std::invalid_argument naming the field.
  void Validate() const;
};

/// Whether `executable` (a path, or a name on PATH) exists and is executable.
bool gnuplot_available(const std::string& executable = "gnuplot");

/// Draws `series` into `png_path` (width × height, pngcairo terminal, png if cairo is absent):
/// writes the data and a script to a temporary folder, runs gnuplot on it, checks its exit status
/// and that the PNG it wrote is valid and of the requested size, then renames it into place.
/// Throws std::invalid_argument for bad series/options (naming the series or field; also when no
/// series has a point to draw) and std::runtime_error naming gnuplot when it is missing, fails
/// (with the tail of its messages), times out or writes no valid PNG.
void plot_lines(const std::vector<Series>& series, const PlotOptions& options,
                const std::string& png_path);

}  // namespace tfgram::report
