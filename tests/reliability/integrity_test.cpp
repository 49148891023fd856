// Files that cannot be half-trusted: checkpoints, result.json and results.csv carry a format
// version and checksums; truncated, modified and other-version files are refused with a message
// naming the file, before anything is loaded from them.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <limits>

#include "support/temp_dir.h"
#include "tfgram/experiment/results_file.h"
#include "tfgram/train/checkpoint.h"
#include "tfgram/train/result_file.h"
#include "tfgram/train/trainer.h"
#include "tfgram/util/atomic_file.h"
#include "tfgram/util/integrity.h"

namespace tfgram::testing {
namespace {
namespace fs = std::filesystem;

train::RunConfig tiny_config(const std::string& output) {
  train::RunConfig config;
  config.apply_yaml(R"(
model:
  n_points: 128
  sample_rate: 8000
  frontend: {kind: dspec, dmel: {mode: full, hop_length: 1, lambd: 1.276}}
  backbone: {kind: linear}
data:
  kind: pulses
  pulses: {examples: 200, sigma: 6.38, noise_std: 0.5, seed: 3}
  split: {kind: random, seed: 1}
train: {optimizer: sgd, lr_model: 0.001, batch_size: 64, max_epochs: 2, patience: 10, seed: 5}
)");
  config.output = output;
  return config;
}

// The message of the std::invalid_argument `f` throws ("" and a failure when it throws none).
template <typename F>
std::string refusal(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected std::invalid_argument";
  return "";
}

std::vector<torch::Tensor> snapshot(const torch::nn::Module& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model.parameters()) out.push_back(p.detach().clone());
  return out;
}

void expect_unchanged(const torch::nn::Module& model, const std::vector<torch::Tensor>& before) {
  const auto now = model.parameters();
  ASSERT_EQ(now.size(), before.size());
  for (size_t i = 0; i < now.size(); ++i) EXPECT_TRUE(torch::equal(now[i], before[i])) << "parameter " << i;
}

TEST(Integrity, Crc32MatchesTheStandardCheckValue) {
  EXPECT_EQ(util::crc32(std::string_view("123456789")), 0xCBF43926u);
  EXPECT_EQ(util::crc32(std::string_view("")), 0u);
  // Running over pieces equals one pass.
  EXPECT_EQ(util::crc32(std::string_view("6789"), util::crc32(std::string_view("12345"))), 0xCBF43926u);
}

TEST(Integrity, SealedTextRefusesTruncatedEditedAndOtherVersions) {
  const std::string body = "a,b\n1,2\n";
  const auto sealed = util::seal_text(body, "results", 2);
  EXPECT_EQ(util::unseal_text(sealed, "results", 2, "r.csv"), body);
  // Every truncation is refused.
  for (size_t n = 0; n < sealed.size(); ++n) {
    EXPECT_NE(refusal([&] { util::unseal_text(sealed.substr(0, n), "results", 2, "r.csv"); }).find("r.csv"),
              std::string::npos)
        << n;
  }
  auto edited = sealed;
  edited[4] = '9';
  EXPECT_NE(refusal([&] { util::unseal_text(edited, "results", 2, "r.csv"); }).find("checksum mismatch"),
            std::string::npos);
  EXPECT_NE(refusal([&] { util::unseal_text(util::seal_text(body, "results", 3), "results", 2, "r.csv"); })
                .find("newer tfgram"),
            std::string::npos);
  EXPECT_NE(refusal([&] { util::unseal_text(util::seal_text(body, "results", 1), "results", 2, "r.csv"); })
                .find("format 1 is not supported"),
            std::string::npos);
  EXPECT_NE(refusal([&] { util::unseal_text(body, "results", 2, "r.csv"); }).find("no '# tfgram-results'"),
            std::string::npos);
}

class CheckpointIntegrity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    train::run_training(tiny_config(*dir_ / "run"));
    bytes_ = new std::string(util::read_file(*dir_ / "run/last.ckpt"));
  }
  static void TearDownTestSuite() {
    delete bytes_;
    delete dir_;
  }
  // Writes `bytes` as a checkpoint and returns the refusal message of loading it into a model
  // (which must keep its weights) and of reading its metadata.
  std::string refused(const std::string& bytes, const std::string& name) {
    const auto path = *dir_ / name;
    util::write_file_atomic(path, bytes);
    auto config = tiny_config("unused");
    config.model.num_classes = 3;
    config.finalize();
    models::Classifier model(config.model);
    const auto before = snapshot(*model);
    const auto message = refusal([&] { train::load_checkpoint_state(path, *model); });
    expect_unchanged(*model, before);
    EXPECT_EQ(refusal([&] { train::read_checkpoint_meta(path); }), message);
    EXPECT_NE(message.find(path), std::string::npos) << message;
    return message;
  }
  static TempDir* dir_;
  static std::string* bytes_;
};
TempDir* CheckpointIntegrity::dir_ = nullptr;
std::string* CheckpointIntegrity::bytes_ = nullptr;

