#include "tfgram/report/tf_image.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "gnuplot.h"
#include "tfgram/util/check.h"

namespace tfgram::report {
namespace {

using detail::gnuplot_number;
using detail::gnuplot_quoted;

constexpr int64_t kPanelWidth = 560;
constexpr int64_t kExtraWidth = 120;

const FrequencyAxis& axis_of(const TfPanel& panel, const TfImageOptions& options) {
  return panel.frequency ? *panel.frequency : options.frequency;
}

// Every panel's image as contiguous float64 on the CPU in the colour bar's unit, rows sorted by
// frequency, after the checks every entry point shares.
std::vector<torch::Tensor> prepared(const std::vector<TfPanel>& panels, const TfImageOptions& options,
                                    const std::string& where) {
  options.Validate();
  util::require(!panels.empty(), where.c_str(), "no panel to draw");
  std::vector<torch::Tensor> out;
  for (size_t p = 0; p < panels.size(); ++p) {
    const auto& image = panels[p].image;
    const auto& values = axis_of(panels[p], options).values;
    const std::string panel = util::concat("panel ", p, " '", panels[p].title, "'");
    util::require(!values.empty(), where.c_str(), panel, ": the frequency axis has no values");
    for (const double v : values) {
      util::require(std::isfinite(v), where.c_str(), panel, ": frequency values must be finite, got ", v);
    }
    util::require(image.defined(), where.c_str(), panel, ": image is undefined");
    util::require(image.dim() == 2, where.c_str(), panel, ": image must be 2-D (F, T), got shape ", image.sizes());
    util::require(image.numel() > 0, where.c_str(), panel, ": image is empty, shape ", image.sizes());
    util::require(!image.is_complex(), where.c_str(), panel, ": image is complex; draw its magnitude or power");
    util::require(image.size(0) == static_cast<int64_t>(values.size()), where.c_str(), panel, ": image has ",
                  image.size(0), " rows but its frequency axis has ", values.size(), " values");
    auto x = image.detach().to(torch::kCPU, torch::kFloat64);
    util::require(!torch::isnan(x).any().item<bool>(), where.c_str(), panel, ": image has NaN values");
    switch (options.values) {
      case TfValues::kPower: x = 10.0 * torch::log10(torch::clamp_min(x, options.db_floor)); break;
      case TfValues::kLogPower: x = x * (10.0 / std::log(10.0)); break;
      case TfValues::kLinear: break;
    }
    std::vector<int64_t> order(values.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return values[static_cast<size_t>(a)] < values[static_cast<size_t>(b)]; });
    out.push_back(x.index_select(0, torch::tensor(order, torch::kInt64)).contiguous());
  }
  return out;
}

std::pair<double, double> range_of(const std::vector<torch::Tensor>& images, const TfImageOptions& options,
                                   const std::string& where) {
  std::vector<torch::Tensor> flat;
  for (const auto& image : images) {
    const auto f = image.flatten();
    flat.push_back(f.index({torch::isfinite(f)}));
  }
  auto all = torch::cat(flat);
  if (all.numel() == 0 && !(options.vmin && options.vmax)) {
    throw std::invalid_argument(where + ": the images have no finite value to scale the colours by");
  }
  // torch::quantile takes at most 2^24 values; a strided subsample keeps the estimate.
  constexpr int64_t kMaxValues = int64_t{1} << 24;
  if (all.numel() > kMaxValues) all = all.slice(0, 0, all.numel(), (all.numel() + kMaxValues - 1) / kMaxValues);
  const auto quantile = [&](double q) { return torch::quantile(all, q / 100.0).item<double>(); };
  double high = options.vmax ? *options.vmax : quantile(options.high_percentile);
  double low = options.vmin ? *options.vmin : quantile(options.low_percentile);
  if (options.dynamic_range && !options.vmin) low = std::max(low, high - *options.dynamic_range);
  if (!(high > low)) {  // a constant image: any non-empty range draws it
    const double pad = std::max(1e-6, std::abs(high) * 1e-6);
    low -= pad;
    high += pad;
  }
  return {low, high};
}

// Evenly spaced (sorted) values: a linear axis.
bool evenly_spaced(const std::vector<double>& v) {
  if (v.size() < 3) return true;
  const double step = (v.back() - v.front()) / static_cast<double>(v.size() - 1);
  if (!(step > 0.0)) return false;
  for (size_t i = 1; i < v.size(); ++i) {
    if (std::abs((v[i] - v[i - 1]) - step) > 1e-3 * step) return false;
  }
  return true;
}

// The fractional row of `value` in sorted `v` (inverse of value_at), or NaN outside.
double row_of(const std::vector<double>& v, double value) {
  if (value < v.front() || value > v.back()) return std::nan("");
  const auto upper = std::upper_bound(v.begin(), v.end(), value);
  if (upper == v.end()) return static_cast<double>(v.size() - 1);
  const auto i = static_cast<size_t>(upper - v.begin());
  if (i == 0) return 0.0;
  return static_cast<double>(i - 1) + (value - v[i - 1]) / (v[i] - v[i - 1]);
}

std::string tick_label(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4g", v);
  return text;
}

std::string palette(Colormap colormap) {
  std::ostringstream out;
  out << "set palette defined (";
  for (int i = 0; i <= 10; ++i) {
    const Rgb c = colour_at(colormap, i / 10.0);
    char hex[8];
    std::snprintf(hex, sizeof hex, "#%02x%02x%02x", c.r, c.g, c.b);
    out << (i == 0 ? "" : ", ") << i / 10.0 << " '" << hex << "'";
  }
  return out.str() + ")";
}

}  // namespace

