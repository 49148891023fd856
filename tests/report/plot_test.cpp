// Line plots through a real gnuplot child process: the three figures the experiment report
// draws (λ per epoch for many runs, train/valid curves, SincGram filter responses), and the
// errors when gnuplot is missing or fails.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "report/report_test_util.h"
#include "tfgram/frontends/sincgram.h"
#include "tfgram/report/filter_responses.h"
#include "tfgram/report/plot.h"
#include "tfgram/report/png.h"

namespace tfgram::report {
namespace {

using testing::TempFolder;

class ReportPlot : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!gnuplot_available()) GTEST_SKIP() << "gnuplot is not installed (scripts/setup.sh installs gnuplot-nox)";
  }
  TempFolder folder;
};

// Distinct colours in the image: a plot with lines has many (anti-aliasing), a blank one few.
size_t distinct_colours(const RgbImage& image) {
  std::set<uint32_t> colours;
  for (size_t i = 0; i < image.pixels.size(); i += 3) {
    colours.insert(uint32_t{image.pixels[i]} << 16 | uint32_t{image.pixels[i + 1]} << 8 | image.pixels[i + 2]);
  }
  return colours.size();
}

std::vector<Series> train_valid_curves() {
  Series train{"train loss", {}, {}};
  Series valid{"valid loss", {}, {}};
  for (int epoch = 1; epoch <= 30; ++epoch) {
    train.x.push_back(epoch);
    valid.x.push_back(epoch);
    train.y.push_back(2.3 * std::exp(-0.15 * epoch) + 0.05);
    valid.y.push_back(2.3 * std::exp(-0.12 * epoch) + 0.2 + 0.002 * epoch);
  }
  return {train, valid};
}

TEST_F(ReportPlot, TrainValidCurvesGiveAValidPngOfTheRequestedSize) {
  const std::string path = folder.file("curves.png");
  PlotOptions options;
  options.title = "train/valid loss";
  options.x_label = "epoch";
  options.y_label = "cross-entropy";
  options.width = 640;
  options.height = 400;
  options.points = true;
  plot_lines(train_valid_curves(), options, path);
  EXPECT_EQ(png_size(path), (PngSize{640, 400}));
  const RgbImage image = read_png(path);
  EXPECT_GT(distinct_colours(image), 20u);
  // Mostly white background: the corner pixel is white.
  EXPECT_EQ(image.at(0, 0)[0], 255);
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"curves.png"});
}

TEST_F(ReportPlot, LambdaAgainstEpochForManyRunsOnALogAxis) {
  // 24 runs started at 0.2σ, σ and 5σ that drift towards σ = 6.38: too many for a legend.
  std::vector<Series> runs;
  for (int run = 0; run < 24; ++run) {
    const double start = std::vector<double>{0.2, 1.0, 5.0}[run % 3] * 6.38;
    Series s{"run " + std::to_string(run) + " λ_init=" + std::to_string(start), {}, {}};
    for (int epoch = 0; epoch <= 40; ++epoch) {
      s.x.push_back(epoch);
      s.y.push_back(6.38 + (start - 6.38) * std::exp(-0.05 * (epoch + run % 5)));
    }
    runs.push_back(s);
  }
  PlotOptions options;
  options.title = "λ per epoch";
  options.x_label = "epoch";
  options.y_label = "λ (samples)";
  options.log_y = true;
  options.width = 900;
  options.height = 300;
  const std::string path = folder.file("lambda.png");
  plot_lines(runs, options, path);
  EXPECT_EQ(png_size(path), (PngSize{900, 300}));
}

TEST_F(ReportPlot, SincGramResponsesPeakAtTheirCentres) {
  frontends::SincGram sincgram(frontends::SincGramOptions(1025, 8000).filters(64));
  const auto series = sincgram_responses(*sincgram);
  ASSERT_EQ(series.size(), 64u);
  const auto centres = sincgram->center_hz();
  const double bin_hz = 4000.0 / 1024.0;
  for (size_t f = 0; f < series.size(); ++f) {
    const auto& s = series[f];
    ASSERT_EQ(s.x.size(), 1025u);
    ASSERT_EQ(s.y.size(), 1025u);
    EXPECT_DOUBLE_EQ(s.x.front(), 0.0);
    EXPECT_DOUBLE_EQ(s.x.back(), 4000.0);
    size_t peak = 0;
    for (size_t k = 0; k < s.y.size(); ++k) {
      EXPECT_GE(s.y[k], 0.0);
      EXPECT_LE(s.y[k], 1.0 + 1e-12);
      if (s.y[k] > s.y[peak]) peak = k;
    }
    // A Butterworth band-pass has gain 1 at its centre: the peak bin is the one nearest to it.
    EXPECT_NEAR(s.x[peak], centres[static_cast<int64_t>(f)].item<double>(), bin_hz) << s.name;
    EXPECT_GT(s.y[peak], 0.99) << s.name;
  }
  EXPECT_EQ(series.front().name.rfind("0: ", 0), 0u) << series.front().name;
  EXPECT_FALSE(sincgram->freq_centers.grad().defined());

  PlotOptions options;
  options.title = "SincGram filter responses at initialisation";
  options.x_label = "frequency (Hz)";
  options.y_label = "gain";
  options.x_range = std::make_pair(0.0, 4000.0);
  options.width = 1000;
  options.height = 400;
  const std::string path = folder.file("sincgram.png");
  plot_lines(series, options, path);
  EXPECT_EQ(png_size(path), (PngSize{1000, 400}));
}