TEST_F(CheckpointIntegrity, IntactCheckpointLoads) {
  const auto loaded = train::load_model(*dir_ / "run/last.ckpt");
  EXPECT_EQ(loaded.meta.epoch, 2);
  EXPECT_EQ(bytes_->compare(0, 8, "TFGRAMCK"), 0);
}

TEST_F(CheckpointIntegrity, EveryTruncationIsRefused) {
  const auto& bytes = *bytes_;
  for (const size_t n : {size_t{0}, size_t{4}, size_t{8}, size_t{31}, size_t{32}, size_t{33}, bytes.size() / 2,
                         bytes.size() - 1}) {
    const auto message = refused(bytes.substr(0, n), "cut.ckpt");
    if (n == 0) {
      EXPECT_NE(message.find("empty"), std::string::npos) << message;
    } else if (n >= 8) {
      EXPECT_NE(message.find("truncated"), std::string::npos) << n << ": " << message;
    }
  }
}

TEST_F(CheckpointIntegrity, ChangedBytesAreRefused) {
  const auto& bytes = *bytes_;
  // A flipped bit anywhere: in the payload (several places) and in every header field.
  for (const size_t at : {size_t{9}, size_t{13}, size_t{17}, size_t{25}, size_t{40}, bytes.size() / 3,
                          bytes.size() / 2, bytes.size() - 2}) {
    auto changed = bytes;
    changed[at] = static_cast<char>(changed[at] ^ 0x10);
    const auto message = refused(changed, "changed.ckpt");
    EXPECT_TRUE(message.find("checksum mismatch") != std::string::npos || message.find("damaged") != std::string::npos ||
                message.find("newer") != std::string::npos || message.find("not supported") != std::string::npos)
        << at << ": " << message;
  }
  // Appended bytes too.
  EXPECT_NE(refused(bytes + "x", "longer.ckpt").find("past its end"), std::string::npos);
}

