// Time-frequency images through a real gnuplot child process: axes, shared colour scale, mel
// ticks, and the axes each front-end kind gets (frontend_axes).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "report/report_test_util.h"
#include "tfgram/dsp/mel.h"
#include "tfgram/frontends/waveform_degram.h"
#include "tfgram/models/classifier.h"
#include "tfgram/report/frontend_axes.h"
#include "tfgram/report/plot.h"
#include "tfgram/report/png.h"
#include "tfgram/report/tf_image.h"

namespace tfgram::report {
namespace {

using testing::TempFolder;

// A (rows, frames) power image with a rising tone: row r lights up at frame ≈ r.
torch::Tensor chirp_image(int64_t rows, int64_t frames) {
  auto image = torch::full({rows, frames}, 1e-6, torch::kFloat64);
  for (int64_t t = 0; t < frames; ++t) image[std::min(rows - 1, t * rows / frames)][t] = 1.0;
  return image;
}

std::vector<double> mel_centres(int64_t n_mels, double f_max) {
  std::vector<double> v;
  const double top = dsp::hz_to_mel(f_max);
  for (int64_t m = 0; m < n_mels; ++m) v.push_back(dsp::mel_to_hz(top * (m + 1) / (n_mels + 1)));
  return v;
}

TEST(ReportTfImage, MelAxisGetsRoundTicksAtTheirRowsAndLinearAxisNone) {
  FrequencyAxis mel;
  mel.values = mel_centres(64, 4000);
  const auto ticks = frequency_ticks(mel);
  ASSERT_GE(ticks.size(), 4u);
  for (size_t i = 1; i < ticks.size(); ++i) EXPECT_GT(ticks[i].second, ticks[i - 1].second + 3.0) << i;
  // "1000" lies where the 1000 Hz band would be: its mel position among the rows.
  bool has_1000 = false;
  for (const auto& [label, row] : ticks) {
    const double hz = std::stod(label);
    const double expected_row = dsp::hz_to_mel(hz) / dsp::hz_to_mel(4000) * 65 - 1;
    EXPECT_NEAR(row, expected_row, 0.05) << label;
    has_1000 = has_1000 || label == "1000";
  }
  EXPECT_TRUE(has_1000);
  std::string labels;
  for (const auto& tick : ticks) labels += tick.first + " ";
  EXPECT_EQ(labels, "100 300 500 1000 2000 3000 ");
  FrequencyAxis linear;
  for (int k = 0; k <= 128; ++k) linear.values.push_back(4000.0 * k / 128);
  EXPECT_TRUE(frequency_ticks(linear).empty());
}

TEST(ReportTfImage, PanelsShareOneColourRange) {
  TfImageOptions options;
  options.frequency.values = mel_centres(8, 4000);
  const TfPanel quiet{chirp_image(8, 20) * 1e-3, "quiet", std::nullopt};  // 30 dB lower
  const TfPanel loud{chirp_image(8, 20), "loud", std::nullopt};
  const auto [low, high] = tf_colour_range({quiet, loud}, options);
  EXPECT_NEAR(high, 0.0, 1e-9);   // the loud panel's 1.0 → 0 dB
  EXPECT_NEAR(low, -90.0, 1e-6);  // the quiet panel's 1e-9 → −90 dB
  options.dynamic_range = 40.0;
  EXPECT_NEAR(tf_colour_range({quiet, loud}, options).first, -40.0, 1e-9);
  options.values = TfValues::kLogPower;  // natural log → dB
  const TfPanel log_panel{torch::full({8, 3}, std::log(100.0), torch::kFloat64), "log", std::nullopt};
  options.dynamic_range.reset();
  EXPECT_NEAR(tf_colour_range({log_panel}, options).second, 20.0, 1e-4);  // a constant image: padded range
}

class ReportTfImagePlot : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!gnuplot_available()) GTEST_SKIP() << "gnuplot is not installed (scripts/setup.sh installs gnuplot-nox)";
  }
  TempFolder folder;
};

TEST_F(ReportTfImagePlot, TwoPanelsGiveOnePngOfTheAutomaticWidth) {
  TfImageOptions options;
  options.title = "DMEL\nsecond line";
  options.frequency.values = mel_centres(64, 4000);
  options.time.step = 0.01;
  options.dynamic_range = 80.0;
  const std::string path = folder.file("two.png");
  plot_tf_images({{chirp_image(64, 101), "initial", std::nullopt}, {chirp_image(64, 101) * 0.5, "learned", std::nullopt}},
                 options, path);
  EXPECT_EQ(png_size(path), (PngSize{options.width_for(2), 480}));
  EXPECT_EQ(options.width_for(2), 120 + 2 * 560);
  EXPECT_GT(testing::png_luminance_variance(path), 100.0);
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"two.png"});
}

