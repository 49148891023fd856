// Colour maps: the viridis and gray stops the gnuplot palettes of tf_image are built from.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "tfgram/report/colormap.h"

namespace tfgram::report {
namespace {

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
  try {
    parse_colormap("jet");
    ADD_FAILURE() << "accepted 'jet'";
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("jet"), std::string::npos) << message;
    EXPECT_NE(message.find("viridis"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace tfgram::report