TEST_F(CheckpointIntegrity, OtherFormatVersionsSaySo) {
  const std::string payload = bytes_->substr(32);
  // A newer format: the version field raised and the header checksum made to match.
  auto header = train::seal_checkpoint(payload);
  header[8] = static_cast<char>(train::kCheckpointFormatVersion + 1);
  const uint32_t crc = util::crc32(header.data(), 24);
  for (int i = 0; i < 4; ++i) header[24 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  const auto newer = refused(header + payload, "newer.ckpt");
  EXPECT_NE(newer.find("written by a newer tfgram (checkpoint format 3"), std::string::npos) << newer;
  // Format 1 was the bare LibTorch archive.
  const auto older = refused(payload, "v1.ckpt");
  EXPECT_NE(older.find("format 1"), std::string::npos) << older;
  EXPECT_NE(refused("garbage, not a checkpoint", "garbage.ckpt").find("not a tfgram checkpoint"), std::string::npos);
}

TEST_F(CheckpointIntegrity, NonFiniteWeightsAreNeverWritten) {
  auto config = tiny_config("unused");
  config.model.num_classes = 3;
  config.finalize();
  models::Classifier model(config.model);
  train::CheckpointMeta meta;
  meta.config = config;
  const auto path = *dir_ / "nan.ckpt";
  train::save_checkpoint(path, meta, *model);  // a good one first
  const auto good = util::read_file(path);
  {
    torch::NoGradGuard no_grad;
    model->parameters().back().view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
  }
  EXPECT_THROW(train::save_checkpoint(path, meta, *model), train::NonFiniteError);
  EXPECT_EQ(util::read_file(path), good) << "the previous checkpoint stays as it was";
  for (const auto& entry : fs::directory_iterator(dir_->path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos) << entry.path();
  }
}

// Above one 8 MiB stage the archive streams into the file (direct I/O where the file system allows)
// and the header is patched in at the end: the file must be what sealing the payload gives.
TEST_F(CheckpointIntegrity, LargeCheckpointsStreamToTheSameBytes) {
  auto config = tiny_config("unused");
  config.model.num_classes = 3;
  config.finalize();
  torch::manual_seed(3);
  torch::nn::Linear big(1500, 1500);  // 9 MB of weights, 27 MB with Adam's two moments
  torch::optim::Adam adam(big->parameters(), torch::optim::AdamOptions(1e-3));
  big(torch::randn({4, 1500})).sum().backward();
  adam.step();
  train::CheckpointMeta meta;
  meta.config = config;
  const auto path = *dir_ / "big.ckpt";
  train::save_checkpoint(path, meta, *big, &adam);
  const auto bytes = util::read_file(path);
  ASSERT_GT(bytes.size(), size_t{24} << 20);
  const auto payload = train::unseal_checkpoint(bytes, path);
  EXPECT_TRUE(train::seal_checkpoint(payload) + payload == bytes);
  torch::nn::Linear loaded(1500, 1500);
  torch::optim::Adam loaded_adam(loaded->parameters(), torch::optim::AdamOptions(1e-3));
  train::load_checkpoint_state(path, *loaded, &loaded_adam);
  EXPECT_TRUE(torch::equal(loaded->weight, big->weight));
  EXPECT_TRUE(torch::equal(loaded->bias, big->bias));
  // The optimiser's moments came back too: one more identical step gives identical weights.
  adam.zero_grad();
  loaded_adam.zero_grad();
  for (auto* m : {&big, &loaded}) (*m)(torch::ones({2, 1500})).sum().backward();
  adam.step();
  loaded_adam.step();
  EXPECT_TRUE(torch::equal(loaded->weight, big->weight));
}

TEST(Integrity, ResultFileRefusesEditedTruncatedAndNewer) {
  TempDir dir;
  train::RunResult result;
  result.epochs = 3;
  result.test_accuracy = 0.875;
  result.learned.values.push_back({"lambd", "samples", {4.5}});
  const auto path = dir / "result.json";
  train::write_result_file(path, result);
  const auto read = train::read_result_file(path);
  EXPECT_EQ(read.epochs, 3);
  EXPECT_EQ(read.test_accuracy, 0.875);
  const auto text = util::read_file(path);
  auto edited = text;
  edited.replace(edited.find("0.875"), 5, "0.975");
  util::write_file_atomic(path, edited);
  EXPECT_NE(refusal([&] { train::read_result_file(path); }).find("checksum mismatch"), std::string::npos);
  util::write_file_atomic(path, text.substr(0, text.size() / 2));
  EXPECT_NE(refusal([&] { train::read_result_file(path); }).find(path), std::string::npos);
  auto newer = text;
  newer.replace(newer.find("\"format_version\": 2"), 19, "\"format_version\": 7");
  util::write_file_atomic(path, newer);
  EXPECT_NE(refusal([&] { train::read_result_file(path); }).find("newer tfgram (result format 7"), std::string::npos);
  util::write_file_atomic(path, result.to_json());  // the unsealed JSON `tfgram train` prints
  EXPECT_NE(refusal([&] { train::read_result_file(path); }).find("not a tfgram result file"), std::string::npos);
}

TEST(Integrity, ResultsCsvRoundTripsAndRefusesEdits) {
  const std::string body = "cell,run,seed,test_accuracy,status,error\nx,0,5,0.9,ok,\n";
  const auto sealed = experiment::seal_results(body);
  const auto csv = experiment::parse_results(sealed, "results.csv");
  ASSERT_EQ(csv.rows.size(), 1u);
  EXPECT_EQ(csv.rows[0][3], "0.9");
  auto edited = sealed;
  edited.replace(edited.find("0.9"), 3, "1.0");
  EXPECT_NE(refusal([&] { experiment::parse_results(edited, "results.csv"); }).find("checksum mismatch"),
            std::string::npos);
}

}  // namespace
}  // namespace tfgram::testing
