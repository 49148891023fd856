// Colour map, heatmap rendering and PNG files: what the pixels are, where they go, and that bad
// input is refused before anything is written.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>

#include "report/report_test_util.h"
#include "tfgram/report/colormap.h"
#include "tfgram/report/heatmap.h"
#include "tfgram/report/png.h"

namespace tfgram::report {
namespace {

using testing::TempFolder;

// Runs `f`, expects exception E whose message contains every one of `parts`.
template <typename E, typename F>
void expect_error(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no exception";
  } catch (const E& error) {
    const std::string message = error.what();
    for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message;
  }
}

Rgb pixel(const RgbImage& image, int64_t row, int64_t column) {
  const uint8_t* p = image.at(row, column);
  return {p[0], p[1], p[2]};
}

TEST(ReportColormap, ViridisEndpointsAreDarkPurpleAndYellow) {
  EXPECT_EQ(colour_at(Colormap::kViridis, 0.0), (Rgb{68, 1, 84}));
  EXPECT_EQ(colour_at(Colormap::kViridis, 1.0), (Rgb{253, 231, 37}));
  // Out-of-range and NaN inputs clamp to the ends instead of reading outside the table.
  EXPECT_EQ(colour_at(Colormap::kViridis, -3.0), colour_at(Colormap::kViridis, 0.0));
  EXPECT_EQ(colour_at(Colormap::kViridis, 7.0), colour_at(Colormap::kViridis, 1.0));
  EXPECT_EQ(colour_at(Colormap::kViridis, std::nan("")), colour_at(Colormap::kViridis, 0.0));
  // The middle is the teal-green of viridis: green dominates red.
  const Rgb middle = colour_at(Colormap::kViridis, 0.5);
  EXPECT_GT(middle.g, middle.r + 80);
  EXPECT_GT(middle.g, 120);
}

TEST(ReportColormap, ViridisLuminanceRisesStrictlyWithValue) {
  double previous = -1.0;
  for (int i = 0; i <= 100; ++i) {
    const double l = luminance(colour_at(Colormap::kViridis, i / 100.0));
    EXPECT_GT(l, previous) << "t = " << i / 100.0;
    previous = l;
  }
  EXPECT_LT(luminance(colour_at(Colormap::kViridis, 0.0)), 25.0);
  EXPECT_GT(luminance(colour_at(Colormap::kViridis, 1.0)), 215.0);
}

TEST(ReportColormap, GrayRunsBlackToWhiteAndNamesParse) {
  EXPECT_EQ(colour_at(Colormap::kGray, 0.0), (Rgb{0, 0, 0}));
  EXPECT_EQ(colour_at(Colormap::kGray, 1.0), (Rgb{255, 255, 255}));
  EXPECT_EQ(colour_at(Colormap::kGray, 0.5), (Rgb{128, 128, 128}));
  EXPECT_EQ(parse_colormap("viridis"), Colormap::kViridis);
  EXPECT_EQ(parse_colormap("grey"), Colormap::kGray);
  expect_error<std::invalid_argument>([] { parse_colormap("jet"); }, {"jet", "viridis"});
}

TEST(ReportHeatmap, RowZeroIsDrawnAtTheBottomInScaledBlocks) {
  // 3 rows × 4 columns; value = row, so row 0 (lowest frequency) is the darkest.
  const auto image = torch::arange(3, torch::kFloat32).unsqueeze(1).expand({3, 4}).contiguous();
  HeatmapOptions options;
  options.scale = 3;
  const RgbImage out = render_heatmap(image, options);
  ASSERT_EQ(out.width, 12);
  ASSERT_EQ(out.height, 9);
  for (int64_t y = 0; y < 9; ++y) {
    const int64_t source_row = 2 - y / 3;
    for (int64_t x = 0; x < 12; ++x) {
      ASSERT_EQ(pixel(out, y, x), colour_at(Colormap::kViridis, source_row / 2.0)) << y << "," << x;
    }
  }
  options.origin_lower = false;
  const RgbImage flipped = render_heatmap(image, options);
  EXPECT_EQ(pixel(flipped, 0, 0), colour_at(Colormap::kViridis, 0.0));
  EXPECT_EQ(pixel(flipped, 8, 11), colour_at(Colormap::kViridis, 1.0));
}

TEST(ReportHeatmap, ColumnScaleWidensFramesOnly) {
  const auto image = torch::arange(6, torch::kFloat32).reshape({2, 3});
  HeatmapOptions options;
  options.scale = 2;
  options.column_scale = 5;
  const RgbImage out = render_heatmap(image, options);
  ASSERT_EQ(out.width, 15);
  ASSERT_EQ(out.height, 4);
  // Bottom-left block is value 0, top-right block value 5.
  for (int64_t x = 0; x < 5; ++x) EXPECT_EQ(pixel(out, 3, x), colour_at(Colormap::kViridis, 0.0));
  EXPECT_EQ(pixel(out, 0, 14), colour_at(Colormap::kViridis, 1.0));
  EXPECT_EQ(pixel(out, 0, 10), colour_at(Colormap::kViridis, 1.0));
  EXPECT_NE(pixel(out, 0, 9), colour_at(Colormap::kViridis, 1.0));
  options.column_scale = 0;
  EXPECT_THROW(render_heatmap(image, options), std::invalid_argument);
}

TEST(ReportHeatmap, ColumnsKeepTheirTimeOrder) {
  const auto image = torch::arange(5, torch::kFloat64).unsqueeze(0).expand({2, 5}).contiguous();
  HeatmapOptions options;
  options.colormap = Colormap::kGray;
  const RgbImage out = render_heatmap(image, options);
  for (int64_t x = 0; x < 5; ++x) EXPECT_EQ(out.at(0, x)[0], std::lround(255.0 * x / 4.0)) << x;
}

TEST(ReportHeatmap, WritesAValidPngOfScaledSizeWithTheRenderedPixels) {
  TempFolder folder;
  const std::string path = folder.file("spec.png");
  torch::manual_seed(0);
  const auto image = torch::rand({64, 101});
  HeatmapOptions options;
  options.scale = 4;
  write_heatmap_png(image, path, options);
  EXPECT_EQ(png_size(path), (PngSize{101 * 4, 64 * 4}));
  const RgbImage decoded = read_png(path);
  const RgbImage expected = render_heatmap(image, options);
  ASSERT_EQ(decoded.width, expected.width);
  ASSERT_EQ(decoded.height, expected.height);
  EXPECT_TRUE(decoded.pixels == expected.pixels);
  // Only the finished file remains: the temporary was renamed, not copied.
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"spec.png"});
}

