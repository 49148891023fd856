#include <gtest/gtest.h>

#include "tfgram/frontends/degram.h"
#include "tfgram/frontends/dmel.h"
#include "tfgram/train/run_config.h"

namespace tfgram::testing {
namespace {
using train::RunConfig;

TEST(RunConfig, YamlLeavesSetDottedKeys) {
  RunConfig config;
  config.apply_yaml(R"(
model:
  n_points: 4000
  frontend: {kind: dmel, dmel: {hop_length: 40, mode: pow2}}
  backbone: {kind: mel_conv}
data:
  kind: fsdd
  root: ../shared/data/fsdd
  split: {kind: folds, test_folds: [1, 2]}
train: {optimizer: sgd, lr_tf: 0.5, batch_size: 16}
window_ms: 10
output: runs/x
)");
  EXPECT_EQ(config.model.n_points, 4000);
  EXPECT_EQ(config.model.frontend.section<frontends::DMelOptions>("dmel").hop_length(), 40);
  EXPECT_EQ(config.model.backbone.kind, "mel_conv");
  EXPECT_EQ(config.data.root, "../shared/data/fsdd");
  EXPECT_EQ(config.data.split.test_folds, (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(config.train.optimizer, "sgd");
  ASSERT_TRUE(config.train.lr_tf);
  EXPECT_DOUBLE_EQ(*config.train.lr_tf, 0.5);
  config.finalize();
  EXPECT_NEAR(config.model.frontend.section<frontends::DMelOptions>("dmel").lambd(), 0.010 * 8000 / 6.0, 1e-12);  // window_ms → λ
}

// `stage: {}` switches an optional stage on with its defaults, in a YAML file, a grid value and
// --set alike (an empty mapping has no leaves, but it is not nothing).
TEST(RunConfig, AnEmptyMappingSwitchesAStageOn) {
  RunConfig config;
  config.apply_yaml("model: {frontend: {kind: degram, degram: {pcen: {}}}}");
  const auto& degram = config.model.frontend.section<frontends::DEGramOptions>("degram");
  ASSERT_TRUE(degram.pcen().has_value());
  EXPECT_DOUBLE_EQ(degram.pcen()->alpha(), 0.96);
  const auto leaves = train::flatten_yaml("grid: {frontend: [{name: p, model.frontend.degram.pcen: {}}]}", "test");
  ASSERT_EQ(leaves.size(), 1u);
  RunConfig other;
  other.set("model.frontend.degram.pcen", "{}");
  EXPECT_TRUE(other.model.frontend.section<frontends::DEGramOptions>("degram").pcen().has_value());
  other.set("model.frontend.degram.pcen", "null");
  EXPECT_FALSE(other.model.frontend.section<frontends::DEGramOptions>("degram").pcen().has_value());
}

TEST(RunConfig, JsonRoundTrip) {
  RunConfig config;
  config.set("train.lr_model", "3e-4");
  config.set("window_ms", "35");
  config.set("data.split.train_speakers", "[\"a\", \"b\"]");
  config.set("model.frontend.kind", "logmel");
  const auto back = RunConfig::from_json(config.to_json());
  EXPECT_EQ(back.to_json(), config.to_json());
  EXPECT_DOUBLE_EQ(back.train.lr_model, 3e-4);
  EXPECT_EQ(back.data.split.train_speakers, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(back.model.frontend.kind, "logmel");
}

void expect_invalid(const std::function<void()>& action, const std::string& fragment) {
  try {
    action();
    ADD_FAILURE() << "no error; expected one mentioning '" << fragment << "'";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(RunConfig, ErrorsNameTheKey) {
  RunConfig config;
  expect_invalid([&] { config.set("train.learning_rate", "0.1"); }, "train.learning_rate");
  expect_invalid([&] { config.set("train.batch_size", "many"); }, "train.batch_size");
  expect_invalid([&] { config.set("train.batch_size", "1.5"); }, "an integer");
  expect_invalid([&] { config.set("data.split.test_folds", "3"); }, "a list");
  expect_invalid([&] { config.set("model.frontend.dmel.nope", "1"); }, "nope");
  expect_invalid([&] { RunConfig().apply_yaml("train: [unclosed", "run.yaml"); }, "run.yaml");
  expect_invalid([&] { train::split_assignment("novalue"); }, "key=value");
  const auto invalid_after = [&](const std::string& key, const std::string& value, const std::string& fragment) {
    RunConfig c;
    c.set(key, value);
    expect_invalid([&] { c.finalize(); }, fragment);
  };
  invalid_after("train.optimizer", "rmsprop", "train.optimizer");
  invalid_after("train.lr_model", "0", "train.lr_model");
  invalid_after("train.max_epochs", "0", "train.max_epochs");
  invalid_after("data.kind", "mnist", "data.kind");
  invalid_after("data.kind", "fsdd", "data.root");
  invalid_after("data.split.train", "0.9", "sum to 1");
  invalid_after("train.device", "tpu", "train.device");
  invalid_after("window_ms", "-5", "window_ms");
  invalid_after("model.frontend.kind", "\"melgram\"", "model.frontend.kind");
  invalid_after("model.backbone.kind", "\"resnet9000\"", "model.backbone.kind");
  // A failed set leaves the config unchanged.
  RunConfig unchanged;
  expect_invalid([&] { unchanged.set("train.patience", "\"x\""); }, "train.patience");
  EXPECT_EQ(unchanged.train.patience, RunConfig().train.patience);
}

}  // namespace
}  // namespace tfgram::testing