TEST_F(ReportPlot, LabelsWithQuotesLineBreaksAndUnderscoresAreSafe) {
  PlotOptions options;
  options.title = "it's run_1\nsecond line; set output '/tmp/x'";
  options.x_label = "x_label \\ with backslash";
  const std::string path = folder.file("it's odd.png");
  plot_lines({Series{"a_b 'c'", {0, 1, 2}, {1, 4, 9}}}, options, path);
  EXPECT_EQ(png_size(path), (PngSize{800, 500}));
}

TEST_F(ReportPlot, NonFinitePointsAreSkippedButNothingToDrawIsAnError) {
  const std::string path = folder.file("gaps.png");
  const double nan = std::nan("");
  plot_lines({Series{"gappy", {0, 1, 2, 3, 4}, {1, nan, 3, INFINITY, 5}}, Series{"empty", {}, {}}},
             PlotOptions{}, path);
  EXPECT_EQ(png_size(path), (PngSize{800, 500}));

  PlotOptions log_y;
  log_y.log_y = true;
  EXPECT_THROW(plot_lines({Series{"zero", {0, 1}, {0, -1}}}, log_y, folder.file("none.png")),
               std::invalid_argument);
  EXPECT_THROW(plot_lines({}, PlotOptions{}, folder.file("none.png")), std::invalid_argument);
  try {
    plot_lines({Series{"uneven", {0, 1, 2}, {0, 1}}}, PlotOptions{}, folder.file("none.png"));
    ADD_FAILURE() << "accepted uneven series";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("uneven"), std::string::npos) << error.what();
  }
  PlotOptions tiny;
  tiny.width = 10;
  EXPECT_THROW(plot_lines(train_valid_curves(), tiny, folder.file("none.png")), std::invalid_argument);
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"gaps.png"});
}

TEST_F(ReportPlot, MissingOrFailingGnuplotIsNamedAndWritesNothing) {
  const std::string path = folder.file("never.png");
  PlotOptions missing;
  missing.gnuplot = "/nonexistent/bin/gnuplot";
  try {
    plot_lines(train_valid_curves(), missing, path);
    ADD_FAILURE() << "no error without gnuplot";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("gnuplot"), std::string::npos) << message;
    EXPECT_NE(message.find("not found"), std::string::npos) << message;
  }
  PlotOptions failing;
  failing.gnuplot = "false";  // on PATH, exits 1 without writing anything
  try {
    plot_lines(train_valid_curves(), failing, path);
    ADD_FAILURE() << "no error from a failing gnuplot";
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("gnuplot"), std::string::npos) << message;
    EXPECT_NE(message.find("exited with status 1"), std::string::npos) << message;
  }
  PlotOptions succeeds_silently;
  succeeds_silently.gnuplot = "true";  // exits 0 but writes no PNG
  try {
    plot_lines(train_valid_curves(), succeeds_silently, path);
    ADD_FAILURE() << "no error when gnuplot writes nothing";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("no valid PNG"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(gnuplot_available("/nonexistent/bin/gnuplot"));
  EXPECT_TRUE(folder.entries().empty());
}

TEST_F(ReportPlot, UnwritableDestinationIsNamed) {
  const std::string path = folder.file("no/such/folder/plot.png");
  try {
    plot_lines(train_valid_curves(), PlotOptions{}, path);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace tfgram::report

namespace tfgram::report {
namespace {

// λ per epoch as the report draws it: a mean line with a min–max band, and a dashed grey
// reference line; a band that does not match its points is refused by name.
TEST_F(ReportPlot, BandsColoursAndDashedReferenceLines) {
  Series mean{"cell a", {0, 1, 2, 3}, {1.3, 2.5, 3.6, 4.2}, {1.3, 2.2, 3.1, 3.9}, {1.3, 2.9, 4.0, 4.6}, "", false};
  Series sigma{"sigma", {0, 3}, {6.38, 6.38}, {}, {}, "#404040", true};
  PlotOptions options;
  options.title = "lambda\nfixed: 1.28, 31.9";
  options.log_y = true;
  const std::string path = folder.file("band.png");
  plot_lines({mean, sigma}, options, path);
  EXPECT_EQ(png_size(path), (PngSize{800, 500}));
  EXPECT_GT(distinct_colours(read_png(path)), 20u);

  Series uneven = mean;
  uneven.y_high.pop_back();
  EXPECT_THROW(plot_lines({uneven}, options, folder.file("none.png")), std::invalid_argument);
  Series bad_colour = sigma;
  bad_colour.colour = "grey";
  EXPECT_THROW(plot_lines({bad_colour}, options, folder.file("none.png")), std::invalid_argument);
}

}  // namespace
}  // namespace tfgram::report
