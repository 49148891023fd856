// Numerical guards in real training steps: a data set with one poisoned example (NaN samples, as
// a broken augmentation or decoder would give) makes the loss of its batch NaN. The run stops
// naming the step, epoch and λ, or with train.on_nonfinite: skip skips exactly those steps.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <limits>

#include "support/temp_dir.h"
#include "tfgram/train/checkpoint.h"
#include "tfgram/train/data_setup.h"
#include "tfgram/train/trainer.h"

namespace tfgram::testing {
namespace {

// Every example of `inner`, but `poisoned` is all NaN.
class PoisonedDataset : public data::Dataset {
 public:
  PoisonedDataset(std::shared_ptr<const data::Dataset> inner, int64_t poisoned)
      : inner_(std::move(inner)), poisoned_(poisoned) {}
  std::string name() const override { return "poisoned " + inner_->name(); }
  int64_t size() const override { return inner_->size(); }
  torch::Tensor waveform(int64_t index) const override {
    auto w = inner_->waveform(index);
    return index == poisoned_ ? torch::full_like(w, std::numeric_limits<float>::quiet_NaN()) : w;
  }
  int64_t label(int64_t index) const override { return inner_->label(index); }
  const data::ClipInfo& info(int64_t index) const override { return inner_->info(index); }
  const data::LabelMap& label_map() const override { return inner_->label_map(); }
  int64_t sample_rate() const override { return inner_->sample_rate(); }

 private:
  std::shared_ptr<const data::Dataset> inner_;
  int64_t poisoned_;
};

train::RunConfig config(const std::string& output, const std::string& on_nonfinite) {
  train::RunConfig c;
  c.apply_yaml(R"(
model:
  n_points: 128
  sample_rate: 8000
  frontend: {kind: dspec, dmel: {mode: full, hop_length: 1, lambd: 1.276}}
  backbone: {kind: linear}
data: {kind: pulses, pulses: {examples: 200, seed: 3}, split: {kind: random, seed: 1}}
train: {optimizer: sgd, lr_model: 0.001, batch_size: 32, max_epochs: 3, patience: 10, seed: 5}
)");
  c.set("train.on_nonfinite", on_nonfinite);
  c.output = output;
  c.finalize();
  return c;
}

TEST(NonFinite, PoisonedStepStopsTheRunNamingStepEpochAndLambda) {
  TempDir dir;
  const auto c = config(dir / "run", "stop");
  const auto clean = train::make_dataset(c);
  const auto split = train::make_run_split(*clean, c);
  auto poisoned = std::make_shared<PoisonedDataset>(clean, split.train.front());
  try {
    train::run_training(c, poisoned, split);
    ADD_FAILURE() << "a NaN loss must stop the run";
  } catch (const train::NonFiniteError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("training stopped at epoch 1, step "), std::string::npos) << what;
    EXPECT_NE(what.find("the loss is nan"), std::string::npos) << what;
    EXPECT_NE(what.find("lambd "), std::string::npos) << what;  // where the first step left it
    EXPECT_NE(what.find("no epoch had finished, nothing was saved"), std::string::npos) << what;
    EXPECT_NE(what.find("on_nonfinite=skip"), std::string::npos) << what;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "run/last.ckpt")) << "nothing of the broken epoch is saved";
  EXPECT_FALSE(std::filesystem::exists(dir / "run/result.json"));
}

TEST(NonFinite, SkipModeSkipsOnlyThePoisonedStepsAndFinishes) {
  TempDir dir;
  const auto c = config(dir / "run", "skip");
  const auto clean = train::make_dataset(c);
  const auto split = train::make_run_split(*clean, c);
  auto poisoned = std::make_shared<PoisonedDataset>(clean, split.train.front());
  const auto result = train::run_training(c, poisoned, split);
  EXPECT_EQ(result.epochs, 3);
  // The poisoned example is in one batch per epoch (the loader shuffles): three skipped steps.
  int skipped = 0;
  for (const auto& w : result.warnings) skipped += w.rfind("skipped epoch ", 0) == 0;
  EXPECT_EQ(skipped, 3) << ::testing::PrintToString(result.warnings);
  EXPECT_TRUE(std::isfinite(result.test_loss));
  const auto model = train::load_model(dir / "run/last.ckpt");
  for (const auto& p : model.model->parameters()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
}

}  // namespace
}  // namespace tfgram::testing
