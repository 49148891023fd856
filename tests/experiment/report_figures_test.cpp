// The experiment report's figures from a tiny real grid on the synthetic pulse task: a trainable
// and a fixed DMEL-family cell (2 runs each, for the λ band) and a DEGram cell (SincGram filters),
// each figure a non-constant PNG of its size, and index.html with one caption per figure.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "report/report_test_util.h"
#include "support/process.h"
#include "tfgram/experiment/experiment.h"
#include "tfgram/experiment/report.h"
#include "tfgram/report/plot.h"
#include "tfgram/report/png.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::testing {
namespace {
namespace fs = std::filesystem;

std::string figures_yaml(const std::string& output) {
  return R"(
output: )" + output + R"(
runs: 2
model:
  n_points: 128
  sample_rate: 8000
  frontend:
    kind: dspec
    dmel: {mode: full, hop_length: 1, lambd: 1.276}
    stft: {n_fft: 64, win_sec: 0.004, hop_sec: 0.001}
    degram: {sincgram: {filters: 16}}
  backbone: {kind: linear}
data:
  kind: pulses
  pulses: {examples: 150, sigma: 6.38, noise_std: 0.5, seed: 3}
  split: {kind: random, seed: 1}
train: {optimizer: sgd, lr_model: 0.001, lr_tf: 1.0, batch_size: 64, max_epochs: 2, patience: 10, seed: 5}
grid:
  front:
    - {name: learned, model.frontend.trainable: true}
    - {name: fixed, model.frontend.trainable: false}
    - {name: degram, model.frontend.kind: degram, model.frontend.trainable: true, train.lr_tf: 0.01}
)";
}

TEST(ExperimentReport, EveryFigureOfATinyPulseGrid) {
  if (!report::gnuplot_available()) GTEST_SKIP() << "gnuplot is not installed";
  TempDir dir;
  const auto config = experiment::ExperimentConfig::from_yaml(figures_yaml(dir / "exp"));
  std::ostringstream log;
  experiment::ExperimentOptions options;
  options.log = &log;
  const auto summary = experiment::run_experiment(config, options);
  ASSERT_EQ(summary.trained, 6) << log.str();
  EXPECT_EQ(log.str().find("warning: figures/"), std::string::npos) << log.str();

  const std::vector<std::pair<std::string, report::PngSize>> figures{
      {"figures/pulses_waveforms.png", {1000, 500}},
      {"figures/pulses_spectrograms.png", {1500, 480}},
      {"figures/representation_front_learned.png", {1240, 480}},
      {"figures/representation_front_fixed.png", {680, 480}},
      {"figures/representation_front_degram.png", {1240, 480}},
      {"figures/lambda.png", {800, 500}},
      {"figures/sincgram_front_degram.png", {1000, 500}},
      {"figures/loss_front_degram.png", {800, 500}},
  };
  const auto html = util::read_file(dir / "exp/index.html");
  for (const auto& [name, size] : figures) {
    const auto path = dir / ("exp/" + name);
    ASSERT_TRUE(fs::exists(path)) << name;
    EXPECT_EQ(report::png_size(path), size) << name;
    EXPECT_GT(report::testing::png_luminance_variance(path), 20.0) << name;
    EXPECT_NE(html.find("<img src=\"" + name + "\""), std::string::npos) << name;
  }
  // Captions are sentences, not file stems; the table comes before the figures.
  for (const char* caption : {"Synthetic data: one example of each pulse class (waveforms)",
                              "at the initial and at the learned parameters, on one colour scale",
                              "λ against epoch for every trainable cell", "SincGram filter responses of cell front=degram",
                              ": fixed front end"}) {
    EXPECT_NE(html.find(caption), std::string::npos) << caption;
  }
  EXPECT_EQ(html.find("<figcaption>representation_"), std::string::npos);
  EXPECT_LT(html.find("<table"), html.find("<figure"));
  EXPECT_EQ(html.find("not drawn"), std::string::npos) << html;
}

}  // namespace
}  // namespace tfgram::testing
