// Real training runs on small data: λ learning, reproducibility, resume after a real kill.
#include <gtest/gtest.h>
#include <signal.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "support/process.h"
#include "tfgram/train/checkpoint.h"
#include "tfgram/train/trainer.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::testing {
namespace {
namespace fs = std::filesystem;
using train::RunConfig;

// The synthetic task of SPEC §2.6 row 1, shrunk: 600 pulses of 128 samples, full-mode linear model.
RunConfig pulse_config(const std::string& output) {
  RunConfig config;
  config.apply_yaml(R"(
model:
  n_points: 128
  sample_rate: 8000
  frontend: {kind: dspec, dmel: {mode: full, hop_length: 1, lambd: 1.276}}
  backbone: {kind: linear}
data:
  kind: pulses
  pulses: {examples: 600, sigma: 6.38, noise_std: 0.5, seed: 3}
  split: {kind: random, seed: 1}
train: {optimizer: sgd, lr_model: 0.001, lr: {lambd: 1.0}, batch_size: 128, max_epochs: 3, patience: 10, seed: 5}
)");
  config.output = output;
  return config;
}

std::vector<double> column(const train::History& history, double train::EpochRecord::*field) {
  std::vector<double> values;
  for (const auto& e : history.epochs) values.push_back(e.*field);
  return values;
}

train::History history_of(const std::string& folder) {
  return train::History::from_json(util::read_file(folder + "/history.json"));
}

TEST(Trainer, TrainableLambdaMovesAndFixedLambdaDoesNot) {
  TempDir dir;
  const auto trained = train::run_training(pulse_config(dir / "trainable"));
  const auto initial = trained.initial.scalar("lambd");
  const auto learned = trained.learned.scalar("lambd");
  ASSERT_TRUE(initial && learned);
  EXPECT_NEAR(*initial, 1.276, 1e-5);
  EXPECT_GT(std::abs(*learned - *initial), 1e-3) << "λ should move when trainable";

  auto config = pulse_config(dir / "fixed");
  config.set("model.frontend.trainable", "false");
  const auto fixed = train::run_training(config);
  ASSERT_TRUE(fixed.initial.scalar("lambd"));
  EXPECT_EQ(fixed.learned.scalar("lambd"), fixed.initial.scalar("lambd")) << "a frozen λ must not change";
  for (const auto& e : history_of(dir / "fixed").epochs) EXPECT_EQ(e.frontend.scalar("lambd"), fixed.initial.scalar("lambd"));
  EXPECT_EQ(fixed.epochs, 3);
  EXPECT_GT(fixed.test_examples, 0);
}

TEST(Trainer, SameSeedSameHistory) {
  TempDir dir;
  train::run_training(pulse_config(dir / "a"));
  train::run_training(pulse_config(dir / "b"));
  const auto a = history_of(dir / "a");
  const auto b = history_of(dir / "b");
  EXPECT_EQ(column(a, &train::EpochRecord::train_loss), column(b, &train::EpochRecord::train_loss));
  EXPECT_EQ(column(a, &train::EpochRecord::valid_loss), column(b, &train::EpochRecord::valid_loss));
  auto other = pulse_config(dir / "c");
  other.set("train.seed", "6");
  train::run_training(other);
  EXPECT_NE(column(a, &train::EpochRecord::train_loss), column(history_of(dir / "c"), &train::EpochRecord::train_loss));
}

TEST(Trainer, FinishedRunIsNotRepeatedAndChangedConfigIsRefused) {
  TempDir dir;
  const auto first = train::run_training(pulse_config(dir / "run"));
  const auto mtime = fs::last_write_time(dir / "run/last.ckpt");
  const auto again = train::run_training(pulse_config(dir / "run"));
  EXPECT_EQ(again.to_json(), first.to_json());
  EXPECT_EQ(fs::last_write_time(dir / "run/last.ckpt"), mtime) << "a finished run is read back, not retrained";

  fs::remove(dir / "run/result.json");  // looks like an interrupted run now
  auto changed = pulse_config(dir / "run");
  changed.set("train.lr_model", "0.01");
  try {
    train::run_training(changed);
    ADD_FAILURE() << "resuming with a different config must fail";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("different configuration"), std::string::npos) << e.what();
  }
}

TEST(Trainer, CheckpointHoldsEverythingPredictNeeds) {
  TempDir dir;
  train::run_training(pulse_config(dir / "run"));
  auto loaded = train::load_model(dir / "run/best.ckpt");
  EXPECT_EQ(loaded.meta.labels.size(), 3);
  EXPECT_EQ(loaded.meta.config.model.n_points, 128);
  EXPECT_FALSE(loaded.model->is_training());
  const auto logits = loaded.model->forward(torch::randn({2, 128}));
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, 3}));

  std::ofstream(dir / "garbage.ckpt") << "not a checkpoint";
  try {
    train::load_model(dir / "garbage.ckpt");
    ADD_FAILURE() << "a corrupt checkpoint must be rejected";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("garbage.ckpt"), std::string::npos) << e.what();
  }
}

// Kills a real `tfgram train` child process mid-run, resumes it, and compares with a run that
// was never interrupted: the same losses every epoch and the same final λ and accuracy.
TEST(Trainer, ResumeAfterKillEqualsUninterruptedRun) {
  TempDir dir;
  auto config = pulse_config("unused");
  config.set("train.max_epochs", "8");
  config.set("data.pulses.examples", "1500");
  util::write_file_atomic(dir / "run.yaml", "");
  // Store the config as YAML-compatible JSON (JSON is YAML).
  util::write_file_atomic(dir / "run.yaml", config.to_json());
  const std::vector<std::string> env{"TFGRAM_NUM_THREADS=1"};
  const auto command = [&](const std::string& output) {
    return std::vector<std::string>{cli_path(), "train", "-q", "-c", dir / "run.yaml", "-o", output};
  };

  const auto whole = run_process(command(dir / "whole"), env);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  const pid_t child = spawn_process(command(dir / "killed"), env);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  // Killed as soon as two epochs are saved, with the rest still to go: an event, not a delay, so a
  // fast machine cannot finish first.
  const auto saved_epochs = [&] {
    return fs::exists(dir / "killed/history.json") ? history_of(dir / "killed").epochs.size() : size_t{0};
  };
  while (saved_epochs() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(child, SIGKILL);
  EXPECT_EQ(wait_process(child), 128 + SIGKILL);
  ASSERT_TRUE(fs::exists(dir / "killed/last.ckpt"));
  ASSERT_FALSE(fs::exists(dir / "killed/result.json")) << "the kill came too late to test resuming";
  const auto done_before = history_of(dir / "killed").epochs.size();

  const auto resumed = run_process(command(dir / "killed"), env);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto a = history_of(dir / "whole");
  const auto b = history_of(dir / "killed");
  ASSERT_EQ(a.epochs.size(), b.epochs.size()) << "killed after " << done_before << " epochs";
  EXPECT_EQ(column(a, &train::EpochRecord::train_loss), column(b, &train::EpochRecord::train_loss));
  EXPECT_EQ(column(a, &train::EpochRecord::valid_loss), column(b, &train::EpochRecord::valid_loss));
  const auto ra = nlohmann::json::parse(util::read_file(dir / "whole/result.json"));
  const auto rb = nlohmann::json::parse(util::read_file(dir / "killed/result.json"));
  for (const char* key : {"test_accuracy", "test_loss", "learned_lambd", "best_epoch"}) {
    EXPECT_EQ(ra[key], rb[key]) << key << " (killed after " << done_before << " epochs)";
  }
}

}  // namespace
}  // namespace tfgram::testing
