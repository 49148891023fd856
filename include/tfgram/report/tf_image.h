#pragma once
// Time-frequency images (spectrograms, mel and SincGram outputs) drawn by gnuplot as a child
// process: one or more panels side by side on one colour scale, a time axis, a frequency axis
// with low frequencies at the bottom, a title per panel and a colour bar.
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tfgram/report/colormap.h"

namespace tfgram::report {

/// What the image values are, and so what the colour bar shows.
enum class TfValues {
  kPower,     ///< linear power, drawn as 10·log10(max(x, db_floor)) dB
  kLogPower,  ///< natural log of power (log(x + ε)), drawn as 10·x / ln 10 dB
  kLinear,    ///< drawn as they are (e.g. normalised values), in colour_label's unit
};

struct TimeAxis {
  double start = 0.0;  ///< time of column 0 (a frame's centre)
  double step = 1.0;   ///< between columns, > 0
  std::string label = "time (s)";
};

struct FrequencyAxis {
  /// The frequency of every image row, row 0 first (e.g. mel-band centres in Hz). Rows are drawn
  /// by increasing frequency from the bottom (unsorted rows, e.g. learned filters that crossed,
  /// are sorted first). Evenly spaced values give a linear axis with gnuplot's ticks; any other
  /// spacing gets ticks at round frequencies placed at their interpolated rows (so a mel axis has
  /// mel-spaced ticks).
  std::vector<double> values;
  std::string label = "frequency (Hz)";
};

struct TfPanel {
  torch::Tensor image;  ///< (F, T), any real dtype and device: rows as the frequency axis' values
  std::string title;
  /// This panel's own frequency axis (e.g. learned SincGram centres); unset = the options'.
  std::optional<FrequencyAxis> frequency;
};

struct TfImageOptions {
  std::string title;  ///< above the panels; may hold line breaks
  TimeAxis time;
  /// Every panel's frequency axis unless the panel has its own.
  FrequencyAxis frequency;
  TfValues values = TfValues::kPower;
  std::string colour_label = "dB";
  /// Smallest power before the dB conversion (> 0), for kPower.
  double db_floor = 1e-10;
  /// The colour range: [p(low_percentile), p(high_percentile)] of every panel's values together
  /// (so panels share one scale), then the low end raised to high − dynamic_range when that is
  /// set (> 0); vmin / vmax override their end. Values outside take the end colours.
  double low_percentile = 0.0;
  double high_percentile = 100.0;
  std::optional<double> dynamic_range;
  std::optional<double> vmin;
  std::optional<double> vmax;
  Colormap colormap = Colormap::kViridis;
  /// Image size in pixels (64–8192); width 0 = 120 + 560 per panel.
  int64_t width = 0;
  int64_t height = 480;
  /// The gnuplot executable: a path or a name looked up on PATH.
  std::string gnuplot = "gnuplot";
  /// gnuplot is killed and an error thrown after this many seconds.
  double timeout_seconds = 60.0;

  /// Throws std::invalid_argument naming the field.
  void Validate() const;
  /// The width the image gets for `panels` panels.
  int64_t width_for(size_t panels) const;
};

/// The colour range [low, high], in the colour bar's unit, that `options` gives `panels`.
/// Throws std::invalid_argument like plot_tf_images for bad panels.
std::pair<double, double> tf_colour_range(const std::vector<TfPanel>& panels, const TfImageOptions& options);

/// The tick labels and their row positions for a non-linear axis (sorted values); empty when the
/// values are evenly spaced (a linear axis, gnuplot's own ticks).
std::vector<std::pair<std::string, double>> frequency_ticks(const FrequencyAxis& axis);

/// Draws `panels` side by side into `png_path` (width_for(panels) × height, pngcairo): writes the
/// images as float32 matrices and a script to a temporary folder, runs gnuplot (`with image`),
/// checks its exit status and the PNG's size, and renames it into place. Throws
/// std::invalid_argument naming the panel or field (no panels, an image that is not 2-D, empty,
/// NaN, or whose rows differ from its frequency axis), std::runtime_error naming gnuplot or the
/// path when gnuplot is missing or fails or the file cannot be written.
void plot_tf_images(const std::vector<TfPanel>& panels, const TfImageOptions& options, const std::string& png_path);

}  // namespace tfgram::report
