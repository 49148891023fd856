// Bad input tried systematically through the real tfgram binary (docs/reliability.md has the
// table): each must give exit code 2 and one line on stderr naming the file or key, no stack
// trace; the valid extremes (384 kHz, an hour of audio, folder links) must just work.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "support/process.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::testing {
namespace {
namespace fs = std::filesystem;

const std::vector<std::string> kEnv{"TFGRAM_NUM_THREADS=1"};

void put16(std::string& s, uint16_t v) { s.append({static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)}); }
void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

// A canonical WAV header (format 1 PCM or 3 float) followed by `data`; `declared` is the data
// chunk size the header states.
std::string wav(uint32_t rate, uint16_t channels, uint16_t bits, uint16_t format, const std::string& data,
                std::optional<uint32_t> declared = std::nullopt) {
  std::string s = "RIFF";
  put32(s, 36 + static_cast<uint32_t>(declared.value_or(data.size())));
  s += "WAVEfmt ";
  put32(s, 16);
  put16(s, format);
  put16(s, channels);
  put32(s, rate);
  put32(s, rate * channels * bits / 8);
  put16(s, static_cast<uint16_t>(channels * bits / 8));
  put16(s, bits);
  s += "data";
  put32(s, declared.value_or(static_cast<uint32_t>(data.size())));
  return s + data;
}

std::string pcm16(size_t n, double step = 0.05) {
  std::string s;
  for (size_t i = 0; i < n; ++i) put16(s, static_cast<uint16_t>(static_cast<int16_t>(20000 * std::sin(step * i))));
  return s;
}

std::string floats(size_t n, float value) {
  std::string s(n * 4, '\0');
  for (size_t i = 0; i < n; ++i) std::memcpy(&s[4 * i], &value, 4);
  return s;
}

struct Outcome {
  int code;
  std::string err;
  std::string out;
};

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    util::write_file_atomic(*dir_ / "pulses.yaml", R"(
model:
  n_points: 128
  sample_rate: 8000
  frontend: {kind: dspec, dmel: {mode: full, hop_length: 1, lambd: 1.276}}
  backbone: {kind: linear}
data: {kind: pulses, pulses: {examples: 120, seed: 3}, split: {kind: random, seed: 1}}
train: {optimizer: sgd, lr_model: 0.001, batch_size: 32, max_epochs: 1, seed: 5}
)");
    const auto r = run_process({cli_path(), "train", "-q", "-c", *dir_ / "pulses.yaml", "-o", *dir_ / "model"}, kEnv);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string file(const std::string& name, const std::string& bytes) {
    const auto path = dir_->file(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  static std::string ckpt() { return *dir_ / "model/best.ckpt"; }

  // Runs the tool; expects exit 2, exactly one stderr line containing `fragment`, no trace.
  static std::string expect_refused(const std::string& what, const std::vector<std::string>& args, const std::string& fragment,
                             const std::vector<std::string>& prefix = {}) {
    std::vector<std::string> command = prefix;
    command.push_back(cli_path());
    command.insert(command.end(), args.begin(), args.end());
    const auto r = run_process(command, kEnv);
    std::cout << "[bad-input] " << what << " -> exit " << r.exit_code << ": " << r.err;
    EXPECT_EQ(r.exit_code, 2) << what << "\n" << r.err;
    EXPECT_NE(r.err.find(fragment), std::string::npos) << what << ": expected '" << fragment << "' in\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": one line\n" << r.err;
    EXPECT_EQ(r.err.find("frame #"), std::string::npos) << what << ": no stack trace\n" << r.err;
    EXPECT_EQ(r.err.rfind("tfgram: error: ", 0), 0u) << what << "\n" << r.err;
    return r.err;
  }
  static std::vector<std::string> train_on(const std::string& kind, const std::string& root, const std::string& out) {
    return {"train", "-q", "--set", "data.kind=" + kind, "--set", "data.root=" + root, "--set", "model.sample_rate=8000",
            "--set", "model.n_points=800", "-o", *dir_ / out};
  }

  static TempDir* dir_;
};
TempDir* BadInput::dir_ = nullptr;

TEST_F(BadInput, AudioFilesAreRefusedNamingTheFileAndTheReason) {
  const std::string good = wav(8000, 1, 16, 1, pcm16(800));
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"empty file", file("audio/empty.wav", ""), "is empty"},
      {"truncated (data chunk cut)", file("audio/truncated.wav", good.substr(0, good.size() / 2)), "truncated"},
      {"header only", file("audio/header.wav", good.substr(0, 30)), "header.wav"},
      {"wrong extension (.mp3)", file("audio/song.mp3", good), "unsupported file type '.mp3'"},
      {"WAV data named .flac", file("audio/named.flac", good), "holds WAV data but its extension is '.flac'"},
      {"0 channels", file("audio/zero_channels.wav", wav(8000, 0, 16, 1, std::string(100, '\0'))), "zero_channels.wav"},
      {"1 sample", file("audio/one_sample.wav", wav(8000, 1, 16, 1, pcm16(1))), "holds only 1 frame(s)"},
      {"NaN samples", file("audio/nan.wav", wav(8000, 1, 32, 3, floats(800, std::nanf("")))), "NaN samples"},
      {"Inf samples",
       file("audio/inf.wav", wav(8000, 1, 32, 3, floats(800, std::numeric_limits<float>::infinity()))),
       "infinite samples"},
      {"1 Hz sample rate", file("audio/rate1.wav", wav(1, 1, 16, 1, pcm16(10))), "sample rate 1 Hz is outside"},
      {"missing file", *dir_ / "audio/none.wav", "none.wav"},
  };
  for (const auto& [what, path, fragment] : cases) {
    const auto err = expect_refused(what, {"predict", ckpt(), path}, fragment);
    EXPECT_NE(err.find(fs::path(path).filename().string()), std::string::npos) << what << ": names the file";
  }
}

