// The batch loader: coverage, determinism, prefetch, errors, augmentation.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <set>
#include <thread>

#include "data/data_test_util.h"
#include "tfgram/data/folder_dataset.h"
#include "tfgram/data/loader.h"

namespace tfgram::data::testing {
namespace {

class DataLoader : public DataTest {
 protected:
  // 103 examples of 16 samples: row i is i + t/100, label i % 3.
  static std::shared_ptr<MemoryDataset> numbered(std::vector<int64_t> failing = {}) {
    const auto rows = torch::arange(103, torch::kFloat32).unsqueeze(1) + torch::arange(16, torch::kFloat32) / 100;
    std::vector<int64_t> labels;
    for (int64_t i = 0; i < 103; ++i) labels.push_back(i % 3);
    return std::make_shared<MemoryDataset>(rows, labels, std::vector<ClipInfo>{}, std::move(failing));
  }

  static std::vector<Batch> run_epoch(Loader& loader, int64_t epoch) {
    std::vector<Batch> out;
    for (Batch& batch : loader.epoch(epoch)) out.push_back(std::move(batch));
    return out;
  }

  static void expect_equal(const std::vector<Batch>& a, const std::vector<Batch>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].indices, b[k].indices) << k;
      EXPECT_TRUE(torch::equal(a[k].waveforms, b[k].waveforms)) << k;
      EXPECT_TRUE(torch::equal(a[k].labels, b[k].labels)) << k;
    }
  }
};

TEST_F(DataLoader, EveryExampleOncePerEpochInOrderedBatches) {
  const auto data = numbered();
  Loader loader(data, LoaderOptions().batch_size(10).workers(2).seed(3));
  EXPECT_EQ(loader.size(), 103);
  EXPECT_EQ(loader.batches_per_epoch(), 11);
  for (const int64_t epoch : {0, 1}) {
    const auto batches = run_epoch(loader, epoch);
    ASSERT_EQ(batches.size(), 11u);
    std::multiset<int64_t> seen;
    std::vector<int64_t> served;
    for (size_t k = 0; k < batches.size(); ++k) {
      const Batch& batch = batches[k];
      EXPECT_EQ(batch.number, static_cast<int64_t>(k));
      EXPECT_EQ(batch.epoch, epoch);
      const int64_t rows = k + 1 < batches.size() ? 10 : 3;
      EXPECT_EQ(batch.waveforms.sizes(), (std::vector<int64_t>{rows, 16}));
      EXPECT_EQ(batch.waveforms.scalar_type(), torch::kFloat32);
      EXPECT_EQ(batch.labels.scalar_type(), torch::kInt64);
      for (int64_t r = 0; r < rows; ++r) {
        const int64_t index = batch.indices[static_cast<size_t>(r)];
        seen.insert(index);
        served.push_back(index);
        EXPECT_TRUE(torch::equal(batch.waveforms[r], data->waveform(index)));
        EXPECT_EQ(batch.labels[r].item<int64_t>(), data->label(index));
      }
    }
    EXPECT_EQ(seen.size(), 103u);
    EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()).size(), 103u);
    EXPECT_EQ(served, loader.epoch_order(epoch));
  }
  EXPECT_NE(loader.epoch_order(0), loader.epoch_order(1));  // reshuffled every epoch
}

TEST_F(DataLoader, SameSeedSameBatchesWhateverTheWorkers) {
  const auto data = numbered();
  const auto options = LoaderOptions().batch_size(8).seed(11).augment(
      AugmentOptions().gain_db(6).max_shift(3).noise_std(0.01));
  Loader serial(data, LoaderOptions(options).workers(0));
  Loader one(data, LoaderOptions(options).workers(1));
  Loader three(data, LoaderOptions(options).workers(3).prefetch(2));
  for (const int64_t epoch : {0, 4}) {
    const auto reference = run_epoch(serial, epoch);
    expect_equal(run_epoch(one, epoch), reference);
    expect_equal(run_epoch(three, epoch), reference);
  }
  Loader other(data, LoaderOptions(options).seed(12));
  EXPECT_NE(run_epoch(other, 0)[0].indices, run_epoch(serial, 0)[0].indices);
}

