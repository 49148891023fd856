#include "tfgram/report/colormap.h"

#include <array>
#include <cmath>
#include <stdexcept>

namespace tfgram::report {
namespace {

// Viridis sampled at t = 0, 0.1, …, 1. Eleven stops interpolated linearly stay within a few
// levels of the full map and keep its property that matters here: luminance rises with t, so
// brighter always means larger, also in grey print.
constexpr std::array<std::array<uint8_t, 3>, 11> kViridisStops = {{
    {68, 1, 84},
    {72, 36, 117},
    {65, 68, 135},
    {53, 95, 141},
    {42, 120, 142},
    {33, 145, 140},
    {34, 168, 132},
    {68, 191, 112},
    {122, 209, 81},
    {189, 223, 38},
    {253, 231, 37},
}};

uint8_t to_byte(double v) { return static_cast<uint8_t>(std::lround(std::fmin(255.0, std::fmax(0.0, v)))); }

}  // namespace

Colormap parse_colormap(const std::string& name) {
  if (name == "viridis") return Colormap::kViridis;
  if (name == "gray" || name == "grey") return Colormap::kGray;
  throw std::invalid_argument("colormap: expected 'viridis' or 'gray', got '" + name + "'");
}

const char* to_string(Colormap colormap) {
  switch (colormap) {
    case Colormap::kViridis: return "viridis";
    case Colormap::kGray: return "gray";
  }
  return "?";
}

Rgb colour_at(Colormap colormap, double t) {
  if (!(t > 0.0)) t = 0.0;  // also NaN
  if (t > 1.0) t = 1.0;
  if (colormap == Colormap::kGray) {
    const uint8_t v = to_byte(255.0 * t);
    return {v, v, v};
  }
  const double position = t * static_cast<double>(kViridisStops.size() - 1);
  const auto lower = static_cast<size_t>(std::floor(position));
  if (lower + 1 >= kViridisStops.size()) {
    const auto& last = kViridisStops.back();
    return {last[0], last[1], last[2]};
  }
  const double w = position - static_cast<double>(lower);
  const auto& a = kViridisStops[lower];
  const auto& b = kViridisStops[lower + 1];
  return {to_byte(a[0] + w * (b[0] - a[0])), to_byte(a[1] + w * (b[1] - a[1])),
          to_byte(a[2] + w * (b[2] - a[2]))};
}

double luminance(Rgb colour) { return 0.2126 * colour.r + 0.7152 * colour.g + 0.0722 * colour.b; }

}  // namespace tfgram::report