// Valid extremes are not errors: 384 kHz is resampled, an hour-long file is decoded and cut to the
// model's length, a folder link (even a loop) is not followed.
TEST_F(BadInput, ValidExtremesJustWork) {
  const auto high = file("ok/rate384k.wav", wav(384000, 1, 16, 1, pcm16(384000)));
  // One hour at 8 kHz, 16-bit: 57.6 MB, written sparse (zeros, then a tone at the end).
  const auto hour = dir_->file("ok/hour.wav");
  {
    const uint32_t bytes = 3600u * 8000u * 2u;
    std::ofstream out(hour, std::ios::binary);
    out << wav(8000, 1, 16, 1, "", bytes);
    out.seekp(44 + bytes - 1600);
    out << pcm16(800);
  }
  fs::create_directories(*dir_ / "ok/loop/a");
  fs::create_symlink("..", *dir_ / "ok/loop/a/up");
  file("ok/loop/a/clip.wav", wav(8000, 1, 16, 1, pcm16(800)));
  for (const auto& input : {high, hour, *dir_ / "ok/loop"}) {
    const auto r = run_process({cli_path(), "predict", ckpt(), input}, kEnv);
    std::cout << "[bad-input] " << input << " -> exit " << r.exit_code << ": " << r.out;
    EXPECT_EQ(r.exit_code, 0) << input << "\n" << r.err;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << input << "\n" << r.out;
  }
}

TEST_F(BadInput, FoldersAndManifestsAreRefusedNamingTheFileAndLine) {
  const std::string clip = wav(8000, 1, 16, 1, pcm16(800));
  file("set/a/x.wav", clip);
  file("set/b/y.wav", clip);
  file("set/b/z.wav", clip);
  // Unreadable folder: root ignores permissions, so the tool runs without its DAC capabilities.
  fs::create_directories(*dir_ / "locked/a");
  file("locked/a/x.wav", clip);
  fs::create_directories(*dir_ / "locked/b");
  fs::permissions(*dir_ / "locked/b", fs::perms::none);
  const std::vector<std::string> no_override{"/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search"};
  if (::geteuid() == 0) {
    expect_refused("unreadable class folder (train)", train_on("folder", *dir_ / "locked", "r1"), "cannot be listed",
                   no_override);
    expect_refused("unreadable folder (predict)", {"predict", ckpt(), *dir_ / "locked"}, "locked/b", no_override);
  } else {
    expect_refused("unreadable class folder (train)", train_on("folder", *dir_ / "locked", "r1"), "cannot be listed");
  }
  fs::permissions(*dir_ / "locked/b", fs::perms::owner_all);

  const auto manifest = [&](const std::string& name, const std::string& text) { return file("set/" + name, text); };
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"manifest row with a missing column", manifest("cols.csv", "path,label\na/x.wav\n"),
       "line 2: expected path,label[,split], found 1 fields"},
      {"manifest with an unclosed quote", manifest("quote.csv", "path,label\n\"a/x.wav,a\nb/y.wav,b\n"),
       "a quoted field is never closed"},
      {"manifest listing a file twice (duplicate labels)",
       manifest("dup.csv", "path,label\na/x.wav,a\nb/y.wav,b\na/x.wav,b\n"), "line 4: 'a/x.wav' is listed again"},
      {"manifest with a non-UTF-8 path", manifest("bytes.csv", "path,label\na/x.wav,a\nb/\xff\xfe.wav,b\n"),
       "b/\xff\xfe.wav"},
      {"manifest with a relative path that does not exist",
       manifest("relative.csv", "path,label\na/x.wav,a\n../elsewhere/y.wav,b\n"), (*dir_ / "elsewhere/y.wav")},
      {"manifest with no rows", manifest("empty.csv", "path,label\n"), "lists no clip"},
      {"missing manifest", *dir_ / "set/none.csv", "none.csv"},
  };
  int n = 0;
  for (const auto& [what, path, fragment] : cases) {
    expect_refused(what, train_on("manifest", path, "m" + std::to_string(n++)), fragment);
  }
  expect_refused("data root that is a file", train_on("folder", *dir_ / "set/a/x.wav", "f1"), "x.wav");
}