TEST(ReportHeatmap, ReplacesAnExistingFileAndLeavesItAloneOnError) {
  TempFolder folder;
  const std::string path = folder.file("spec.png");
  write_heatmap_png(torch::zeros({2, 2}), path);
  write_heatmap_png(torch::rand({3, 5}), path, HeatmapOptions{});
  EXPECT_EQ(png_size(path), (PngSize{5, 3}));
  const std::string before = testing::read_bytes(path);
  auto bad = torch::rand({3, 5});
  bad[1][2] = std::nan("");
  EXPECT_THROW(write_heatmap_png(bad, path), std::invalid_argument);
  EXPECT_EQ(testing::read_bytes(path), before);
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"spec.png"});
}

TEST(ReportHeatmap, RejectsNanEmptyAndWrongShapesNamingThePath) {
  TempFolder folder;
  const std::string path = folder.file("bad.png");
  auto nan_image = torch::ones({4, 6});
  nan_image[2][5] = std::numeric_limits<float>::quiet_NaN();
  expect_error<std::invalid_argument>([&] { write_heatmap_png(nan_image, path); },
                                      {path, "NaN", "row 2, column 5"});
  expect_error<std::invalid_argument>([&] { write_heatmap_png(torch::zeros({0, 5}), path); }, {path, "empty"});
  expect_error<std::invalid_argument>([&] { write_heatmap_png(torch::zeros({2, 3, 4}), path); }, {path, "2-D"});
  expect_error<std::invalid_argument>([&] { write_heatmap_png(torch::Tensor(), path); }, {path, "undefined"});
  expect_error<std::invalid_argument>(
      [&] { write_heatmap_png(torch::full({2, 2}, std::numeric_limits<double>::infinity()), path); },
      {path, "no finite value"});
  EXPECT_TRUE(folder.entries().empty());
}

TEST(ReportHeatmap, UnwritablePathThrowsNamingIt) {
  TempFolder folder;
  const std::string path = folder.file("no/such/folder/spec.png");
  expect_error<std::runtime_error>([&] { write_heatmap_png(torch::rand({4, 4}), path); },
                                   {path, "cannot write"});
}