TEST_F(DataLoader, SubsetsUnshuffledAndDropLast) {
  const auto data = numbered();
  Loader loader(data, {5, 6, 7, 8, 9, 10, 11}, LoaderOptions().batch_size(3).shuffle(false).drop_last(true));
  EXPECT_EQ(loader.batches_per_epoch(), 2);
  const auto batches = run_epoch(loader, 0);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].indices, (std::vector<int64_t>{5, 6, 7}));
  EXPECT_EQ(batches[1].indices, (std::vector<int64_t>{8, 9, 10}));
  // next() without start_epoch serves epoch 0, then nothing.
  Loader fresh(data, {1, 2}, LoaderOptions().batch_size(5).shuffle(false));
  auto first = fresh.next();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->indices, (std::vector<int64_t>{1, 2}));
  EXPECT_FALSE(fresh.next().has_value());
  EXPECT_FALSE(fresh.next().has_value());
  EXPECT_THROW(Loader(data, {103}), std::invalid_argument);
  EXPECT_THROW(Loader(data, LoaderOptions().batch_size(0)), std::invalid_argument);
  EXPECT_THROW(Loader(nullptr), std::invalid_argument);
}

TEST_F(DataLoader, WorkerErrorsReachTheConsumerAtTheirBatch) {
  const auto data = numbered({42});
  for (const int64_t workers : {0, 2}) {
    Loader loader(data, LoaderOptions().batch_size(10).shuffle(false).workers(workers));
    loader.start_epoch(0);
    int64_t good = 0;
    int64_t failures = 0;
    for (int64_t k = 0; k < loader.batches_per_epoch(); ++k) {
      try {
        loader.next();
        ++good;
      } catch (const std::runtime_error& error) {
        EXPECT_EQ(k, 4);  // the batch holding example 42
        EXPECT_NE(std::string(error.what()).find("42"), std::string::npos);
        ++failures;
      }
    }
    EXPECT_EQ(good, 10);
    EXPECT_EQ(failures, 1);
    EXPECT_FALSE(loader.next().has_value());
  }
}

TEST_F(DataLoader, PrefetchIsBoundedAndShutdownIsClean) {
  const auto data = numbered();
  {
    // Waits for the count to be reached (a loaded machine may schedule the workers late), then
    // checks that it stays there.
    const auto settles_at = [&](int expected) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      while (data->reads() < expected && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      return data->reads();
    };
    Loader loader(data, LoaderOptions().batch_size(1).workers(3).prefetch(2));
    loader.start_epoch(0);
    EXPECT_EQ(settles_at(2), 2);  // two batches built ahead, then the workers wait
    loader.next();
    EXPECT_EQ(settles_at(3), 3);
    // Destroyed mid-epoch with workers waiting: must not hang.
  }
  {
    Loader loader(data, LoaderOptions().batch_size(4).workers(2));
    loader.start_epoch(0);
    loader.next();
    loader.start_epoch(1);  // abandons epoch 0's prefetched batches
    const auto batch = loader.next();
    ASSERT_TRUE(batch.has_value());
    EXPECT_EQ(batch->epoch, 1);
    EXPECT_EQ(batch->number, 0);
  }
}

TEST_F(DataLoader, UnequalLengthsNeedPaddingOrAPolicy) {
  write_tone(temp.file("set/a/x.wav"), 100, 440.0, 8000);
  write_tone(temp.file("set/b/y.wav"), 150, 440.0, 8000);
  const auto data = std::make_shared<FolderDataset>((temp.path() / "set").string());
  Loader strict(data, LoaderOptions().batch_size(2).shuffle(false).workers(0));
  EXPECT_THROW(strict.next(), std::invalid_argument);
  Loader padded(data, LoaderOptions().batch_size(2).shuffle(false).pad_to_longest(true));
  const auto batch = padded.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->waveforms.sizes(), (std::vector<int64_t>{2, 150}));
  EXPECT_EQ(batch->waveforms[0].slice(0, 100).abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(torch::equal(batch->waveforms[1], data->waveform(1)));
}

