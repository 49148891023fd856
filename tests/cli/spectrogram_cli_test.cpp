// `tfgram spectrogram` run as a real child process on FSDD recordings: every front-end kind
// writes a non-constant figure (gnuplot) of the requested size; bad input exits 2 with one line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "report/report_test_util.h"
#include "support/golden.h"
#include "support/process.h"
#include "tfgram/data/audio_file.h"
#include "tfgram/report/png.h"

namespace tfgram::report {
namespace {

namespace fs = std::filesystem;
using tfgram::testing::ProcessResult;
using testing::TempFolder;

std::string fsdd_file(const std::string& name) {
  return (fs::path(tfgram::testing::data_dir()) / "fsdd" / "recordings" / name).string();
}

// Exactly one line, ending in a newline.
bool one_line(const std::string& text) {
  return !text.empty() && text.back() == '\n' && std::count(text.begin(), text.end(), '\n') == 1;
}

class SpectrogramCli : public ::testing::Test {
 protected:
  void SetUp() override {
    binary = tfgram::testing::cli_path();  // tests/CMakeLists.txt builds it first
    ASSERT_TRUE(fs::exists(binary)) << "the tfgram binary is not built at '" << binary
                                    << "'; build the tfgram_cli target before the tests";
    audio = fsdd_file("3_jackson_0.wav");
    if (!fs::exists(audio)) GTEST_SKIP() << "FSDD not found at " << audio << " (set TFGRAM_DATA_DIR)";
    samples = data::probe_audio(audio).frames;
  }

  ProcessResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {binary, "spectrogram"});
    return tfgram::testing::run_process(args);
  }

  std::string binary;
  std::string audio;
  int64_t samples = 0;
  TempFolder folder;
};

TEST_F(SpectrogramCli, EveryFrontendKindWritesAFigureOfTheRequestedSize) {
  // gnuplot draws axes, title and colour bar; the default size is 900 × 500.
  for (const std::string kind : {"dmel", "logmel", "spectrogram", "degram", "dspec"}) {
    const std::string out = folder.file(kind + ".png");
    const ProcessResult r = run({audio, "--frontend", kind, "-o", out});
    ASSERT_EQ(r.exit_code, 0) << kind << ": " << r.err;
    EXPECT_NE(r.out.find("wrote " + out + " (900 × 500 px)"), std::string::npos) << r.out;
    EXPECT_EQ(png_size(out), (PngSize{900, 500})) << kind;
    // Not a constant image: the representation spans the colour map.
    EXPECT_GT(testing::png_luminance_variance(out), 300.0) << kind;
  }
}

TEST_F(SpectrogramCli, SetResampleSecondsAndSizeShapeTheImage) {
  const std::string out = folder.file("set.png");
  // 16 kHz, first 0.25 s = 4000 samples → 1 + 4000/80 = 51 frames; 32 mels.
  const ProcessResult r = run({audio, "--frontend", "logmel", "--sample-rate", "16000", "--seconds", "0.25",
                             "--set", "frontend.dmel.n_mels=32", "--width", "640", "--height", "360", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("32 rows × 51 frames"), std::string::npos) << r.out;
  EXPECT_EQ(png_size(out), (PngSize{640, 360}));
}

TEST_F(SpectrogramCli, HelpDescribesTheOptions) {
  const ProcessResult r = run({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* option : {"--frontend", "--output", "--sample-rate", "--seconds", "--set", "--width", "--height"}) {
    EXPECT_NE(r.out.find(option), std::string::npos) << option << " missing from:\n" << r.out;
  }
}

TEST_F(SpectrogramCli, MissingFileExitsTwoWithOneLineNamingIt) {
  const std::string missing = folder.file("no_such_recording.wav");
  const std::string out = folder.file("never.png");
  const ProcessResult r = run({missing, "--frontend", "dmel", "-o", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(SpectrogramCli, UnknownFrontendExitsTwoWithOneLineNamingIt) {
  const std::string out = folder.file("never.png");
  const ProcessResult r = run({audio, "--frontend", "wavelets", "-o", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(one_line(r.err)) << r.err;
  EXPECT_NE(r.err.find("wavelets"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("dmel"), std::string::npos) << "the known kinds are listed: " << r.err;
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(SpectrogramCli, BadValuesExitTwoWithOneLineNamingTheKey) {
  const std::string out = folder.file("never.png");
  struct Case {
    std::vector<std::string> args;
    std::string mention;
    bool one_line;  // CLI11's own usage errors add a "Run with --help" line (main.cpp's choice)
  };
  const std::vector<Case> cases = {
      {{"--set", "frontend.dmel.n_mels=-3"}, "frontend.dmel.n_mels", true},
      {{"--set", "frontend.dmel.colour=3"}, "frontend.dmel.colour", true},
      {{"--set", "no_equals_sign"}, "--set", true},
      {{"--frontend", "degram", "--set", "frontend.degram.attention.strategy=sideways"}, "sideways", true},
      {{"--colormap", "jet"}, "jet", true},
      {{"--low-percentile", "99.9"}, "percentile", true},
      {{"--window-ms", "-5"}, "--window-ms", false},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {audio, "-o", out};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const ProcessResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << c.mention << ": " << r.err;
    EXPECT_NE(r.err.find(c.mention), std::string::npos) << r.err;
    if (c.one_line) EXPECT_TRUE(one_line(r.err)) << r.err;
    EXPECT_FALSE(fs::exists(out)) << c.mention;
  }
}

}  // namespace
}  // namespace tfgram::report