TEST_F(BadInput, ConfigValuesAndGridsAreRefusedNamingTheKey) {
  const auto yaml = [&](const std::string& name, const std::string& text) { return file("config/" + name, text); };
  const std::vector<std::tuple<std::string, std::vector<std::string>, std::string>> cases{
      {"value out of range (--set)", {"train", "--set", "train.lr_model=-1"}, "train.lr_model"},
      {"value out of range (YAML)", {"train", "-c", yaml("range.yaml", "train: {momentum: 1.5}\n")}, "train.momentum"},
      {"wrong type", {"train", "-c", yaml("type.yaml", "train: {batch_size: [1, 2]}\n")}, "train.batch_size"},
      {"wrong type (string for a number)", {"train", "-c", yaml("type2.yaml", "train: {max_epochs: many}\n")},
       "train.max_epochs"},
      {"duplicated key",
       {"train", "-c", yaml("dup.yaml", "train:\n  lr_model: 0.1\n  lr_model: 0.2\n")},
       "config key 'train.lr_model' is given twice"},
      {"duplicated key (nested and dotted)",
       {"train", "-c", yaml("dup2.yaml", "train: {seed: 1}\ntrain.seed: 2\n")}, "train.seed"},
      {"unknown key", {"train", "--set", "train.nonsense=1"}, "train.nonsense"},
      {"not YAML", {"train", "-c", yaml("broken.yaml", "train: {seed: [1,\n")}, "broken.yaml"},
      {"bad on_nonfinite", {"train", "--set", "train.on_nonfinite=ignore"}, "train.on_nonfinite"},
      {"grid with zero cells",
       {"experiment", yaml("zero.yaml", "output: " + (*dir_ / "exp0") + "\ngrid:\n  train.lr_model: []\n")},
       "grid key 'train.lr_model'"},
      {"grid value out of range",
       {"experiment", yaml("gridrange.yaml", "output: " + (*dir_ / "exp1") + "\ngrid:\n  train.batch_size: [8, 0]\n")},
       "train.batch_size"},
      {"duplicated key in an experiment",
       {"experiment", yaml("expdup.yaml", "output: " + (*dir_ / "exp2") + "\nruns: 1\nruns: 2\ntrain: {max_epochs: 1}\n")}, "'runs' is given twice"},
  };
  for (const auto& [what, args, fragment] : cases) expect_refused(what, args, fragment);
}

TEST_F(BadInput, CheckpointsAndResultFilesThatCannotBeTrustedAreRefused) {
  const auto bytes = util::read_file(ckpt());
  auto changed = bytes;
  changed[bytes.size() / 2] = static_cast<char>(changed[bytes.size() / 2] ^ 1);
  auto newer = bytes;
  newer[8] = 9;
  const std::vector<std::tuple<std::string, std::string, std::string>> cases{
      {"truncated checkpoint", file("ckpt/cut.ckpt", bytes.substr(0, bytes.size() - 100)), "truncated checkpoint"},
      {"modified checkpoint", file("ckpt/changed.ckpt", changed), "checksum mismatch"},
      {"checkpoint of a newer format", file("ckpt/newer.ckpt", newer), "newer tfgram (checkpoint format 9"},
      {"checkpoint of format 1 (no checksum)", file("ckpt/v1.ckpt", bytes.substr(32)), "format 1"},
      {"not a checkpoint", file("ckpt/text.ckpt", "hello"), "not a tfgram checkpoint"},
      {"empty checkpoint", file("ckpt/empty.ckpt", ""), "empty"},
  };
  for (const auto& [what, path, fragment] : cases) {
    expect_refused(what + " (info)", {"info", path}, fragment);
    expect_refused(what + " (predict)", {"predict", path, *dir_ / "x.wav"}, fragment);
  }
  // A checkpoint for another model: resuming a run folder with a different configuration.
  fs::create_directories(*dir_ / "other");
  fs::copy_file(*dir_ / "model/last.ckpt", *dir_ / "other/last.ckpt");
  expect_refused("a run folder holding another model's checkpoint",
                 {"train", "-q", "-c", *dir_ / "pulses.yaml", "--set", "model.backbone.kind=mel_linear", "-o",
                  *dir_ / "other"},
                 "different configuration");
  // result.json and results.csv.
  auto result = util::read_file(*dir_ / "model/result.json");
  result.replace(result.find("\"epochs\": 1"), 11, "\"epochs\": 2");
  fs::create_directories(*dir_ / "edited");
  fs::copy_file(*dir_ / "model/last.ckpt", *dir_ / "edited/last.ckpt");
  util::write_file_atomic(*dir_ / "edited/result.json", result);
  expect_refused("edited result.json", {"train", "-q", "-c", *dir_ / "pulses.yaml", "-o", *dir_ / "edited"},
                 "result.json: checksum mismatch");
  expect_refused("results.csv without its integrity line",
                 {"table", file("results/plain.csv", "cell,run,seed,test_accuracy\nx,0,1,0.5\n")},
                 "no '# tfgram-results' integrity line");
  expect_refused("missing results.csv", {"table", *dir_ / "results/none.csv"}, "none.csv");
}

}  // namespace
}  // namespace tfgram::testing
