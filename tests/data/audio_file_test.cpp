// Decoding, resampling and length fitting on files the tests write themselves.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "data/data_test_util.h"
#include "tfgram/data/audio_file.h"
#include "tfgram/data/fit_length.h"
#include "tfgram/data/resample.h"

namespace tfgram::data::testing {
namespace {

namespace fs = std::filesystem;

class DataAudioFile : public DataTest {};

torch::Tensor as_tensor(const std::vector<float>& v) {
  return torch::from_blob(const_cast<float*>(v.data()), {static_cast<int64_t>(v.size())}, torch::kFloat32).clone();
}

// The reason an AudioFileError gives for `path`, checking that what() names the file.
std::string failure_reason(const std::string& path) {
  try {
    read_audio(path);
  } catch (const AudioFileError& error) {
    EXPECT_EQ(error.path(), path);
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
    return error.reason();
  }
  ADD_FAILURE() << "no AudioFileError for " << path;
  return "";
}

TEST_F(DataAudioFile, StereoWav24BitAt44kDecodesToChannelMean) {
  const std::string path = temp.file("stereo.wav");
  const auto samples = tone(4410, 440.0, 44100.0, 2);
  write_audio(path, samples, 44100, AudioEncoding::kPcm24);

  const AudioInfo info = probe_audio(path);
  EXPECT_EQ(info.container, "WAV");
  EXPECT_EQ(info.encoding, "PCM_24");
  EXPECT_EQ(info.channels, 2);
  EXPECT_EQ(info.sample_rate, 44100);
  EXPECT_EQ(info.frames, 4410);
  EXPECT_NEAR(info.seconds(), 0.1, 1e-12);

  const AudioClip clip = read_audio(path);
  EXPECT_EQ(clip.sample_rate, 44100);
  EXPECT_EQ(clip.channels, 2);
  ASSERT_EQ(clip.samples.size(), 4410u);
  const auto expected = samples.mean(0);
  EXPECT_LT((as_tensor(clip.samples) - expected).abs().max().item<double>(), 2.0 / (1 << 23));
}

TEST_F(DataAudioFile, IntegerAndFloatEncodingsRoundTrip) {
  struct Case {
    const char* name;
    AudioEncoding encoding;
    double tolerance;
  };
  for (const Case& c : {Case{"pcm8.wav", AudioEncoding::kPcm8, 1.0 / 64}, Case{"pcm16.wav", AudioEncoding::kPcm16, 1e-4},
                        Case{"pcm32.wav", AudioEncoding::kPcm32, 1e-7}, Case{"float.wav", AudioEncoding::kFloat32, 0.0},
                        Case{"pcm16.flac", AudioEncoding::kPcm16, 1e-4}, Case{"pcm24.flac", AudioEncoding::kPcm24, 1e-6},
                        Case{"pcm8.flac", AudioEncoding::kPcm8, 1.0 / 64}}) {
    SCOPED_TRACE(c.name);
    const std::string path = temp.file(c.name);
    const auto samples = tone(1000, 300.0, 16000.0);
    write_audio(path, samples, 16000, c.encoding);
    const AudioClip clip = read_audio(path);
    EXPECT_EQ(clip.sample_rate, 16000);
    ASSERT_EQ(clip.samples.size(), 1000u);
    EXPECT_LE((as_tensor(clip.samples) - samples[0]).abs().max().item<double>(), c.tolerance);
  }
  EXPECT_EQ(probe_audio(temp.file("pcm24.flac")).container, "FLAC");
  EXPECT_EQ(probe_audio(temp.file("pcm24.flac")).encoding, "PCM_24");
}

TEST_F(DataAudioFile, OggVorbisDecodesWithItsLengthAndLevel) {
  const std::string path = temp.file("tone.ogg");
  const auto samples = tone(22050, 440.0, 22050.0, 3);
  write_audio(path, samples, 22050);
  const AudioInfo info = probe_audio(path);
  EXPECT_EQ(info.container, "OGG");
  EXPECT_EQ(info.encoding, "VORBIS");
  EXPECT_EQ(info.channels, 3);
  const AudioClip clip = read_audio(path);
  EXPECT_EQ(clip.channels, 3);
  EXPECT_EQ(clip.samples.size(), 22050u);
  // Lossy: compare levels, not samples.
  const double rms_in = samples.mean(0).pow(2).mean().sqrt().item<double>();
  const double rms_out = as_tensor(clip.samples).pow(2).mean().sqrt().item<double>();
  EXPECT_NEAR(rms_out, rms_in, 0.05 * rms_in);
}

TEST_F(DataAudioFile, BadFilesNameTheFileAndTheReason) {
  const std::string good = temp.file("good.wav");
  write_tone(good, 1000, 440.0, 8000);

  const std::string empty = temp.file("empty.wav");
  std::ofstream(empty).close();
  EXPECT_NE(failure_reason(empty).find("empty"), std::string::npos);

  const std::string header_cut = temp.file("header_cut.wav");
  fs::copy_file(good, header_cut);
  fs::resize_file(header_cut, 30);
  EXPECT_NE(failure_reason(header_cut).find("not a valid audio file"), std::string::npos);

  const std::string data_cut = temp.file("data_cut.wav");
  fs::copy_file(good, data_cut);
  fs::resize_file(data_cut, 44 + 500 * 2);
  EXPECT_NE(failure_reason(data_cut).find("truncated"), std::string::npos);

  const std::string flac_cut = temp.file("cut.flac");
  write_tone(flac_cut, 8000, 440.0, 8000);
  fs::resize_file(flac_cut, fs::file_size(flac_cut) / 2);
  EXPECT_FALSE(failure_reason(flac_cut).empty());

  const std::string garbage = temp.file("garbage.wav");
  std::ofstream(garbage) << "this is not audio at all, just some text pretending to be a wave file";
  EXPECT_NE(failure_reason(garbage).find("not a valid audio file"), std::string::npos);

  auto nan_samples = tone(100, 440.0, 8000.0);
  nan_samples[0][37] = std::numeric_limits<float>::quiet_NaN();
  const std::string nan = temp.file("nan.wav");
  write_audio(nan, nan_samples, 8000, AudioEncoding::kFloat32);
  const std::string nan_reason = failure_reason(nan);
  EXPECT_NE(nan_reason.find("NaN"), std::string::npos) << nan_reason;
  EXPECT_NE(nan_reason.find("frame 37"), std::string::npos) << nan_reason;

  auto inf_samples = tone(100, 440.0, 8000.0);
  inf_samples[0][3] = std::numeric_limits<float>::infinity();
  const std::string inf = temp.file("inf.wav");
  write_audio(inf, inf_samples, 8000, AudioEncoding::kFloat32);
  EXPECT_NE(failure_reason(inf).find("infinite"), std::string::npos);

  const std::string wrong_extension = temp.file("really_wav.flac");
  fs::copy_file(good, wrong_extension);
  const std::string mismatch = failure_reason(wrong_extension);
  EXPECT_NE(mismatch.find("holds WAV data"), std::string::npos) << mismatch;

  const std::string unsupported = temp.file("song.mp3");
  fs::copy_file(good, unsupported);
  EXPECT_NE(failure_reason(unsupported).find("unsupported file type '.mp3'"), std::string::npos);
  EXPECT_NE(failure_reason(temp.file("no_extension")).find("unsupported"), std::string::npos);

  EXPECT_NE(failure_reason(temp.file("missing.wav")).find("cannot be read"), std::string::npos);
  EXPECT_THROW(probe_audio(empty), AudioFileError);
  EXPECT_THROW(probe_audio(data_cut), AudioFileError);
  EXPECT_NO_THROW(probe_audio(good));
  EXPECT_TRUE(is_audio_path("A.WAV"));
  EXPECT_TRUE(is_audio_path("x/y.oga"));
  EXPECT_FALSE(is_audio_path("x.mp3"));
}

TEST_F(DataAudioFile, WriteRejectsImpossibleCombinations) {
  EXPECT_THROW(write_audio(temp.file("x.mp3"), tone(10, 1, 8000), 8000), std::invalid_argument);
  EXPECT_THROW(write_audio(temp.file("x.flac"), tone(10, 1, 8000), 8000, AudioEncoding::kFloat32),
               std::invalid_argument);
  EXPECT_THROW(write_audio(temp.file("x.wav"), tone(10, 1, 8000), 0), std::invalid_argument);
  EXPECT_THROW(write_audio(temp.file("x.wav"), torch::zeros({1, 2, 3}), 8000), std::invalid_argument);
  EXPECT_THROW(write_audio((temp.path() / "no" / "such" / "dir.wav").string(), tone(10, 1, 8000), 8000), FileError);
}

TEST_F(DataAudioFile, ResampleKeepsToneAndPredictsLength) {
  // 44.1 kHz → 8 kHz: a 440 Hz tone stays a 440 Hz tone.
  const auto high = tone(44100, 440.0, 44100.0)[0];
  const std::vector<float> in(high.data_ptr<float>(), high.data_ptr<float>() + high.numel());
  const auto out = resample(in, 44100, 8000);
  ASSERT_EQ(out.size(), 8000u);
  const auto expected = tone(8000, 440.0, 8000.0)[0];
  // Ignore the filter's edge transients.
  const auto middle = as_tensor(out).slice(0, 200, 7800);
  EXPECT_LT((middle - expected.slice(0, 200, 7800)).abs().max().item<double>(), 1e-3);

  for (const int64_t n : {1, 7, 100, 4410, 220544}) {
    EXPECT_EQ(resample(std::vector<float>(static_cast<size_t>(n), 0.1f), 44100, 8000).size(),
              static_cast<size_t>(std::llround(n * 8000.0 / 44100.0)))
        << n;
  }
  EXPECT_EQ(resample(std::vector<float>(1000, 0.1f), 8000, 16000).size(), 2000u);
  EXPECT_EQ(resample(in, 44100, 44100), in);
  EXPECT_THROW(resample(in, 0, 8000), std::invalid_argument);

  const auto batch = resample(torch::stack({high, -high}).to(torch::kFloat64), 44100, 8000);
  EXPECT_EQ(batch.sizes(), (std::vector<int64_t>{2, 8000}));
  EXPECT_EQ(batch.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::allclose(batch[0], as_tensor(out)));
  EXPECT_TRUE(torch::allclose(batch[1], -as_tensor(out)));
}

TEST_F(DataAudioFile, FitLengthPolicies) {
  const std::vector<float> x = {1, 2, 3};
  EXPECT_EQ(fit_length(x, 5, LengthPolicy::kStart), (std::vector<float>{1, 2, 3, 0, 0}));
  EXPECT_EQ(fit_length(x, 2, LengthPolicy::kStart), (std::vector<float>{1, 2}));
  EXPECT_EQ(fit_length(x, 2, LengthPolicy::kNone), x);
  // np.pad(x, 1 + (8 - 3) // 2)[:8] = [0 0 0 1 2 3 0 0]
  EXPECT_EQ(fit_length(x, 8, LengthPolicy::kCentre), (std::vector<float>{0, 0, 0, 1, 2, 3, 0, 0}));
  // n == length still shifts by one: np.pad(x, 1)[:3] = [0 1 2]
  EXPECT_EQ(fit_length(x, 3, LengthPolicy::kCentre), (std::vector<float>{0, 1, 2}));
  // np.pad(x, 1 + (4 - 3) // 2)[:4] = [0 1 2 3]
  EXPECT_EQ(fit_length(x, 4, LengthPolicy::kCentre), (std::vector<float>{0, 1, 2, 3}));
  // Longer clips keep their centre: 10 → 7 starts at input 1.
  const std::vector<float> ten = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(fit_length(ten, 7, LengthPolicy::kCentre), (std::vector<float>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(fit_offset(3, 8, LengthPolicy::kCentre), 3);
  EXPECT_EQ(fit_offset(3, 8, LengthPolicy::kStart), 0);

  const auto t = torch::arange(10, torch::kFloat32).view({1, 10});
  for (const auto policy : {LengthPolicy::kStart, LengthPolicy::kCentre}) {
    for (const int64_t length : {3, 7, 10, 15}) {
      const auto expected = fit_length(ten, length, policy);
      EXPECT_TRUE(torch::equal(fit_length(t, length, policy)[0], as_tensor(expected)))
          << to_string(policy) << " " << length;
    }
  }
  EXPECT_THROW(fit_length(x, 0, LengthPolicy::kStart), std::invalid_argument);
  EXPECT_EQ(parse_length_policy("Center"), LengthPolicy::kCentre);
  EXPECT_EQ(parse_length_policy("start"), LengthPolicy::kStart);
  EXPECT_EQ(to_string(parse_length_policy("none")), "none");
  EXPECT_THROW(parse_length_policy("middle"), std::invalid_argument);
}

}  // namespace
}  // namespace tfgram::data::testing
