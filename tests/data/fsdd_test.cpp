// The Free Spoken Digit Dataset from ../shared/data/fsdd.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <set>

#include "data/data_test_util.h"
#include "tfgram/data/fsdd.h"

namespace tfgram::data::testing {
namespace {

class DataFsdd : public DataTest {};

TEST_F(DataFsdd, CountsPerDigitAndSpeaker) {
  const Fsdd fsdd(fsdd_root());
  EXPECT_EQ(fsdd.name(), "fsdd");
  ASSERT_EQ(fsdd.size(), 3000);
  EXPECT_EQ(fsdd.report().loaded(), 3000);
  EXPECT_TRUE(fsdd.report().skipped.empty());
  EXPECT_TRUE(fsdd.report().ignored.empty());
  EXPECT_EQ(fsdd.sample_rate(), 8000);
  EXPECT_EQ(fsdd.class_names(), (std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}));

  std::map<int64_t, int> per_digit;
  std::map<std::string, int> per_speaker;
  std::map<std::pair<int64_t, std::string>, int> per_pair;
  for (int64_t i = 0; i < fsdd.size(); ++i) {
    const auto& info = fsdd.info(i);
    ++per_digit[fsdd.label(i)];
    ++per_speaker[info.speaker];
    ++per_pair[{fsdd.label(i), info.speaker}];
    EXPECT_EQ(fsdd.class_names()[static_cast<size_t>(fsdd.label(i))], info.label);
    ASSERT_GE(info.take, 0);
    ASSERT_LT(info.take, 50);
  }
  EXPECT_EQ(per_digit.size(), 10u);
  for (const auto& [digit, count] : per_digit) EXPECT_EQ(count, 300) << "digit " << digit;
  EXPECT_EQ(per_speaker.size(), 6u);
  for (const auto& [speaker, count] : per_speaker) EXPECT_EQ(count, 500) << speaker;
  EXPECT_EQ(per_pair.size(), 60u);
  for (const auto& [pair, count] : per_pair) EXPECT_EQ(count, 50) << pair.first << " " << pair.second;

  // Clips are 0.14–2.3 s of 8 kHz audio in [-1, 1].
  for (const int64_t i : {0, 1234, 2999}) {
    const auto w = fsdd.waveform(i);
    EXPECT_EQ(w.scalar_type(), torch::kFloat32);
    EXPECT_GE(w.numel(), 1000);
    EXPECT_LE(w.numel(), 2.4 * 8000);
    EXPECT_LE(w.abs().max().item<double>(), 1.0);
    EXPECT_GT(w.abs().max().item<double>(), 0.0);
  }
}

TEST_F(DataFsdd, SpeakerLabelsAreSortedNames) {
  const Fsdd fsdd(fsdd_root(), FsddOptions().label(SpokenLabel::kSpeaker).audio(AudioOptions().preload(false)));
  EXPECT_EQ(fsdd.class_names(),
            (std::vector<std::string>{"george", "jackson", "lucas", "nicolas", "theo", "yweweler"}));
  std::vector<int> counts(6, 0);
  for (int64_t i = 0; i < fsdd.size(); ++i) {
    ++counts[static_cast<size_t>(fsdd.label(i))];
    EXPECT_EQ(fsdd.info(i).label, fsdd.info(i).speaker);
  }
  EXPECT_EQ(counts, std::vector<int>(6, 500));
  EXPECT_EQ(fsdd.report().cache, CacheStatus::kDisabled);
  EXPECT_EQ(fsdd.waveform(0).numel(), Fsdd(fsdd_root()).waveform(0).numel());
}

TEST_F(DataFsdd, OfficialSplitTakesZeroToFourAsTest) {
  const Fsdd fsdd(fsdd_root(), FsddOptions().audio(AudioOptions().preload(false)));
  const auto split = fsdd.official_split();
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->test.size(), 300u);
  EXPECT_EQ(split->train.size(), 2700u);
  EXPECT_TRUE(split->valid.empty());
  check_split(*split, fsdd.size());
  std::map<std::pair<int64_t, std::string>, int> test_pairs;
  for (const int64_t i : split->test) {
    EXPECT_LT(fsdd.info(i).take, 5);
    ++test_pairs[{fsdd.label(i), fsdd.info(i).speaker}];
  }
  for (const int64_t i : split->train) EXPECT_GE(fsdd.info(i).take, 5);
  EXPECT_EQ(test_pairs.size(), 60u);  // every speaker says every digit in the test set
  for (const auto& [pair, count] : test_pairs) EXPECT_EQ(count, 5);

  const auto via_options = make_split(fsdd, SplitOptions().kind(SplitKind::kOfficial).valid_fraction(0.1));
  EXPECT_EQ(via_options.test, split->test);
  EXPECT_EQ(via_options.valid.size(), 270u);
  EXPECT_EQ(via_options.train.size(), 2430u);
}

TEST_F(DataFsdd, SecondLoadReadsTheCacheAndResamples) {
  const auto options = AudioOptions().sample_rate(16000).length(16000).length_policy(LengthPolicy::kCentre);
  const Fsdd first(fsdd_root(), FsddOptions().audio(options));
  EXPECT_EQ(first.report().cache, CacheStatus::kMiss);
  EXPECT_EQ(first.sample_rate(), 16000);
  const Fsdd second(fsdd_root(), FsddOptions().audio(options));
  EXPECT_EQ(second.report().cache, CacheStatus::kHit);
  EXPECT_EQ(second.sample_rate(), 16000);
  for (const int64_t i : {0, 777, 2999}) {
    EXPECT_EQ(second.waveform(i).numel(), 16000);
    EXPECT_TRUE(torch::equal(first.waveform(i), second.waveform(i)));
  }
  std::cout << "[ info     ] " << first.report().summary(first.name()) << "\n"
            << "[ info     ] " << second.report().summary(second.name()) << "\n";
}

TEST_F(DataFsdd, MissingOrEmptyRootIsAFileError) {
  EXPECT_THROW(Fsdd((temp.path() / "nowhere").string()), FileError);
  EXPECT_THROW(Fsdd(temp.path().string()), FileError);
}

}  // namespace
}  // namespace tfgram::data::testing