TEST_F(ReportTfImagePlot, BadPanelsAreNamedAndNothingIsWritten) {
  TfImageOptions options;
  options.frequency.values = mel_centres(8, 4000);
  const std::string path = folder.file("never.png");
  const auto expect_invalid = [&](const std::vector<TfPanel>& panels, const std::string& needle) {
    try {
      plot_tf_images(panels, options, path);
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(needle), std::string::npos) << error.what();
    }
  };
  expect_invalid({}, "no panel");
  expect_invalid({{chirp_image(9, 5), "nine rows", std::nullopt}}, "nine rows");
  auto nan = chirp_image(8, 5);
  nan[2][2] = std::nan("");
  expect_invalid({{nan, "with nan", std::nullopt}}, "NaN");
  options.gnuplot = "/nonexistent/gnuplot";
  EXPECT_THROW(plot_tf_images({{chirp_image(8, 5), "", std::nullopt}}, options, path), std::runtime_error);
  EXPECT_TRUE(folder.entries().empty());
}

models::ClassifierConfig config_for(const std::string& kind) {
  models::ClassifierConfig config;
  config.num_classes = 2;
  config.backbone.kind = "resnet18";
  config.n_points = 8000;
  config.frontend.kind = kind;
  return config;
}

TEST(ReportFrontendAxes, EveryKindGetsItsFrequencyAxis) {
  for (const std::string kind : {"dmel", "logmel", "dspec", "spectrogram", "degram"}) {
    const auto config = config_for(kind);
    auto parts = models::build_frontend(config);
    const auto shape = parts.output_shape(config.n_points);
    const auto axes = frontend_axes(config, *parts.module.ptr(), shape.features);
    ASSERT_EQ(static_cast<int64_t>(axes.frequency.values.size()), shape.features) << kind;
    EXPECT_GE(axes.frequency.values.front(), 0.0) << kind;
    EXPECT_LE(axes.frequency.values.back(), 4000.0 + 1e-9) << kind;
    EXPECT_NEAR(axes.time.step, 0.01, 1e-12) << kind;  // hop 80 samples / 10 ms at 8 kHz
    EXPECT_EQ(axes.frequency.label, "frequency (Hz)");
    EXPECT_FALSE(axes.name.empty());
    const bool mel_like = kind == "dmel" || kind == "logmel" || kind == "degram";
    EXPECT_EQ(frequency_ticks(axes.frequency).empty(), !mel_like) << kind;
    if (kind == "dmel") {
      EXPECT_NE(axes.window.find("35.0 ms"), std::string::npos) << axes.window;
      EXPECT_EQ(axes.values, TfValues::kLogPower);
    }
    if (kind == "degram") {
      const auto centres = parts.module.ptr<frontends::WaveformDEGramImpl>()->degram->sincgram->center_hz();
      EXPECT_NEAR(axes.frequency.values[10], centres[10].item<double>(), 1e-9);
      EXPECT_EQ(axes.values, TfValues::kLinear);  // normalised output: not dB
    }
  }
  // The synthetic task: samples and cycles per sample.
  auto pulses = config_for("dspec");
  pulses.n_points = 128;
  pulses.assign("frontend.dmel.mode", "full");
  pulses.assign("frontend.dmel.hop_length", 1);
  pulses.assign("frontend.dmel.lambd", 6.38);
  auto parts = models::build_frontend(pulses);
  const auto axes = frontend_axes(pulses, *parts.module.ptr(), 129, TfUnits::kSamples);
  EXPECT_DOUBLE_EQ(axes.frequency.values.back(), 0.5);
  EXPECT_DOUBLE_EQ(axes.time.step, 1.0);
  EXPECT_EQ(axes.time.label, "time (samples)");
  EXPECT_NE(axes.window.find("λ = 6.38"), std::string::npos) << axes.window;
  const auto mel = models::build_frontend(config_for("dmel"));
  EXPECT_THROW(frontend_axes(config_for("dmel"), *mel.module.ptr(), 63), std::invalid_argument) << "64 mel rows";
}

}  // namespace
}  // namespace tfgram::report
