#pragma once
// PNG files: 8-bit RGB images written atomically, read back, and validated without decoding.
#include <cstdint>
#include <string>
#include <vector>

namespace tfgram::report {

/// A row-major 8-bit RGB image, row 0 at the top (as PNG stores it).
struct RgbImage {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<uint8_t> pixels;  ///< width · height · 3 bytes, R G B per pixel

  /// Pixel (row, column); no bounds check beyond the vector's.
  const uint8_t* at(int64_t row, int64_t column) const { return pixels.data() + 3 * (row * width + column); }
};

struct PngSize {
  int64_t width = 0;
  int64_t height = 0;
};
inline bool operator==(PngSize a, PngSize b) { return a.width == b.width && a.height == b.height; }

/// Writes `image` to `path` through a temporary file in the same folder and a rename, so readers
/// never see a partial file. Throws std::invalid_argument for an inconsistent image and
/// std::runtime_error naming the path when it cannot be written.
void write_png(const RgbImage& image, const std::string& path);

/// Decodes `path` to 8-bit RGB (any PNG colour type is converted). Throws std::runtime_error
/// naming the path when it is missing or not a decodable PNG.
RgbImage read_png(const std::string& path);

/// The size a PNG file declares, after checking that it is one: the 8-byte signature, an IHDR
/// chunk first (length 13, valid CRC, width and height >= 1, a legal bit depth / colour type
/// pair) and an IEND chunk at the very end (so a truncated file is rejected). Does not decode the
/// pixels. Throws std::runtime_error naming the path and what is wrong.
PngSize png_size(const std::string& path);

}  // namespace tfgram::report