TEST_F(DataLoader, LazyFilesAreReadOnTheWorkers) {
  for (int i = 0; i < 12; ++i) write_tone(temp.file("set/c" + std::to_string(i % 3) + "/" + std::to_string(i) + ".flac"), 400, 300.0 + i, 8000);
  const auto lazy = std::make_shared<FolderDataset>((temp.path() / "set").string(), AudioOptions().preload(false));
  const auto eager = std::make_shared<FolderDataset>((temp.path() / "set").string());
  Loader a(lazy, LoaderOptions().batch_size(5).workers(2).seed(1));
  Loader b(eager, LoaderOptions().batch_size(5).workers(0).seed(1));
  expect_equal(run_epoch(a, 2), run_epoch(b, 2));
}

TEST_F(DataLoader, AugmentationIsOffByDefaultAndDoesWhatItSays) {
  EXPECT_FALSE(AugmentOptions().enabled());
  const auto x = torch::linspace(-1, 1, 64, torch::kFloat32);

  Rng rng(1);
  auto gained = x.clone();
  augment(gained, AugmentOptions().gain_db(6), rng);
  const double ratio = (gained / x).mean().item<double>();
  EXPECT_TRUE(torch::allclose(gained, x * ratio, 1e-5, 1e-6));
  EXPECT_GE(ratio, std::pow(10.0, -6.0 / 20) - 1e-6);
  EXPECT_LE(ratio, std::pow(10.0, 6.0 / 20) + 1e-6);

  bool saw_shift = false;
  for (int trial = 0; trial < 20; ++trial) {
    auto shifted = x.clone();
    augment(shifted, AugmentOptions().max_shift(5), rng);
    int64_t shift = 0;
    for (int64_t s = -5; s <= 5; ++s) {
      const auto expected = s >= 0 ? torch::cat({torch::zeros({s}), x.slice(0, 0, 64 - s)})
                                   : torch::cat({x.slice(0, -s), torch::zeros({-s})});
      if (torch::equal(shifted, expected)) shift = s + 100;
    }
    ASSERT_NE(shift, 0) << "not a zero-filled shift within ±5";
    saw_shift = saw_shift || shift != 100;
  }
  EXPECT_TRUE(saw_shift);

  auto noisy = torch::zeros({20000});
  augment(noisy, AugmentOptions().noise_std(0.1), rng);
  EXPECT_NEAR(noisy.std().item<double>(), 0.1, 0.005);
  EXPECT_NEAR(noisy.mean().item<double>(), 0.0, 0.005);

  int calls = 0;
  auto hooked = x.clone();
  augment(hooked, AugmentOptions().hooks({[&](torch::Tensor w, Rng&) {
            ++calls;
            w.neg_();
          }}),
          rng);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(torch::equal(hooked, -x));
  EXPECT_THROW(augment(x.to(torch::kFloat64), AugmentOptions(), rng), std::invalid_argument);
  EXPECT_THROW(AugmentOptions().gain_db(-1).validate(), std::invalid_argument);

  // In a loader, augmentation changes batches but not which examples they hold.
  const auto data = numbered();
  Loader plain(data, LoaderOptions().batch_size(16).seed(2));
  Loader augmented(data, LoaderOptions().batch_size(16).seed(2).augment(AugmentOptions().noise_std(0.5)));
  const auto p = run_epoch(plain, 0);
  const auto a = run_epoch(augmented, 0);
  EXPECT_EQ(p[0].indices, a[0].indices);
  EXPECT_FALSE(torch::equal(p[0].waveforms, a[0].waveforms));
  EXPECT_TRUE(torch::equal(p[0].waveforms[0], data->waveform(p[0].indices[0])));
  // The dataset itself is untouched.
  EXPECT_TRUE(torch::equal(data->waveform(0), torch::arange(16, torch::kFloat32) / 100));
}

}  // namespace
}  // namespace tfgram::data::testing
