// png_size: accepts what write_png and gnuplot write, rejects anything that is not a whole PNG.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "report/report_test_util.h"
#include "tfgram/report/png.h"

namespace tfgram::report {
namespace {

using testing::TempFolder;

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// png_size(path) throws std::runtime_error whose message names the path and contains `reason`.
void expect_rejected(const std::string& path, const std::string& reason) {
  try {
    png_size(path);
    ADD_FAILURE() << "accepted " << path;
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }
}

RgbImage gradient(int64_t width, int64_t height) {
  RgbImage image;
  image.width = width;
  image.height = height;
  image.pixels.resize(static_cast<size_t>(width * height * 3));
  for (size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<uint8_t>(i * 7);
  return image;
}

TEST(ReportPng, RoundTripsAndReportsItsSize) {
  TempFolder folder;
  const std::string path = folder.file("g.png");
  const RgbImage image = gradient(37, 11);
  write_png(image, path);
  EXPECT_EQ(png_size(path), (PngSize{37, 11}));
  const RgbImage back = read_png(path);
  EXPECT_EQ(back.width, 37);
  EXPECT_EQ(back.height, 11);
  EXPECT_TRUE(back.pixels == image.pixels);
}

TEST(ReportPng, RejectsMissingTextTruncatedAndCorruptFiles) {
  TempFolder folder;
  expect_rejected(folder.file("missing.png"), "cannot be opened");

  const std::string text = folder.file("notes.png");
  write_bytes(text, "this is plain text, long enough to pass the length check, not an image\n");
  expect_rejected(text, "bad signature");

  const std::string tiny = folder.file("tiny.png");
  write_bytes(tiny, "\x89PNG");
  expect_rejected(tiny, "not a PNG");

  const std::string good = folder.file("good.png");
  write_png(gradient(20, 10), good);
  const std::string bytes = testing::read_bytes(good);

  const std::string truncated = folder.file("truncated.png");
  write_bytes(truncated, bytes.substr(0, bytes.size() - 20));
  expect_rejected(truncated, "IEND");

  std::string bad_crc = bytes;
  bad_crc[17] = static_cast<char>(bad_crc[17] ^ 0x01);  // a bit of the width: the IHDR CRC no longer matches
  const std::string corrupt = folder.file("corrupt.png");
  write_bytes(corrupt, bad_crc);
  expect_rejected(corrupt, "checksum");

  EXPECT_THROW(read_png(text), std::runtime_error);
}

TEST(ReportPng, WriteRejectsInconsistentImages) {
  TempFolder folder;
  RgbImage image = gradient(4, 4);
  image.pixels.pop_back();
  EXPECT_THROW(write_png(image, folder.file("x.png")), std::invalid_argument);
  image = RgbImage{};
  EXPECT_THROW(write_png(image, folder.file("x.png")), std::invalid_argument);
  EXPECT_TRUE(folder.entries().empty());
}

}  // namespace
}  // namespace tfgram::report
