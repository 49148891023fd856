// ESC-10 from ../shared/data/esc10 and the ESC-50 layout on generated files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>
#include <map>
#include <set>

#include "data/data_test_util.h"
#include "tfgram/data/esc.h"

namespace tfgram::data::testing {
namespace {

class DataEsc : public DataTest {};

const std::vector<std::string> kEsc10Classes = {"Baby cry",   "Chainsaw",       "Clock tick", "Dog bark",
                                                "Fire crackling", "Helicopter", "Person sneeze", "Rain",
                                                "Rooster",    "Sea waves"};

TEST_F(DataEsc, Esc10CountsPerClassAndFold) {
  // Counting needs no decoding: a lazy dataset reads nothing up front.
  const Esc10Folder esc(esc10_root(), AudioOptions().preload(false));
  EXPECT_EQ(esc.name(), "esc10");
  ASSERT_EQ(esc.size(), 400);
  EXPECT_EQ(esc.class_names(), kEsc10Classes);
  std::map<int64_t, int> per_class;
  std::map<int64_t, int> per_fold;
  std::map<std::pair<int64_t, int64_t>, int> per_pair;
  std::map<std::string, std::set<int64_t>> folds_of_source;
  for (int64_t i = 0; i < esc.size(); ++i) {
    const auto& info = esc.info(i);
    ++per_class[esc.label(i)];
    ++per_fold[info.fold];
    ++per_pair[{esc.label(i), info.fold}];
    EXPECT_FALSE(info.source.empty());
    EXPECT_GE(info.take, 0);
    folds_of_source[info.source].insert(info.fold);
  }
  EXPECT_EQ(per_class.size(), 10u);
  for (const auto& [label, count] : per_class) EXPECT_EQ(count, 40) << kEsc10Classes[static_cast<size_t>(label)];
  EXPECT_EQ(per_fold, (std::map<int64_t, int>{{1, 80}, {2, 80}, {3, 80}, {4, 80}, {5, 80}}));
  for (const auto& [pair, count] : per_pair) EXPECT_EQ(count, 8);
  // Clips cut from one recording share a fold.
  for (const auto& [source, folds] : folds_of_source) EXPECT_EQ(folds.size(), 1u) << source;

  const auto split = split_by_fold(esc, {1}, {2});
  EXPECT_EQ(split.test.size(), 80u);
  EXPECT_EQ(split.valid.size(), 80u);
  EXPECT_EQ(split.train.size(), 240u);
  EXPECT_FALSE(esc.official_split().has_value());
  EXPECT_THROW(split_by_fold(esc, {6}), std::invalid_argument);

  // A couple of clips, decoded on demand at the paper's rate and length.
  const Esc10Folder paper(esc10_root(), esc_paper_audio().preload(false));
  EXPECT_EQ(paper.sample_rate(), 8000);
  for (const int64_t i : {0, 399}) {
    const auto w = paper.waveform(i);
    EXPECT_EQ(w.numel(), 40000);
    EXPECT_TRUE(torch::isfinite(w).all().item<bool>());
  }
  const AudioInfo info = probe_audio(esc.info(0).path);
  EXPECT_EQ(info.sample_rate, 44100);
  EXPECT_EQ(info.container, "OGG");
}

TEST_F(DataEsc, Esc10AtEightKilohertzAndFiveSeconds) {
  // The whole tree decoded once (two threads), then read back from the cache.
  const Esc10Folder esc(esc10_root(), esc_paper_audio());
  EXPECT_EQ(esc.report().cache, CacheStatus::kMiss);
  ASSERT_EQ(esc.size(), 400);
  EXPECT_EQ(esc.sample_rate(), 8000);
  for (int64_t i = 0; i < esc.size(); ++i) {
    ASSERT_EQ(esc.waveform(i).numel(), 40000) << esc.info(i).path;
  }
  const Esc10Folder again(esc10_root(), esc_paper_audio());
  EXPECT_EQ(again.report().cache, CacheStatus::kHit);
  for (const int64_t i : {0, 123, 399}) EXPECT_TRUE(torch::equal(esc.waveform(i), again.waveform(i)));
  // Resampling keeps the level: the 8 kHz clip has about the energy of its band-limited source.
  const auto w = esc.waveform(5);
  EXPECT_GT(w.pow(2).mean().item<double>(), 0.0);
  EXPECT_LE(w.abs().max().item<double>(), 1.5);
  std::cout << "[ info     ] " << esc.report().summary(esc.name()) << "\n"
            << "[ info     ] " << again.report().summary(again.name()) << "\n";
}

class DataEsc50 : public DataTest {
 protected:
  DataEsc50() {
    std::ofstream csv(temp.file("esc50/meta/esc50.csv"));
    csv << "filename,fold,target,category,esc10,src_file,take\n";
    struct Row {
      std::string file;
      int fold;
      int target;
      std::string category, esc10, source, take;
    };
    const std::vector<Row> rows = {{"1-100032-A-0.wav", 1, 0, "dog", "True", "100032", "A"},
                                   {"1-100038-A-14.wav", 1, 14, "chirping_birds", "False", "100038", "A"},
                                   {"2-100648-A-43.wav", 2, 43, "car_horn", "False", "100648", "A"},
                                   {"3-1000-B-0.wav", 3, 0, "dog", "True", "1000", "B"},
                                   {"5-9032-A-0.wav", 5, 0, "dog", "True", "9032", "A"},
                                   {"4-1111-C-41.wav", 4, 41, "chainsaw", "True", "1111", "C"}};
    for (const auto& row : rows) {
      csv << row.file << "," << row.fold << "," << row.target << "," << row.category << "," << row.esc10 << ","
          << row.source << "," << row.take << "\n";
      write_tone(temp.file("esc50/audio/" + row.file), 44100 / 10, 440.0 + row.target, 44100);
    }
  }
  std::string root() const { return (temp.path() / "esc50").string(); }
};

TEST_F(DataEsc50, ReadsTheMetadataTable) {
  const Esc50 esc(root(), Esc50Options().audio(esc_paper_audio()));
  ASSERT_EQ(esc.size(), 6);
  EXPECT_EQ(esc.class_names(), (std::vector<std::string>{"car_horn", "chainsaw", "chirping_birds", "dog"}));
  EXPECT_EQ(esc.info(0).fold, 1);
  EXPECT_EQ(esc.info(0).source, "100032");
  EXPECT_EQ(esc.info(3).take, 1);  // B
  EXPECT_EQ(esc.info(5).take, 2);  // C
  EXPECT_EQ(esc.label(0), 3);
  EXPECT_EQ(esc.sample_rate(), 8000);
  EXPECT_EQ(esc.waveform(2).numel(), 40000);  // 0.1 s padded to 5 s
  EXPECT_EQ(esc.waveform(2).slice(0, 800).abs().sum().item<double>(), 0.0);

  const Esc50 esc10(root(), Esc50Options().esc10_only(true).audio(AudioOptions().preload(false)));
  EXPECT_EQ(esc10.size(), 4);
  EXPECT_EQ(esc10.class_names(), (std::vector<std::string>{"chainsaw", "dog"}));
  const auto split = split_by_fold(esc10, {5});
  EXPECT_EQ(split.test, (std::vector<int64_t>{2}));
}

TEST_F(DataEsc50, MalformedTablesNameTheLine) {
  {
    std::ofstream csv(temp.file("esc50/meta/esc50.csv"), std::ios::app);
    csv << "9-1-A-0.wav,notanumber,0,dog,True,1,A\n";
  }
  try {
    Esc50 esc(root());
    ADD_FAILURE() << "expected a FileError";
  } catch (const FileError& error) {
    EXPECT_NE(std::string(error.what()).find("line 8"), std::string::npos) << error.what();
    EXPECT_NE(error.path().find("esc50.csv"), std::string::npos);
  }
  std::ofstream(temp.file("esc50/meta/esc50.csv"), std::ios::trunc) << "name,fold\nx.wav,1\n";
  EXPECT_THROW(Esc50{root()}, FileError);
  EXPECT_THROW(Esc50((temp.path() / "missing").string()), FileError);
}

}  // namespace
}  // namespace tfgram::data::testing