void TfImageOptions::Validate() const {
  constexpr const char* where = "TfImageOptions";
  util::require(std::isfinite(time.start), where, "time.start must be finite, got ", time.start);
  util::require(std::isfinite(time.step) && time.step > 0.0, where, "time.step must be > 0, got ", time.step);
  util::require(std::isfinite(db_floor) && db_floor > 0.0, where, "db_floor must be > 0, got ", db_floor);
  util::require(low_percentile >= 0.0 && high_percentile <= 100.0 && low_percentile <= high_percentile, where,
                "percentiles must satisfy 0 <= low_percentile <= high_percentile <= 100, got ", low_percentile,
                " and ", high_percentile);
  util::require(!dynamic_range || (std::isfinite(*dynamic_range) && *dynamic_range > 0.0), where,
                "dynamic_range must be > 0");
  util::require(!vmin || std::isfinite(*vmin), where, "vmin must be finite");
  util::require(!vmax || std::isfinite(*vmax), where, "vmax must be finite");
  util::require(!(vmin && vmax) || *vmin < *vmax, where, "vmin must be < vmax, got ", vmin.value_or(0), " and ",
                vmax.value_or(0));
  util::require(width == 0 || (width >= 64 && width <= 8192), where, "width must be 0 (auto) or in [64, 8192] px, got ",
                width);
  util::require(height >= 64 && height <= 8192, where, "height must be in [64, 8192] px, got ", height);
  util::require(!gnuplot.empty(), where, "gnuplot (the executable) must not be empty");
  util::require(std::isfinite(timeout_seconds) && timeout_seconds > 0.0, where, "timeout_seconds must be > 0, got ",
                timeout_seconds);
}

int64_t TfImageOptions::width_for(size_t panels) const {
  return width > 0 ? width : std::min<int64_t>(8192, kExtraWidth + kPanelWidth * static_cast<int64_t>(panels));
}

std::pair<double, double> tf_colour_range(const std::vector<TfPanel>& panels, const TfImageOptions& options) {
  const std::string where = "tf_colour_range";
  return range_of(prepared(panels, options, where), options, where);
}

std::vector<std::pair<std::string, double>> frequency_ticks(const FrequencyAxis& axis) {
  std::vector<double> v = axis.values;
  std::sort(v.begin(), v.end());
  if (v.empty() || evenly_spaced(v)) return {};
  // Round values 1, 2, 5, 3 × 10^k inside the axis, in that order of preference, each kept when
  // it is at least min_gap rows from every kept one (about 7 ticks over the axis at most).
  const double last_row = static_cast<double>(v.size() - 1);
  const double min_gap = std::max(0.5, 0.5 * last_row / 7.0);
  std::vector<double> rows;
  std::vector<double> kept;
  const auto try_value = [&](double value) {
    const double row = row_of(v, value);
    if (std::isnan(row)) return;
    for (const double r : rows) {
      if (std::abs(r - row) < min_gap) return;
    }
    rows.push_back(row);
    kept.push_back(value);
  };
  if (v.front() <= 0.0) try_value(0.0);
  const double top = std::max(std::abs(v.front()), std::abs(v.back()));
  if (top > 0.0) {
    const int high = static_cast<int>(std::ceil(std::log10(top)));
    const double smallest = v.front() > 0.0 ? v.front() : v.back() * 1e-4;
    const int low = static_cast<int>(std::floor(std::log10(smallest)));
    for (const double mantissa : {1.0, 2.0, 5.0, 3.0}) {
      for (int k = high; k >= low; --k) try_value(mantissa * std::pow(10.0, k));
    }
  }
  std::vector<size_t> order(kept.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rows[a] < rows[b]; });
  std::vector<std::pair<std::string, double>> ticks;
  for (const size_t i : order) ticks.emplace_back(tick_label(kept[i]), rows[i]);
  return ticks;
}

