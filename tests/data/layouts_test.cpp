// Class folders, CSV manifests, Audio-MNIST, and bad files inside datasets.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "data/data_test_util.h"
#include "tfgram/data/audio_mnist.h"
#include "tfgram/data/folder_dataset.h"
#include "tfgram/data/manifest_dataset.h"

namespace tfgram::data::testing {
namespace {

namespace fs = std::filesystem;

class DataLayouts : public DataTest {};

TEST_F(DataLayouts, FolderClassesAreSortedSubfolderNames) {
  write_tone(temp.file("set/zebra/one.wav"), 800, 440.0, 8000);
  write_tone(temp.file("set/zebra/deeper/two.flac"), 800, 440.0, 8000, AudioEncoding::kPcm24, 2);
  write_tone(temp.file("set/ant/three.ogg"), 8000, 440.0, 8000);
  write_tone(temp.file("set/Moth/four.WAV"), 800, 440.0, 8000);
  std::ofstream(temp.file("set/ant/notes.txt")) << "not audio";
  write_tone(temp.file("set/ant/.hidden.wav"), 800, 440.0, 8000);
  write_tone(temp.file("set/.git/objects/x.wav"), 800, 440.0, 8000);
  write_tone(temp.file("set/loose.wav"), 800, 440.0, 8000);

  const FolderDataset data((temp.path() / "set").string(),
                           AudioOptions().length(1000).length_policy(LengthPolicy::kStart));
  // Byte-wise order: upper case sorts first.
  EXPECT_EQ(data.class_names(), (std::vector<std::string>{"Moth", "ant", "zebra"}));
  ASSERT_EQ(data.size(), 4);
  EXPECT_EQ(data.report().ignored.size(), 1u);
  EXPECT_NE(data.report().ignored[0].find("notes.txt"), std::string::npos);
  std::multiset<std::string> labels;
  for (int64_t i = 0; i < data.size(); ++i) {
    labels.insert(data.info(i).label);
    EXPECT_EQ(data.waveform(i).numel(), 1000);
    EXPECT_TRUE(fs::path(data.info(i).path).is_absolute());
  }
  EXPECT_EQ(labels, (std::multiset<std::string>{"Moth", "ant", "zebra", "zebra"}));
  EXPECT_EQ(data.sample_rate(), 8000);
  EXPECT_THROW(FolderDataset((temp.path() / "set" / "zebra" / "one.wav").string()), FileError);
  fs::create_directories(temp.path() / "empty" / "class");
  EXPECT_THROW(FolderDataset((temp.path() / "empty").string()), FileError);
}

TEST_F(DataLayouts, NativeRatesThatDifferReportZero) {
  write_tone(temp.file("set/a/x.wav"), 800, 440.0, 8000);
  write_tone(temp.file("set/b/y.wav"), 800, 440.0, 16000);
  const FolderDataset native((temp.path() / "set").string());
  EXPECT_EQ(native.sample_rate(), 0);
  const FolderDataset common((temp.path() / "set").string(), AudioOptions().sample_rate(11025));
  EXPECT_EQ(common.sample_rate(), 11025);
  EXPECT_EQ(common.waveform(0).numel(), 1103);  // round(800 · 11025/8000)
  EXPECT_EQ(common.waveform(1).numel(), 551);   // round(800 · 11025/16000)
}

TEST_F(DataLayouts, ManifestRowsLabelsAndSplitColumn) {
  write_tone(temp.file("clips/a.wav"), 400, 440.0, 8000);
  write_tone(temp.file("clips/b, with comma.wav"), 400, 440.0, 8000);
  write_tone(temp.file("clips/c.flac"), 400, 440.0, 8000);
  write_tone(temp.file("elsewhere/d.wav"), 400, 440.0, 8000);
  const std::string manifest = temp.file("lists/manifest.csv");
  {
    std::ofstream out(manifest);
    out << "path,label,split\n"
        << "# comments and blank lines are skipped\n\n"
        << "../clips/a.wav,yes,train\r\n"
        << "\"../clips/b, with comma.wav\",\"no\",valid\n"
        << "../clips/c.flac, yes ,TEST\n"
        << (temp.path() / "elsewhere" / "d.wav").string() << ",no,train\n";
  }
  const ManifestDataset data(manifest);
  ASSERT_EQ(data.size(), 4);
  EXPECT_EQ(data.class_names(), (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(data.labels(), (std::vector<int64_t>{1, 0, 1, 0}));
  EXPECT_EQ(data.info(1).path, (temp.path() / "clips" / "b, with comma.wav").string());
  const auto split = data.official_split();
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->train, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(split->valid, (std::vector<int64_t>{1}));
  EXPECT_EQ(split->test, (std::vector<int64_t>{2}));
  EXPECT_EQ(make_split(data, SplitOptions().kind(SplitKind::kColumn)).test, split->test);

  const std::string two_columns = temp.file("lists/two.csv");
  std::ofstream(two_columns) << "../clips/a.wav,yes\n../clips/c.flac,no\n";
  const ManifestDataset plain(two_columns);
  EXPECT_EQ(plain.size(), 2);
  EXPECT_FALSE(plain.official_split().has_value());

  const std::string odd_split = temp.file("lists/odd.csv");
  std::ofstream(odd_split) << "../clips/a.wav,yes,holdout\n";
  EXPECT_THROW(ManifestDataset(odd_split).official_split(), std::invalid_argument);

  const std::string bad = temp.file("lists/bad.csv");
  std::ofstream(bad) << "path,label\n../clips/a.wav,yes\n../clips/c.flac\n";
  try {
    ManifestDataset broken(bad);
    ADD_FAILURE() << "expected a FileError";
  } catch (const FileError& error) {
    EXPECT_NE(std::string(error.what()).find("line 3"), std::string::npos) << error.what();
    EXPECT_EQ(error.path(), bad);
  }
  const std::string open_quote = temp.file("lists/quote.csv");
  std::ofstream(open_quote) << "\"../clips/a.wav,yes\n";
  EXPECT_THROW(ManifestDataset{open_quote}, FileError);
  EXPECT_THROW(ManifestDataset{temp.file("lists/missing.csv")}, FileError);
}

TEST_F(DataLayouts, AudioMnistPaperSpeakerSplit) {
  // A miniature tree: 60 speakers × 10 digits × 1 take of 0.2 s at 48 kHz.
  for (int speaker = 1; speaker <= 60; ++speaker) {
    char id[3];
    std::snprintf(id, sizeof(id), "%02d", speaker);
    for (int digit = 0; digit < 10; ++digit) {
      write_tone(temp.file("amnist/data/" + std::string(id) + "/" + std::to_string(digit) + "_" + id + "_0.wav"),
                 9600, 200.0 + 50 * digit, 48000);
    }
  }
  std::ofstream(temp.file("amnist/data/audioMNIST_meta.txt")) << "{}";
  const AudioMnist data((temp.path() / "amnist").string(), AudioMnistOptions().audio(audio_mnist_paper_audio()));
  ASSERT_EQ(data.size(), 600);
  EXPECT_EQ(data.num_classes(), 10);
  EXPECT_EQ(data.sample_rate(), 8000);
  // 0.2 s at 8 kHz = 1600 samples, centred in 8000: starts at 1 + (8000 − 1600)/2 = 3201.
  const auto w = data.waveform(0);
  EXPECT_EQ(w.numel(), 8000);
  EXPECT_EQ(w.slice(0, 0, 3190).abs().max().item<double>(), 0.0);
  EXPECT_EQ(w.slice(0, 4812).abs().max().item<double>(), 0.0);
  EXPECT_GT(w.slice(0, 3300, 4700).abs().max().item<double>(), 0.1);

  const auto speakers = audio_mnist_paper_speakers();
  EXPECT_EQ(speakers.train.size(), 36u);
  EXPECT_EQ(speakers.valid.size(), 12u);
  EXPECT_EQ(speakers.test.size(), 12u);
  std::set<std::string> all(speakers.train.begin(), speakers.train.end());
  all.insert(speakers.valid.begin(), speakers.valid.end());
  all.insert(speakers.test.begin(), speakers.test.end());
  EXPECT_EQ(all.size(), 60u);
  EXPECT_EQ(*all.begin(), "01");
  EXPECT_EQ(*all.rbegin(), "60");

  const auto split = data.official_split();
  ASSERT_TRUE(split.has_value());
  EXPECT_EQ(split->train.size(), 360u);
  EXPECT_EQ(split->valid.size(), 120u);
  EXPECT_EQ(split->test.size(), 120u);
  const std::set<std::string> test_speakers(speakers.test.begin(), speakers.test.end());
  for (const int64_t i : split->test) EXPECT_TRUE(test_speakers.count(data.info(i).speaker)) << data.info(i).speaker;

  const AudioMnist by_speaker((temp.path() / "amnist" / "data").string(),
                              AudioMnistOptions().label(SpokenLabel::kSpeaker).audio(AudioOptions().preload(false)));
  EXPECT_EQ(by_speaker.num_classes(), 60);
  EXPECT_EQ(by_speaker.class_names().front(), "01");
}

// A folder holding good files and every kind of bad one.
class DataBadFiles : public DataTest {
 protected:
  DataBadFiles() {
    write_tone(temp.file("set/a/1_good.wav"), 800, 440.0, 8000);
    write_tone(temp.file("set/a/5_good.flac"), 800, 440.0, 8000);
    std::ofstream(temp.file("set/a/2_empty.wav")).close();
    write_tone(temp.file("set/b/3_header_cut.wav"), 800, 440.0, 8000);
    fs::resize_file(temp.path() / "set/b/3_header_cut.wav", 30);
    auto nan = tone(800, 440.0, 8000.0);
    nan[0][400] = std::nanf("");
    write_audio(temp.file("set/b/4_nan.wav"), nan, 8000, AudioEncoding::kFloat32);
    std::ofstream(temp.file("set/b/6_text.ogg")) << "definitely not ogg vorbis, just text in a file";
  }
  std::string root() const { return (temp.path() / "set").string(); }
};

TEST_F(DataBadFiles, ThrowByDefaultNamingTheFirstBadFile) {
  try {
    FolderDataset data(root());
    ADD_FAILURE() << "expected an AudioFileError";
  } catch (const AudioFileError& error) {
    // Files are decoded in sorted order: a/2_empty.wav is the first bad one.
    EXPECT_NE(error.path().find("2_empty.wav"), std::string::npos) << error.what();
    EXPECT_NE(error.reason().find("empty"), std::string::npos);
  }
}

TEST_F(DataBadFiles, SkipLeavesThemOutAndSaysWhy) {
  const FolderDataset data(root(), AudioOptions().on_error(OnError::kSkip).threads(2));
  EXPECT_EQ(data.size(), 2);
  EXPECT_EQ(data.report().files, 6);
  ASSERT_EQ(data.report().skipped.size(), 4u);
  std::map<std::string, std::string> reasons;
  for (const auto& skipped : data.report().skipped) reasons[fs::path(skipped.path).filename().string()] = skipped.reason;
  EXPECT_NE(reasons["2_empty.wav"].find("empty"), std::string::npos);
  EXPECT_NE(reasons["3_header_cut.wav"].find("not a valid audio file"), std::string::npos);
  EXPECT_NE(reasons["4_nan.wav"].find("NaN"), std::string::npos);
  EXPECT_NE(reasons["6_text.ogg"].find("not a valid audio file"), std::string::npos);
  // Classes stay numbered from every listed file, even when all of b/ was skipped.
  EXPECT_EQ(data.class_names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(data.labels(), (std::vector<int64_t>{0, 0}));
  EXPECT_NE(data.report().summary("folder").find("2 of 6 clips (4 skipped"), std::string::npos)
      << data.report().summary("folder");
}

TEST_F(DataBadFiles, LazySkipChecksHeadersAndRaisesTheRestOnRead) {
  const FolderDataset data(root(), AudioOptions().on_error(OnError::kSkip).preload(false));
  // Header checks catch the empty, cut and text files; the NaN is inside the data.
  EXPECT_EQ(data.report().skipped.size(), 3u);
  ASSERT_EQ(data.size(), 3);
  int64_t nan_index = -1;
  for (int64_t i = 0; i < data.size(); ++i) {
    if (data.info(i).path.find("4_nan") != std::string::npos) nan_index = i;
  }
  ASSERT_GE(nan_index, 0);
  EXPECT_THROW(data.waveform(nan_index), AudioFileError);
  EXPECT_EQ(data.waveform(0).numel(), 800);
}

TEST_F(DataLayouts, SavedLabelMapsReindexDatasets) {
  write_tone(temp.file("set/cat/a.wav"), 400, 440.0, 8000);
  write_tone(temp.file("set/dog/b.wav"), 400, 440.0, 8000);
  FolderDataset data((temp.path() / "set").string());
  EXPECT_EQ(data.labels(), (std::vector<int64_t>{0, 1}));
  // The map a model was trained with: more classes, another order.
  const LabelMap model_map(std::vector<std::string>{"dog", "bird", "cat"});
  data.use_label_map(model_map);
  EXPECT_EQ(data.labels(), (std::vector<int64_t>{2, 0}));
  EXPECT_EQ(data.num_classes(), 3);
  EXPECT_THROW(data.use_label_map(LabelMap(std::vector<std::string>{"dog"})), std::invalid_argument);
  EXPECT_EQ(data.labels(), (std::vector<int64_t>{2, 0}));  // unchanged after a failed remap
}

TEST_F(DataLayouts, AnyClipListIsADataset) {
  write_tone(temp.file("x.wav"), 400, 440.0, 8000);
  write_tone(temp.file("y.wav"), 400, 440.0, 8000);
  ClipList list;
  list.clips.resize(2);
  list.clips[0].path = temp.file("x.wav");
  list.clips[0].label = "left";
  list.clips[0].speaker = "s1";
  list.clips[1].path = temp.file("y.wav");
  list.clips[1].label = "right";
  list.clips[1].speaker = "s2";
  const FileDataset data("mine", list);
  EXPECT_EQ(data.name(), "mine");
  EXPECT_EQ(data.size(), 2);
  EXPECT_EQ(data.report().cache, CacheStatus::kMiss);
  const auto split = split_by_speaker(data, SpeakerSplit{{"s1"}, {}, {"s2"}});
  EXPECT_EQ(split.train, (std::vector<int64_t>{0}));
  EXPECT_EQ(split.test, (std::vector<int64_t>{1}));
  EXPECT_THROW(FileDataset("none", ClipList{}), std::invalid_argument);
  EXPECT_THROW(FileDataset("bad", list, AudioOptions().length(100)), std::invalid_argument);
  EXPECT_THROW(FileDataset("bad", list, AudioOptions().length_policy(LengthPolicy::kStart)), std::invalid_argument);
  EXPECT_THROW(FileDataset("bad", list, AudioOptions().sample_rate(-1)), std::invalid_argument);
  EXPECT_THROW(data.waveform(2), std::out_of_range);
}

}  // namespace
}  // namespace tfgram::data::testing
