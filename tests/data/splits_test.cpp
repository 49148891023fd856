// Splits and label maps.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <fstream>
#include <set>

#include "data/data_test_util.h"
#include "tfgram/data/label_map.h"
#include "tfgram/data/random.h"
#include "tfgram/data/splits.h"

namespace tfgram::data::testing {
namespace {

class DataSplits : public DataTest {
 protected:
  // 100 examples: label i % 4, fold 1 + i % 5, speaker "s" + i % 10, split column by i % 10.
  static std::shared_ptr<MemoryDataset> sample_set() {
    std::vector<int64_t> labels;
    std::vector<ClipInfo> infos(100);
    for (int64_t i = 0; i < 100; ++i) {
      labels.push_back(i % 4);
      infos[static_cast<size_t>(i)].fold = 1 + i % 5;
      infos[static_cast<size_t>(i)].speaker = "s" + std::to_string(i % 10);
      infos[static_cast<size_t>(i)].take = i / 10;
      infos[static_cast<size_t>(i)].split = i % 10 < 7 ? "train" : i % 10 < 8 ? "Valid" : "test";
    }
    return std::make_shared<MemoryDataset>(torch::zeros({100, 4}), labels, infos);
  }

  static void expect_partition(const Split& split, int64_t size) {
    EXPECT_NO_THROW(check_split(split, size));
    EXPECT_EQ(split.size(), size);
    for (const auto* part : {&split.train, &split.valid, &split.test}) {
      EXPECT_TRUE(std::is_sorted(part->begin(), part->end()));
    }
  }
};

TEST_F(DataSplits, RandomFractionsAreSeeded) {
  const Split split = random_split(1000);
  EXPECT_EQ(split.train.size(), 700u);
  EXPECT_EQ(split.valid.size(), 100u);
  EXPECT_EQ(split.test.size(), 200u);
  expect_partition(split, 1000);
  EXPECT_EQ(random_split(1000).test, split.test);
  EXPECT_NE(random_split(1000, RandomSplitOptions().seed(1)).test, split.test);
  const Split halves = random_split(11, RandomSplitOptions().train(0.5).valid(0.0).test(0.5));
  EXPECT_EQ(halves.test.size(), 6u);  // round(5.5)
  EXPECT_EQ(halves.train.size(), 5u);
  EXPECT_THROW(random_split(10, RandomSplitOptions().train(0.8)), std::invalid_argument);
  EXPECT_THROW(random_split(10, RandomSplitOptions().train(1.2).test(-0.3)), std::invalid_argument);
}

TEST_F(DataSplits, StratifiedKeepsClassProportions) {
  const auto data = sample_set();
  const Split split = random_split(*data, RandomSplitOptions().stratify(true).seed(5));
  expect_partition(split, 100);
  std::vector<int> test_per_class(4, 0);
  for (const int64_t i : split.test) ++test_per_class[static_cast<size_t>(data->label(i))];
  EXPECT_EQ(test_per_class, std::vector<int>(4, 5));  // 20% of 25 per class
  EXPECT_EQ(random_split(*data, RandomSplitOptions().stratify(true).seed(5)).train, split.train);
}

TEST_F(DataSplits, FoldsSpeakersColumnsAndTakes) {
  const auto data = sample_set();
  const Split folds = split_by_fold(*data, {1}, {2, 3});
  expect_partition(folds, 100);
  EXPECT_EQ(folds.test.size(), 20u);
  EXPECT_EQ(folds.valid.size(), 40u);
  for (const int64_t i : folds.test) EXPECT_EQ(data->info(i).fold, 1);
  EXPECT_THROW(split_by_fold(*data, {1}, {1}), std::invalid_argument);
  EXPECT_THROW(split_by_fold(*data, {9}), std::invalid_argument);

  SpeakerSplit speakers{{"s0", "s1", "s2", "s3", "s4", "s5"}, {"s6", "s7"}, {"s8", "s9"}};
  const Split by_speaker = split_by_speaker(*data, speakers);
  expect_partition(by_speaker, 100);
  EXPECT_EQ(by_speaker.train.size(), 60u);
  EXPECT_EQ(by_speaker.test.size(), 20u);
  speakers.test.pop_back();  // s9 forgotten
  EXPECT_THROW(split_by_speaker(*data, speakers), std::invalid_argument);
  speakers.test.push_back("s0");  // s0 in two parts
  EXPECT_THROW(split_by_speaker(*data, speakers), std::invalid_argument);

  const Split column = split_by_column(*data);
  EXPECT_EQ(column.train.size(), 70u);
  EXPECT_EQ(column.valid.size(), 10u);
  EXPECT_EQ(column.test.size(), 20u);

  const Split takes = split_by_take(*data, 2);
  EXPECT_EQ(takes.test.size(), 20u);
  EXPECT_EQ(takes.train.size(), 80u);
}

TEST_F(DataSplits, ValidationCarvedFromTrainAndMadeByName) {
  const auto data = sample_set();
  const Split carved = with_validation(split_by_take(*data, 2), 0.25, 9);
  expect_partition(carved, 100);
  EXPECT_EQ(carved.valid.size(), 20u);
  EXPECT_EQ(carved.train.size(), 60u);
  EXPECT_EQ(with_validation(split_by_take(*data, 2), 0.25, 9).valid, carved.valid);

  EXPECT_EQ(parse_split_kind("folds"), SplitKind::kFolds);
  EXPECT_EQ(parse_split_kind("Speaker"), SplitKind::kSpeakers);
  EXPECT_EQ(to_string(SplitKind::kOfficial), "official");
  EXPECT_THROW(parse_split_kind("k-fold"), std::invalid_argument);
  const Split made = make_split(*data, SplitOptions().kind(SplitKind::kFolds).test_folds({5}).valid_fraction(0.1));
  EXPECT_EQ(made.test.size(), 20u);
  EXPECT_EQ(made.valid.size(), 8u);
  EXPECT_EQ(make_split(*data, SplitOptions()).test, random_split(100).test);
  EXPECT_THROW(make_split(*data, SplitOptions().kind(SplitKind::kOfficial)), std::invalid_argument);
  EXPECT_THROW(make_split(*data, SplitOptions().kind(SplitKind::kFolds)), std::invalid_argument);
  EXPECT_THROW(check_split(Split{{0, 1}, {1}, {}}, 3), std::invalid_argument);
  EXPECT_THROW(check_split(Split{{0, 3}, {}, {}}, 3), std::invalid_argument);
}

TEST_F(DataSplits, LabelMapsSortSaveAndLoad) {
  const LabelMap map = LabelMap::from_labels({"rain", "dog", "rain", "Zebra", "cat"});
  EXPECT_EQ(map.names(), (std::vector<std::string>{"Zebra", "cat", "dog", "rain"}));
  EXPECT_EQ(map.index("dog"), 2);
  EXPECT_EQ(map.name(3), "rain");
  EXPECT_TRUE(map.contains("cat"));
  EXPECT_THROW(map.index("cow"), std::invalid_argument);
  EXPECT_THROW(map.name(4), std::out_of_range);
  EXPECT_THROW(LabelMap(std::vector<std::string>{"a", "a"}), std::invalid_argument);
  EXPECT_THROW(LabelMap(std::vector<std::string>{""}), std::invalid_argument);

  EXPECT_EQ(LabelMap::from_json(map.to_json()), map);
  const std::string path = temp.file("labels.json");
  map.save(path);
  EXPECT_EQ(LabelMap::load(path), map);
  // A saved map keeps its order, sorted or not.
  const LabelMap custom(std::vector<std::string>{"yes", "no"});
  custom.save(path);
  EXPECT_EQ(LabelMap::load(path).names(), (std::vector<std::string>{"yes", "no"}));

  std::ofstream(temp.file("bad.json")) << "{\"format\": \"tfgram.label_map\", \"version\": 1, \"labels\": [1, 2]}";
  EXPECT_THROW(LabelMap::load(temp.file("bad.json")), FileError);
  std::ofstream(temp.file("bad2.json")) << "{not json";
  EXPECT_THROW(LabelMap::load(temp.file("bad2.json")), FileError);
  std::ofstream(temp.file("bad3.json")) << "{\"format\": \"other\"}";
  EXPECT_THROW(LabelMap::load(temp.file("bad3.json")), FileError);
  EXPECT_THROW(LabelMap::load(temp.file("missing.json")), FileError);
}

TEST_F(DataSplits, RandomHelpersAreStableAcrossPlatforms) {
  // mt19937_64's 10000th output is fixed by the C++ standard; our mappings build on it only.
  Rng rng(5489u);
  rng.discard(9999);
  EXPECT_EQ(rng(), 9981545732273789042ULL);
  Rng a(derive_seed(7, 0));
  Rng b(derive_seed(7, 0));
  EXPECT_EQ(uniform01(a), uniform01(b));
  EXPECT_NE(derive_seed(7, 3), derive_seed(3, 7));
  Rng c(1);
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform01(c);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_LT(uniform_index(c, 7), 7u);
  }
  std::vector<int64_t> values = {0, 1, 2, 3, 4, 5, 6, 7};
  shuffle(values, c);
  std::vector<int64_t> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  double sum = 0;
  double sum2 = 0;
  for (int i = 0; i < 20000; ++i) {
    const double z = standard_normal(c);
    sum += z;
    sum2 += z * z;
  }
  EXPECT_NEAR(sum / 20000, 0.0, 0.05);
  EXPECT_NEAR(sum2 / 20000, 1.0, 0.05);
}

// Small-data runs: a seeded fraction of train is kept, valid and test are untouched.
TEST(Splits, TrainSubsetKeepsASeededFractionOfTrainOnly) {
  const Split full = random_split(1000, RandomSplitOptions().seed(4));
  const Split small = with_train_subset(full, 0.1, 7);
  EXPECT_EQ(small.train.size(), 70u);  // round(700 · 0.1)
  EXPECT_EQ(small.valid, full.valid);
  EXPECT_EQ(small.test, full.test);
  EXPECT_TRUE(std::is_sorted(small.train.begin(), small.train.end()));
  EXPECT_TRUE(std::includes(full.train.begin(), full.train.end(), small.train.begin(), small.train.end()));
  EXPECT_EQ(with_train_subset(full, 0.1, 7).train, small.train) << "seeded";
  EXPECT_NE(with_train_subset(full, 0.1, 8).train, small.train);
  EXPECT_EQ(with_train_subset(full, 1.0, 7).train, full.train);
  EXPECT_EQ(with_train_subset(full, 1e-6, 7).train.size(), 1u) << "never empty";
  EXPECT_THROW(with_train_subset(full, 0.0, 7), std::invalid_argument);
  EXPECT_THROW(with_train_subset(full, 1.5, 7), std::invalid_argument);
}

}  // namespace
}  // namespace tfgram::data::testing
