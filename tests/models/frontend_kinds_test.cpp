// Every registered front-end kind, through the whole pipeline: built from a config, its output
// shape as the registry reports it, one real training epoch, and its learned values in history,
// result.json and results.csv. A new kind gets all of this by registering itself.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/temp_dir.h"
#include "tfgram/experiment/experiment.h"
#include "tfgram/experiment/results_file.h"
#include "tfgram/experiment/table.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
namespace fs = std::filesystem;

// 2000 pulse samples "at" 8 kHz: long enough for every kind's defaults with a 256-point STFT.
std::string run_yaml(const std::string& output, const std::string& kind) {
  return R"(
output: )" + output + R"(
model:
  n_points: 2000
  sample_rate: 8000
  frontend: {kind: )" + kind + R"(, stft: {n_fft: 256, win_sec: 0.032, hop_sec: 0.016}, degram: {sincgram: {filters: 16}}}
  backbone: {kind: resnet18}
data:
  kind: pulses
  pulses: {examples: 40, sigma: 6.38, noise_std: 0.5, seed: 3}
  split: {kind: random, seed: 1}
train: {optimizer: adam, lr_model: 0.001, batch_size: 16, max_epochs: 1, seed: 2}
)";
}

TEST(FrontendKinds, EveryRegisteredKindBuildsTrainsAndReportsWhatItLearns) {
  TempDir dir;
  const auto kinds = models::frontend_kinds();
  ASSERT_GE(kinds.size(), 5u);
  std::string grid = "grid:\n  model.frontend.kind: [";
  for (size_t i = 0; i < kinds.size(); ++i) grid += (i ? ", " : "") + kinds[i];
  grid += "]\n";

  for (const auto& kind : kinds) {
    SCOPED_TRACE(kind);
    train::RunConfig run;
    run.apply_yaml(run_yaml(dir / ("run_" + kind), kind));
    run.model.num_classes = 3;
    ASSERT_NO_THROW(run.model.Validate());

    // The shape the registry's module reports is the one the classifier is sized for and gets.
    const auto parts = models::build_frontend(run.model);
    const auto shape = parts.output_shape(run.model.n_points);
    models::Classifier model(run.model);
    EXPECT_EQ(model->feature_shape().channels, shape.channels);
    EXPECT_EQ(model->feature_shape().features, shape.features);
    EXPECT_EQ(model->feature_shape().frames, shape.frames);
    const auto features = model->features(torch::randn({2, run.model.n_points}));
    EXPECT_EQ(features.sizes(), (std::vector<int64_t>{2, shape.channels, shape.features, shape.frames}));

    // Every parameter in exactly one group (throws otherwise), and a group for every parameter.
    size_t grouped = 0;
    for (const auto& [group, parameters] : model->frontend_groups()) grouped += parameters.size();
    EXPECT_EQ(grouped, model->frontend_parameters().size());

    // A real epoch: whatever the model reports reaches history.json and result.json.
    const auto reported = model->learned_values();
    const auto result = train::run_training(run);
    const auto history = train::History::from_json(util::read_file(dir / ("run_" + kind + "/history.json")));
    ASSERT_EQ(history.epochs.size(), 1u);
    for (const auto& value : reported) {
      const auto* in_history = history.epochs[0].frontend.find(value.name);
      ASSERT_NE(in_history, nullptr) << value.name;
      EXPECT_EQ(in_history->values.size(), value.values.size()) << value.name;
      EXPECT_EQ(in_history->unit, value.unit) << value.name;
      ASSERT_NE(result.initial.find(value.name), nullptr) << value.name;
      EXPECT_EQ(result.initial.find(value.name)->values, value.values) << "the initial values, as built";
      ASSERT_NE(result.learned.find(value.name), nullptr) << value.name;
    }
    EXPECT_EQ(history.epochs[0].frontend.values.size(), reported.size());
    const auto csv = util::read_file(dir / ("run_" + kind + "/history.csv"));
    for (const auto& value : reported) {
      EXPECT_NE(csv.find((value.scalar ? "," : ",mean_") + value.name + ","), std::string::npos) << value.name;
    }
  }

  // The same kinds as an experiment grid: results.csv has a column for each learned value.
  auto experiment_config =
      experiment::ExperimentConfig::from_yaml(run_yaml(dir / "grid", "dmel") + "runs: 1\n" + grid, "kinds");
  experiment::ExperimentOptions options;
  options.report = false;
  const auto summary = experiment::run_experiment(experiment_config, options);
  EXPECT_EQ(summary.trained, static_cast<int64_t>(kinds.size()));
  const auto csv = experiment::read_results_csv(dir / "grid/results.csv");
  const auto trials = experiment::expand(experiment_config);
  ASSERT_EQ(csv.rows.size(), trials.size());
  for (size_t i = 0; i < trials.size(); ++i) {
    auto config = trials[i].config.model;
    SCOPED_TRACE(config.frontend.kind);
    config.num_classes = 3;
    for (const auto& value : models::Classifier(config)->learned_values()) {
      const int column = csv.column(value.scalar ? "learned_" + value.name : "mean_" + value.name);
      ASSERT_GE(column, 0) << value.name;
      EXPECT_FALSE(csv.rows[i][column].empty()) << value.name;
    }
  }
}