TEST(ReportHeatmap, OptionsAreValidatedByName) {
  const auto image = torch::rand({4, 4});
  HeatmapOptions options;
  options.scale = 0;
  expect_error<std::invalid_argument>([&] { render_heatmap(image, options); }, {"scale"});
  options = {};
  options.low_percentile = 90;
  options.high_percentile = 10;
  expect_error<std::invalid_argument>([&] { render_heatmap(image, options); }, {"percentile"});
  options = {};
  options.vmin = 2.0;
  options.vmax = 1.0;
  expect_error<std::invalid_argument>([&] { render_heatmap(image, options); }, {"vmin"});
  options = {};
  options.db_floor = 0.0;
  expect_error<std::invalid_argument>([&] { render_heatmap(image, options); }, {"db_floor"});
  options = {};
  options.scale = 64;
  expect_error<std::invalid_argument>([&] { render_heatmap(torch::rand({1000, 10}), options); }, {"exceeds"});
}

TEST(ReportHeatmap, DecibelsPercentilesAndDynamicRangeSetTheColourRange) {
  // Powers 1e-6 … 1 → −60 … 0 dB.
  const auto power = torch::pow(10.0, torch::linspace(-6.0, 0.0, 7, torch::kFloat64)).reshape({1, 7});
  HeatmapOptions db;
  db.db = true;
  auto [low, high] = heatmap_range(power, db);
  EXPECT_NEAR(low, -60.0, 1e-9);
  EXPECT_NEAR(high, 0.0, 1e-9);
  db.dynamic_range = 20.0;
  std::tie(low, high) = heatmap_range(power, db);
  EXPECT_NEAR(low, -20.0, 1e-9);
  // Zeros and negatives meet the floor instead of producing −inf or NaN.
  db.dynamic_range.reset();
  std::tie(low, high) = heatmap_range(torch::tensor({{0.0, -1.0, 1.0}}), db);
  EXPECT_NEAR(low, -100.0, 1e-9);

  // 0 … 100 plus one outlier: the 1st/99th percentiles ignore it (linear interpolation).
  auto values = torch::cat({torch::arange(101, torch::kFloat64), torch::tensor({1e6}, torch::kFloat64)});
  HeatmapOptions clipped;
  clipped.low_percentile = 0.0;
  clipped.high_percentile = 99.0;
  std::tie(low, high) = heatmap_range(values.reshape({2, 51}), clipped);
  EXPECT_DOUBLE_EQ(low, 0.0);
  EXPECT_NEAR(high, 99.99, 1e-9);  // position 0.99 · 101 = 99.99 between 99 and 100
  clipped.vmin = -5.0;
  clipped.vmax = 5.0;
  std::tie(low, high) = heatmap_range(values.reshape({2, 51}), clipped);
  EXPECT_EQ(low, -5.0);
  EXPECT_EQ(high, 5.0);
}

TEST(ReportHeatmap, ValuesOutsideTheRangeAndInfinitiesTakeTheEndColours) {
  const double inf = std::numeric_limits<double>::infinity();
  const auto image = torch::tensor({{-inf, -10.0, 0.0, 0.5, 1.0, 10.0, inf}}, torch::kFloat64);
  HeatmapOptions options;
  options.colormap = Colormap::kGray;
  options.vmin = 0.0;
  options.vmax = 1.0;
  const RgbImage out = render_heatmap(image, options);
  const std::vector<int> expected = {0, 0, 0, 128, 255, 255, 255};
  for (int64_t x = 0; x < 7; ++x) EXPECT_EQ(out.at(0, x)[0], expected[static_cast<size_t>(x)]) << x;
  // A constant image has no range: every pixel gets the first colour rather than NaN.
  const RgbImage flat = render_heatmap(torch::full({2, 3}, 4.0), HeatmapOptions{});
  std::set<int> reds;
  for (size_t i = 0; i < flat.pixels.size(); i += 3) reds.insert(flat.pixels[i]);
  EXPECT_EQ(reds, std::set<int>{68});
}

TEST(ReportHeatmap, AcceptsIntegerAndFloat32Images) {
  const RgbImage a = render_heatmap(torch::arange(6, torch::kInt64).reshape({2, 3}));
  const RgbImage b = render_heatmap(torch::arange(6, torch::kFloat32).reshape({2, 3}));
  EXPECT_TRUE(a.pixels == b.pixels);
}

}  // namespace
}  // namespace tfgram::report
