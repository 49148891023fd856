#pragma once
// Colour maps for time-frequency images (gnuplot palettes): a value in [0, 1] → an 8-bit sRGB colour.
#include <cstdint>
#include <string>

namespace tfgram::report {

enum class Colormap {
  kViridis,  ///< dark purple → blue → green → yellow; luminance rises monotonically
  kGray,     ///< black → white
};

/// "viridis" or "gray"/"grey"; throws std::invalid_argument naming the choices.
Colormap parse_colormap(const std::string& name);
const char* to_string(Colormap colormap);

struct Rgb {
  uint8_t r = 0;
  uint8_t g = 0;
  uint8_t b = 0;
};
inline bool operator==(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }
inline bool operator!=(Rgb a, Rgb b) { return !(a == b); }

/// The colour at `t`, clamped to [0, 1] (NaN reads as 0). Viridis interpolates linearly between
/// eleven stops of the viridis map (t = 0, 0.1, …, 1): t = 0 is (68, 1, 84), t = 1 is (253, 231, 37).
Rgb colour_at(Colormap colormap, double t);

/// Relative luminance 0.2126 R + 0.7152 G + 0.0722 B in [0, 255] (what "darker/brighter" means here).
double luminance(Rgb colour);

}  // namespace tfgram::report
