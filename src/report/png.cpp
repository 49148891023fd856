#include "tfgram/report/png.h"

#include <png.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include "tfgram/util/atomic_file.h"
#include "tfgram/util/check.h"
#include "tfgram/util/integrity.h"

namespace tfgram::report {
namespace {

std::runtime_error file_error(const char* where, const std::string& path, const std::string& reason) {
  return std::runtime_error(util::concat(where, ": '", path, "': ", reason));
}

uint32_t read_be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

bool legal_depth(unsigned colour_type, unsigned depth) {
  switch (colour_type) {
    case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6: return depth == 8 || depth == 16;
    default: return false;
  }
}

}  // namespace

void write_png(const RgbImage& image, const std::string& path) {
  constexpr const char* where = "write_png";
  util::require(image.width >= 1 && image.height >= 1 && image.width <= 0x7FFFFFFF &&
                    image.height <= 0x7FFFFFFF,
                where, "'", path, "': image size must be >= 1 × 1, got ", image.width, " × ",
                image.height);
  util::require(image.pixels.size() == static_cast<size_t>(image.width * image.height * 3), where,
                "'", path, "': ", image.width, " × ", image.height, " RGB needs ",
                image.width * image.height * 3, " bytes, got ", image.pixels.size());

  util::replace_file_atomic(path, [&](const std::string& temporary) {
    FILE* file = std::fopen(temporary.c_str(), "wb");
    if (file == nullptr) throw file_error(where, path, std::string("cannot write: ") + std::strerror(errno));
    png_image png;
    std::memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    png.width = static_cast<png_uint_32>(image.width);
    png.height = static_cast<png_uint_32>(image.height);
    png.format = PNG_FORMAT_RGB;
    const bool encoded = png_image_write_to_stdio(&png, file, /*convert_to_8bit=*/0, image.pixels.data(),
                                                  /*row_stride=*/0, /*colormap=*/nullptr) != 0;
    const std::string png_message = png.message;
    png_image_free(&png);
    const bool flushed = std::fflush(file) == 0;
    const int saved_errno = errno;
    const bool closed = std::fclose(file) == 0;
    if (!encoded || !flushed || !closed) {
      throw file_error(where, path, encoded ? std::string("cannot write: ") + std::strerror(saved_errno)
                                            : "libpng: " + png_message);
    }
  });
}

RgbImage read_png(const std::string& path) {
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_file(&png, path.c_str()) == 0) {
    const std::string message = png.message;
    png_image_free(&png);
    throw file_error("read_png", path, "cannot decode: " + message);
  }
  png.format = PNG_FORMAT_RGB;
  RgbImage image;
  image.width = png.width;
  image.height = png.height;
  image.pixels.resize(PNG_IMAGE_SIZE(png));
  png_color white{255, 255, 255};  // transparent pixels are shown over white, as a viewer would
  if (png_image_finish_read(&png, &white, image.pixels.data(), /*row_stride=*/0, nullptr) == 0) {
    const std::string message = png.message;
    png_image_free(&png);
    throw file_error("read_png", path, "cannot decode: " + message);
  }
  return image;
}

PngSize png_size(const std::string& path) {
  constexpr const char* where = "png_size";
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw file_error(where, path, "cannot be opened (missing or unreadable)");
  const auto size = static_cast<int64_t>(in.tellg());
  // signature (8) + IHDR chunk (4 + 4 + 13 + 4) + IEND chunk (12)
  if (size < 8 + 25 + 12) {
    throw file_error(where, path, util::concat("is not a PNG file: only ", size, " bytes"));
  }
  std::array<unsigned char, 33> head{};
  std::array<unsigned char, 12> tail{};
  in.seekg(0);
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  in.seekg(size - static_cast<int64_t>(tail.size()));
  in.read(reinterpret_cast<char*>(tail.data()), tail.size());
  if (!in) throw file_error(where, path, "cannot be read");

  static constexpr unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (std::memcmp(head.data(), kSignature, 8) != 0) {
    throw file_error(where, path, "is not a PNG file (bad signature)");
  }
  if (read_be32(head.data() + 8) != 13 || std::memcmp(head.data() + 12, "IHDR", 4) != 0) {
    throw file_error(where, path, "is not a valid PNG file: the first chunk is not a 13-byte IHDR");
  }
  // PNG chunks carry the same CRC-32, over type + data.
  if (util::crc32(head.data() + 12, 17) != read_be32(head.data() + 29)) {
    throw file_error(where, path, "is not a valid PNG file: IHDR checksum mismatch");
  }
  const uint32_t width = read_be32(head.data() + 16);
  const uint32_t height = read_be32(head.data() + 20);
  const unsigned depth = head[24];
  const unsigned colour_type = head[25];
  if (width == 0 || height == 0 || width > 0x7FFFFFFFu || height > 0x7FFFFFFFu) {
    throw file_error(where, path, util::concat("is not a valid PNG file: size ", width, " × ", height));
  }
  if (!legal_depth(colour_type, depth)) {
    throw file_error(where, path, util::concat("is not a valid PNG file: bit depth ", depth,
                                               " with colour type ", colour_type));
  }
  static constexpr unsigned char kIend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  if (std::memcmp(tail.data(), kIend, 12) != 0) {
    throw file_error(where, path, "is not a complete PNG file: it does not end with IEND (truncated?)");
  }
  return {static_cast<int64_t>(width), static_cast<int64_t>(height)};
}

}  // namespace tfgram::report