void plot_tf_images(const std::vector<TfPanel>& panels, const TfImageOptions& options, const std::string& png_path) {
  const std::string where = "plot_tf_images('" + png_path + "')";
  const auto images = prepared(panels, options, where);
  const auto [low, high] = range_of(images, options, where);

  detail::TemporaryFolder folder(where);
  std::ostringstream script;
  script << "set multiplot layout 1," << panels.size() << " title " << gnuplot_quoted(options.title) << "\n"
         << palette(options.colormap) << "\n"
         << "set cbrange [" << gnuplot_number(low) << ":" << gnuplot_number(high) << "]\n"
         << "set cblabel " << gnuplot_quoted(options.colour_label) << " offset 1,0\n"
         << "set xlabel " << gnuplot_quoted(options.time.label) << "\n"
         << "set tics out\nset xtics nomirror\nset cbtics nomirror\nset mxtics\nset rmargin 11\n";
  for (size_t p = 0; p < images.size(); ++p) {
    const auto& axis = axis_of(panels[p], options);
    std::vector<double> rows = axis.values;
    std::sort(rows.begin(), rows.end());
    const bool linear = evenly_spaced(rows);
    // Linear axis: y is the frequency itself; otherwise y is the row and ticks name frequencies.
    const double y0 = linear ? rows.front() : 0.0;
    const double dy =
        linear && rows.size() > 1 ? (rows.back() - rows.front()) / static_cast<double>(rows.size() - 1) : 1.0;
    script << "set ylabel " << gnuplot_quoted(axis.label) << "\n"
           << "set yrange [" << gnuplot_number(y0 - dy / 2) << ":"
           << gnuplot_number(y0 + (static_cast<double>(rows.size()) - 0.5) * dy) << "]\n";
    if (linear) {
      script << "set ytics nomirror autofreq\n";
    } else {
      script << "set ytics nomirror (";
      const auto ticks = frequency_ticks(axis);
      for (size_t i = 0; i < ticks.size(); ++i) {
        script << (i == 0 ? "" : ", ") << gnuplot_quoted(ticks[i].first) << " " << gnuplot_number(ticks[i].second);
      }
      script << ")\n";
    }
    const auto image = images[p].clamp(low, high).to(torch::kFloat32).contiguous();
    const int64_t frames = image.size(1);
    const std::string data_path = folder.file("panel" + std::to_string(p) + ".f32");
    {
      std::ofstream out(data_path, std::ios::binary);
      out.write(reinterpret_cast<const char*>(image.data_ptr<float>()),
                static_cast<std::streamsize>(image.numel() * sizeof(float)));
    }
    const double x0 = options.time.start;
    const double dx = options.time.step;
    script << "set title " << gnuplot_quoted(panels[p].title) << "\n"
           << "set xrange [" << gnuplot_number(x0 - dx / 2) << ":"
           << gnuplot_number(x0 + (static_cast<double>(frames) - 0.5) * dx) << "]\n"
           << "plot " << gnuplot_quoted(data_path) << " binary array=(" << frames << "," << image.size(0)
           << ") format='%float32' dx=" << gnuplot_number(dx) << " dy=" << gnuplot_number(dy) << " origin=("
           << gnuplot_number(x0) << "," << gnuplot_number(y0) << ") with image notitle\n";
  }
  script << "unset multiplot";
  detail::run_gnuplot({png_path, options.width_for(panels.size()), options.height, options.gnuplot,
                       options.timeout_seconds, where},
                      script.str(), folder);
}

}  // namespace tfgram::report
