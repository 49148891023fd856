// Front-end parameter groups and their learning rates (train.lr.<group>), and DEGram trained at
// the shipped defaults: its filterbank keeps meaningful values.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "support/temp_dir.h"
#include "tfgram/models/classifier.h"
#include "tfgram/train/history.h"
#include "tfgram/train/run_config.h"
#include "tfgram/train/trainer.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::testing {
namespace {
using train::RunConfig;

// DEGram over a 2048-sample pulse set at 8 kHz (n_fft 512 → 257 bins) with a small backbone; no
// learning rate is set, so every group trains at its kind's default.
RunConfig degram_config(const std::string& output) {
  RunConfig config;
  config.apply_yaml(R"(
model:
  n_points: 2048
  sample_rate: 8000
  frontend: {kind: degram, stft: {n_fft: 512, win_sec: 0.032, hop_sec: 0.016}, degram: {sincgram: {filters: 16}}}
  backbone: {kind: mel_linear}
data:
  kind: pulses
  pulses: {examples: 192, sigma: 6.38, noise_std: 0.5, seed: 3}
  split: {kind: random, seed: 1}
train: {optimizer: adam, batch_size: 16, max_epochs: 2, patience: 10, seed: 5}
)");
  config.output = output;
  return config;
}

models::ParameterGroup group_named(const models::ClassifierImpl& model, const std::string& name) {
  for (const auto& [group, parameters] : model.frontend_groups()) {
    if (group.name == name) return group;
  }
  throw std::runtime_error("no group " + name);
}

TEST(FrontendGroups, EveryKindPutsEachParameterInOneGroup) {
  for (const auto& kind : models::frontend_kinds()) {
    SCOPED_TRACE(kind);
    models::ClassifierConfig c;
    c.num_classes = 3;
    c.n_points = 4000;
    c.frontend.kind = kind;
    c.backbone.kind = "resnet18";
    if (kind == "dspec") {
      c.n_points = 256;
      c.assign("frontend.dmel.mode", "full");
      c.assign("frontend.dmel.hop_length", 8);
    }
    models::Classifier model(c);
    size_t grouped = 0;
    for (const auto& [group, parameters] : model->frontend_groups()) grouped += parameters.size();
    EXPECT_EQ(grouped, model->frontend_parameters().size());
  }
}

TEST(FrontendGroups, DEGramSplitsFilterbankAndAttention) {
  auto config = degram_config("unused");
  config.model.num_classes = 3;
  models::Classifier model(config.model);
  std::map<std::string, size_t> sizes;
  for (const auto& [group, parameters] : model->frontend_groups()) sizes[group.name] = parameters.size();
  EXPECT_EQ(sizes, (std::map<std::string, size_t>{{"attention", 4}, {"filterbank", 2}}));
}

TEST(FrontendGroups, RatesFollowKeyThenAliasThenKindDefault) {
  RunConfig config;
  config.set("train.lr_model", "0.001");
  models::ClassifierConfig c;
  c.num_classes = 2;
  c.frontend.kind = "degram";
  c.backbone.kind = "resnet18";
  models::Classifier degram(c);
  const auto filterbank = group_named(*degram, "filterbank");
  const auto attention = group_named(*degram, "attention");
  c.frontend.kind = "dmel";
  models::Classifier dmel(c);
  const auto lambd = group_named(*dmel, "lambd");

  EXPECT_DOUBLE_EQ(config.train.rate_of(filterbank), 0.001);  // the model's rate
  EXPECT_DOUBLE_EQ(config.train.rate_of(attention), 0.001);
  EXPECT_DOUBLE_EQ(config.train.rate_of(lambd), 1.0);  // DMEL's rate for λ
  config.set("train.lr_tf", "0.5");
  EXPECT_DOUBLE_EQ(config.train.rate_of(filterbank), 0.5);
  EXPECT_DOUBLE_EQ(config.train.rate_of(lambd), 0.5);
  config.set("train.lr.filterbank", "0.01");
  EXPECT_DOUBLE_EQ(config.train.rate_of(filterbank), 0.01);
  EXPECT_DOUBLE_EQ(config.train.rate_of(attention), 0.5);
  // The keys survive JSON (checkpoints) and YAML.
  const auto back = RunConfig::from_json(config.to_json());
  EXPECT_EQ(back.train.lr, config.train.lr);
  EXPECT_EQ(back.train.lr_tf, config.train.lr_tf);
  RunConfig yaml;
  yaml.apply_yaml("train: {lr: {lambd: 2.0, attention: 0.0}}");
  EXPECT_EQ(yaml.train.lr, (std::map<std::string, double>{{"attention", 0.0}, {"lambd", 2.0}}));
}

TEST(FrontendGroups, BadRateKeysNameTheKnownGroups) {
  RunConfig config;
  try {
    config.set("train.lr.filters", "0.1");
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("train.lr.filters"), std::string::npos) << message;
    EXPECT_NE(message.find("train.lr.filterbank"), std::string::npos) << message;
  }
  EXPECT_THROW(config.set("train.lr", "0.1"), std::invalid_argument);
  EXPECT_THROW(config.set("train.lr.lambd", "fast"), std::invalid_argument);
  config.set("train.lr.lambd", "-1");
  EXPECT_THROW(config.Validate(), std::invalid_argument);
}

