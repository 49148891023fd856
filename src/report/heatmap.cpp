#include "tfgram/report/heatmap.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "tfgram/util/check.h"

namespace tfgram::report {
namespace {

// Largest image side and pixel count render_heatmap produces (a 16k × 8k RGB image is 400 MB).
constexpr int64_t kMaxSide = 16384;
constexpr int64_t kMaxPixels = int64_t{1} << 27;

// The image as contiguous float64 on the CPU, after the checks every entry point shares.
torch::Tensor prepared(const torch::Tensor& image, const HeatmapOptions& options, const std::string& where) {
  options.Validate();
  util::require(image.defined(), where.c_str(), "image is undefined");
  util::require(image.dim() == 2, where.c_str(), "image must be 2-D (H, W), got shape ", image.sizes());
  util::require(image.numel() > 0, where.c_str(), "image is empty, shape ", image.sizes());
  util::require(!image.is_complex(), where.c_str(), "image is complex; draw its magnitude or power");
  auto values = image.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const auto nan = torch::isnan(values);
  if (nan.any().item<bool>()) {
    const auto first = nan.flatten().nonzero()[0].item<int64_t>();
    throw std::invalid_argument(util::concat(where, ": image has ", nan.sum().item<int64_t>(),
                                             " NaN value(s), first at row ", first / values.size(1),
                                             ", column ", first % values.size(1)));
  }
  if (options.db) values = 10.0 * torch::log10(torch::clamp_min(values, options.db_floor));
  return values;
}

// Percentile q (0–100) of sorted-by-selection `v` with linear interpolation between order
// statistics (numpy's default), so p0 and p100 are the min and max.
double percentile(std::vector<double>& v, double q) {
  const double position = q / 100.0 * static_cast<double>(v.size() - 1);
  const auto lower = static_cast<size_t>(std::floor(position));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lower), v.end());
  const double a = v[lower];
  if (lower + 1 >= v.size()) return a;
  // The next order statistic is the minimum of the part nth_element left above `lower`.
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lower) + 1, v.end());
  return a + (position - static_cast<double>(lower)) * (b - a);
}

std::pair<double, double> range_of(const torch::Tensor& values, const HeatmapOptions& options,
                                   const std::string& where) {
  const double* data = values.data_ptr<double>();
  std::vector<double> finite;
  finite.reserve(static_cast<size_t>(values.numel()));
  for (int64_t i = 0; i < values.numel(); ++i) {
    if (std::isfinite(data[i])) finite.push_back(data[i]);
  }
  if (finite.empty() && !(options.vmin && options.vmax)) {
    throw std::invalid_argument(where + ": image has no finite value to scale the colours by");
  }
  double high = options.vmax ? *options.vmax : percentile(finite, options.high_percentile);
  double low = options.vmin ? *options.vmin : percentile(finite, options.low_percentile);
  if (options.dynamic_range) low = std::max(low, high - *options.dynamic_range);
  return {low, high};
}

}  // namespace

void HeatmapOptions::Validate() const {
  constexpr const char* where = "HeatmapOptions";
  util::require(scale >= 1 && scale <= 64, where, "scale must be in [1, 64], got ", scale);
  util::require(!column_scale || (*column_scale >= 1 && *column_scale <= 64), where,
                "column_scale must be in [1, 64], got ", column_scale.value_or(0));
  util::require(std::isfinite(db_floor) && db_floor > 0.0, where, "db_floor must be > 0, got ", db_floor);
  util::require(low_percentile >= 0.0 && high_percentile <= 100.0 && low_percentile <= high_percentile,
                where, "percentiles must satisfy 0 <= low_percentile <= high_percentile <= 100, got ",
                low_percentile, " and ", high_percentile);
  util::require(!vmin || std::isfinite(*vmin), where, "vmin must be finite");
  util::require(!vmax || std::isfinite(*vmax), where, "vmax must be finite");
  util::require(!(vmin && vmax) || *vmin < *vmax, where, "vmin must be < vmax, got ", vmin.value_or(0.0),
                " and ", vmax.value_or(0.0));
  util::require(!dynamic_range || (std::isfinite(*dynamic_range) && *dynamic_range > 0.0), where,
                "dynamic_range must be > 0, got ", dynamic_range.value_or(0.0));
}

std::pair<double, double> heatmap_range(const torch::Tensor& image, const HeatmapOptions& options) {
  const std::string where = "heatmap_range";
  return range_of(prepared(image, options, where), options, where);
}

RgbImage render_heatmap(const torch::Tensor& image, const HeatmapOptions& options, const std::string& where) {
  const auto values = prepared(image, options, where);
  const int64_t rows = values.size(0);
  const int64_t columns = values.size(1);
  const int64_t scale = options.scale;
  const int64_t column_scale = options.column_scale.value_or(scale);
  util::require(rows * scale <= kMaxSide && columns * column_scale <= kMaxSide &&
                    rows * columns * scale * column_scale <= kMaxPixels,
                where.c_str(), "a ", rows, " × ", columns, " image at scale ", scale, " × ", column_scale,
                " exceeds the largest heatmap (", kMaxSide, " px a side, ", kMaxPixels, " pixels)");
  const auto [low, high] = range_of(values, options, where);
  const double span = high - low;

  // One colour per value, then replicated into scale × column_scale blocks.
  const double* data = values.data_ptr<double>();
  std::vector<Rgb> colours(static_cast<size_t>(rows * columns));
  for (int64_t i = 0; i < rows * columns; ++i) {
    const double v = data[i];
    double t = 0.0;  // a constant image (span 0) is drawn in the map's first colour
    if (v == std::numeric_limits<double>::infinity()) {
      t = 1.0;
    } else if (span > 0.0 && std::isfinite(v)) {
      t = (v - low) / span;
    }
    colours[static_cast<size_t>(i)] = colour_at(options.colormap, t);
  }

  RgbImage out;
  out.width = columns * column_scale;
  out.height = rows * scale;
  out.pixels.resize(static_cast<size_t>(out.width * out.height * 3));
  for (int64_t y = 0; y < out.height; ++y) {
    const int64_t source_row = options.origin_lower ? rows - 1 - y / scale : y / scale;
    uint8_t* pixel = out.pixels.data() + 3 * y * out.width;
    for (int64_t x = 0; x < out.width; ++x, pixel += 3) {
      const Rgb c = colours[static_cast<size_t>(source_row * columns + x / column_scale)];
      pixel[0] = c.r;
      pixel[1] = c.g;
      pixel[2] = c.b;
    }
  }
  return out;
}

void write_heatmap_png(const torch::Tensor& image, const std::string& path, const HeatmapOptions& options) {
  write_png(render_heatmap(image, options, "write_heatmap_png('" + path + "')"), path);
}

}  // namespace tfgram::report
