#pragma once
// Time-frequency representations as heatmap images (PNG): value → colour map, low frequencies at
// the bottom, an integer upscale so a 64 × 101 representation is still visible.
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "tfgram/report/colormap.h"
#include "tfgram/report/png.h"

namespace tfgram::report {

/// How values become colours. Order: optional dB conversion → range (explicit bounds, else
/// percentiles, then the dynamic-range floor) → clamp → colour map.
struct HeatmapOptions {
  /// Each value becomes a scale × scale block of pixels (nearest neighbour), 1–64.
  int64_t scale = 1;
  /// Pixels per column (time frame) when it should differ from `scale`, e.g. to widen a
  /// 1025-bin × 49-frame spectrogram; 1–64, unset = scale.
  std::optional<int64_t> column_scale;
  Colormap colormap = Colormap::kViridis;
  /// Draw 10·log10(max(x, db_floor)) instead of x (for linear power; leave off for log outputs).
  bool db = false;
  /// Smallest value before the dB conversion (> 0): zeros and negatives become it.
  double db_floor = 1e-10;
  /// The colour range is [p(low_percentile), p(high_percentile)] of the finite values, so a few
  /// extreme bins do not wash the image out; 0 and 100 give [min, max].
  double low_percentile = 0.0;
  double high_percentile = 100.0;
  /// Explicit range ends; each overrides its percentile (use both to compare images on one scale).
  std::optional<double> vmin;
  std::optional<double> vmax;
  /// When set (> 0), the low end is raised to at least high − dynamic_range (e.g. 80 with db).
  std::optional<double> dynamic_range;
  /// Row 0 of the input is the lowest frequency and is drawn at the bottom; false draws it on top.
  bool origin_lower = true;

  /// Throws std::invalid_argument naming the field.
  void Validate() const;
};

/// The colour range [low, high] `options` gives for `image` (after the dB conversion if on).
std::pair<double, double> heatmap_range(const torch::Tensor& image, const HeatmapOptions& options);

/// `image` (H, W), any real dtype and device, row 0 = lowest frequency → an RGB image of
/// (H·scale) rows × (W·column_scale) columns (column_scale defaults to scale). NaN is rejected; ±inf are drawn at the range's ends.
/// Throws std::invalid_argument naming `where` and the problem (shape, empty, NaN, options).
RgbImage render_heatmap(const torch::Tensor& image, const HeatmapOptions& options = {},
                        const std::string& where = "render_heatmap");

/// render_heatmap → write_png at `path` (atomically). Errors name the path: std::invalid_argument
/// for the image or options, std::runtime_error when the file cannot be written.
void write_heatmap_png(const torch::Tensor& image, const std::string& path,
                       const HeatmapOptions& options = {});

}  // namespace tfgram::report