// log-mel + PCEN: PCEN trains, the Gaussian window stays where it was; DMEL + PCEN trains both.
TEST(FrontendKinds, PcenAfterMelTrainsWhatItShould) {
  TempDir dir;
  for (const std::string kind : {"mel_pcen", "dmel_pcen"}) {
    SCOPED_TRACE(kind);
    train::RunConfig run;
    run.apply_yaml(run_yaml(dir / kind, kind));
    run.set("train.lr.lambd", "1.0");
    run.set("train.lr.pcen", "0.01");
    const auto result = train::run_training(run);
    ASSERT_TRUE(result.initial.scalar("lambd") && result.learned.scalar("lambd"));
    if (kind == "mel_pcen") {
      EXPECT_EQ(*result.learned.scalar("lambd"), *result.initial.scalar("lambd"));
    } else {
      EXPECT_NE(*result.learned.scalar("lambd"), *result.initial.scalar("lambd"));
    }
    EXPECT_NE(result.learned.vector("pcen_alpha"), result.initial.vector("pcen_alpha"));
    EXPECT_EQ(result.learned.vector("pcen_alpha").size(), 64u) << "one α per mel band";
  }
}

// One option in the nested layout and in tfgram 0.1's flat one (still read from old files and
// accepted by --set) lands in the same place; the type rule is the same for every key.
TEST(FrontendKinds, OneKeyPerOptionOneTypeRule) {
  auto nested = models::ClassifierConfig::from_json(R"({"frontend": {"degram": {"sincgram": {"filters": 12}}}})");
  auto flat = models::ClassifierConfig::from_json(R"({"frontend": {"degram": {"filters": 12, "attention": false,
                                                                             "strategy": "add"}}})");
  EXPECT_EQ(nested.frontend.section<frontends::DEGramOptions>("degram").sincgram()->filters(), 12);
  EXPECT_EQ(flat.frontend.section<frontends::DEGramOptions>("degram").sincgram()->filters(), 12);
  EXPECT_FALSE(flat.frontend.section<frontends::DEGramOptions>("degram").attention().has_value())
      << "an old switched-off stage stays off";
  models::ClassifierConfig by_alias;
  by_alias.set("frontend.degram.filters", "12");
  EXPECT_EQ(by_alias.frontend.section<frontends::DEGramOptions>("degram").sincgram()->filters(), 12);
  const auto keys = models::ClassifierConfig::keys();
  EXPECT_NE(std::find(keys.begin(), keys.end(), "frontend.degram.sincgram.filters"), keys.end());
  EXPECT_EQ(std::find(keys.begin(), keys.end(), "frontend.degram.filters"), keys.end()) << "aliases are not keys";

  train::RunConfig run;
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"train.batch_size", "64.5"}, {"train.batch_size", "64.0"}, {"train.batch_size", "true"},
           {"train.batch_size", "\"64\""}, {"model.frontend.dmel.n_mels", "64.5"},
           {"model.frontend.degram.sincgram.filters", "\"true\""}, {"model.n_points", "true"},
           {"train.seed", "-1"}, {"model.frontend.trainable", "\"yes\""}}) {
    try {
      run.set(key, value);
      ADD_FAILURE() << key << " = " << value << " was accepted";
    } catch (const config::KeyError& error) {
      EXPECT_EQ(error.key(), key) << error.what();
    }
  }
  // YAML: a quoted number is a string, a bare one a number.
  EXPECT_THROW(run.apply_yaml("train: {batch_size: \"64\"}"), std::invalid_argument);
  EXPECT_THROW(run.apply_yaml("train: {batch_size: 64}\ntrain: {batch_size: 32}"), std::invalid_argument)
      << "a duplicated key";
  run.apply_yaml("train: {batch_size: 64}");
  EXPECT_EQ(run.train.batch_size, 64);
}

}  // namespace
}  // namespace tfgram::testing