// Adam moves every parameter by about its rate per step: at DMEL's 1.0 the filterbank's
// weight-space values (near [−1, 1]) jump out of the band within a few steps.
TEST(FrontendGroups, DEGramAtShippedDefaultsKeepsItsFiltersMeaningful) {
  TempDir dir;
  const auto result = train::run_training(degram_config(dir / "defaults"));
  const auto history = train::History::from_json(util::read_file(dir / "defaults/history.json"));
  ASSERT_FALSE(history.epochs.empty());
  for (const auto& e : history.epochs) {
    EXPECT_EQ(e.lr_frontend, (std::map<std::string, double>{{"attention", 1e-4}, {"filterbank", 1e-4}}));
    const auto centres = e.frontend.vector("center_hz");
    const auto widths = e.frontend.vector("bandwidth_hz");
    ASSERT_EQ(centres.size(), 16u);
    ASSERT_EQ(widths.size(), 16u);
    for (size_t f = 0; f < centres.size(); ++f) {
      EXPECT_GE(centres[f], 0.0) << "epoch " << e.epoch << " filter " << f;
      EXPECT_LE(centres[f], 4000.0) << "epoch " << e.epoch << " filter " << f;
      EXPECT_GT(widths[f], 0.0) << "epoch " << e.epoch << " filter " << f;
    }
  }
  EXPECT_TRUE(result.warnings.empty()) << result.warnings.front();
}

// The same at the old rate (1.0 for the whole front end): the projection holds the range, and each
// filter that was pushed out is named once, in the log and in result.json.
TEST(FrontendGroups, ProjectionHoldsTheRangeAtAHighRateAndWarnsOnce) {
  TempDir dir;
  auto config = degram_config(dir / "high");
  config.set("train.lr_tf", "1.0");
  std::ostringstream log;
  train::TrainerOptions options;
  options.log = &log;
  const auto result = train::run_training(config, options);
  ASSERT_FALSE(result.warnings.empty()) << "a rate of 1.0 should push some filter out of range";
  const auto centres = result.learned.vector("center_hz");
  const auto widths = result.learned.vector("bandwidth_hz");
  ASSERT_EQ(centres.size(), 16u);
  for (size_t f = 0; f < centres.size(); ++f) {
    EXPECT_GE(centres[f], 0.0);
    EXPECT_LE(centres[f], 4000.0);
    EXPECT_GE(widths[f], (4000.0 / 256.0) * (1 - 1e-9));
  }
  std::set<std::string> seen;
  for (const auto& w : result.warnings) {
    EXPECT_EQ(w.rfind("degram.sincgram filter ", 0), 0u) << w;
    const auto key = w.substr(0, w.rfind(": "));
    EXPECT_TRUE(seen.insert(key).second) << "reported twice: " << key;
    EXPECT_NE(log.str().find(w), std::string::npos) << "not in the log: " << w;
  }

  // Unconstrained (published behaviour): the values are reported as they are, and warned about.
  auto none = degram_config(dir / "none");
  none.set("train.lr_tf", "1.0");
  none.set("model.frontend.degram.sincgram.constraint", "none");
  const auto free = train::run_training(none);
  EXPECT_FALSE(free.warnings.empty());
  ASSERT_EQ(free.learned.vector("bandwidth_hz").size(), 16u);
  for (const double width : free.learned.vector("bandwidth_hz")) EXPECT_GE(width, 0.0);  // |β + eps|, never negative
}

}  // namespace
}  // namespace tfgram::testing
