#include "tfgram/data/audio_file.h"

#include <sndfile.h>
#include <sys/stat.h>
#include <torch/torch.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>

#include "tfgram/util/check.h"

namespace tfgram::data {
namespace {

namespace fs = std::filesystem;

struct SndfileCloser {
  void operator()(SNDFILE* file) const { sf_close(file); }
};
using SndfilePtr = std::unique_ptr<SNDFILE, SndfileCloser>;

std::string lower_extension(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

enum class Container { kUnknown, kWav, kFlac, kOgg };

Container container_for_extension(const std::string& ext) {
  if (ext == ".wav" || ext == ".wave") return Container::kWav;
  if (ext == ".flac") return Container::kFlac;
  if (ext == ".ogg" || ext == ".oga") return Container::kOgg;
  return Container::kUnknown;
}

bool major_matches(Container container, int major) {
  switch (container) {
    case Container::kWav: return major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX || major == SF_FORMAT_RF64;
    case Container::kFlac: return major == SF_FORMAT_FLAC;
    case Container::kOgg: return major == SF_FORMAT_OGG;
    case Container::kUnknown: return false;
  }
  return false;
}

std::string major_name(int major) {
  switch (major) {
    case SF_FORMAT_WAV: return "WAV";
    case SF_FORMAT_WAVEX: return "WAVEX";
    case SF_FORMAT_RF64: return "RF64";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_OGG: return "OGG";
  }
  SF_FORMAT_INFO info{};
  info.format = major;
  if (sf_command(nullptr, SFC_GET_FORMAT_MAJOR, &info, sizeof(info)) == 0 && info.name != nullptr) {
    return info.name;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "format 0x%06x", major);
  return buffer;
}

std::string subtype_name(int subtype) {
  switch (subtype) {
    case SF_FORMAT_PCM_S8: return "PCM_8";
    case SF_FORMAT_PCM_U8: return "PCM_U8";
    case SF_FORMAT_PCM_16: return "PCM_16";
    case SF_FORMAT_PCM_24: return "PCM_24";
    case SF_FORMAT_PCM_32: return "PCM_32";
    case SF_FORMAT_FLOAT: return "FLOAT";
    case SF_FORMAT_DOUBLE: return "DOUBLE";
    case SF_FORMAT_VORBIS: return "VORBIS";
    case SF_FORMAT_OPUS: return "OPUS";
    case SF_FORMAT_ULAW: return "ULAW";
    case SF_FORMAT_ALAW: return "ALAW";
  }
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "subtype 0x%04x", subtype);
  return buffer;
}

// libsndfile reports a failed open through one global error code, which a concurrent open on
// another thread may overwrite; reopening under a lock gives the file's own message.
std::string open_failure_reason(const std::string& path) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  SF_INFO info{};
  SNDFILE* again = sf_open(path.c_str(), SFM_READ, &info);
  if (again != nullptr) {
    sf_close(again);
    return "cannot be opened by libsndfile";
  }
  std::string message = sf_strerror(nullptr);
  while (!message.empty() && (message.back() == '.' || std::isspace(static_cast<unsigned char>(message.back())))) {
    message.pop_back();
  }
  return "not a valid audio file (libsndfile: " + message + ")";
}

// The checks every read and probe share: the file exists, has bytes, has a known extension,
// opens, and holds what its extension says.
SndfilePtr open_checked(const std::string& path, SF_INFO& info) {
  const Container container = container_for_extension(lower_extension(path));
  if (container == Container::kUnknown) {
    const std::string ext = fs::path(path).extension().string();
    throw AudioFileError(path, "unsupported file type '" + (ext.empty() ? std::string("(no extension)") : ext) +
                                   "' (expected .wav, .flac, .ogg or .oga)");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw AudioFileError(path, std::string("cannot be read: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) throw AudioFileError(path, "is not a regular file");
  if (st.st_size == 0) throw AudioFileError(path, "is empty (0 bytes)");

  info = SF_INFO{};
  SndfilePtr file(sf_open(path.c_str(), SFM_READ, &info));
  if (!file) throw AudioFileError(path, open_failure_reason(path));
  const int major = info.format & SF_FORMAT_TYPEMASK;
  if (!major_matches(container, major)) {
    throw AudioFileError(path, "holds " + major_name(major) + " data but its extension is '" +
                                   fs::path(path).extension().string() + "'");
  }
  if (info.channels <= 0) throw AudioFileError(path, "header gives no channels");
  if (info.samplerate <= 0) throw AudioFileError(path, "header gives no sample rate");
  return file;
}

// libsndfile clamps a WAV whose data chunk runs past the end of the file and only notes it in
// its log ("data : 2000 (should be 1000)"); a declared size larger than what is there means the
// file was cut short. 0 and 0xFFFFFFFF are streaming placeholders, not truncation.
void check_wav_data_chunk(SNDFILE* file, const std::string& path) {
  std::string log(16384, '\0');
  sf_command(file, SFC_GET_LOG_INFO, log.data(), static_cast<int>(log.size()));
  log.resize(std::strlen(log.c_str()));
  size_t line_start = 0;
  while (line_start < log.size()) {
    size_t line_end = log.find('\n', line_start);
    if (line_end == std::string::npos) line_end = log.size();
    const std::string line = log.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.rfind("data", 0) != 0) continue;
    unsigned long long declared = 0;
    unsigned long long actual = 0;
    if (std::sscanf(line.c_str(), "data : %llu (should be %llu)", &declared, &actual) == 2 &&
        declared > actual && declared != 0xFFFFFFFFULL) {
      throw AudioFileError(path, "truncated: the data chunk declares " + std::to_string(declared) +
                                     " bytes but only " + std::to_string(actual) + " are present");
    }
  }
}

}  // namespace

// Sample rates outside what any recording uses: a damaged or hand-made header.
constexpr int64_t kMinRate = 100;
constexpr int64_t kMaxRate = 768000;
static void check_rate(int64_t rate, const std::string& path) {
  if (rate < kMinRate || rate > kMaxRate) {
    throw AudioFileError(path, "sample rate " + std::to_string(rate) + " Hz is outside the supported " +
                                   std::to_string(kMinRate) + "-" + std::to_string(kMaxRate) + " Hz");
  }
}

bool is_audio_path(const std::string& path) {
  return container_for_extension(lower_extension(path)) != Container::kUnknown;
}

AudioInfo probe_audio(const std::string& path) {
  SF_INFO info{};
  SndfilePtr file = open_checked(path, info);
  const int major = info.format & SF_FORMAT_TYPEMASK;
  if (major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX || major == SF_FORMAT_RF64) {
    check_wav_data_chunk(file.get(), path);
  }
  check_rate(info.samplerate, path);
  AudioInfo out;
  out.container = major_name(major);
  out.encoding = subtype_name(info.format & SF_FORMAT_SUBMASK);
  out.sample_rate = info.samplerate;
  out.channels = info.channels;
  out.frames = info.frames;
  return out;
}

AudioClip read_audio(const std::string& path) {
  SF_INFO info{};
  SndfilePtr file = open_checked(path, info);
  const int major = info.format & SF_FORMAT_TYPEMASK;
  if (major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX || major == SF_FORMAT_RF64) {
    check_wav_data_chunk(file.get(), path);
  }
  check_rate(info.samplerate, path);
  const int64_t channels = info.channels;
  // The header's frame count may be unknown (0, or SF_COUNT_MAX for streamed FLAC) or wrong:
  // read until the decoder stops rather than trusting it.
  const bool header_knows_frames = info.frames > 0 && info.frames < (int64_t{1} << 40);
  AudioClip clip;
  clip.sample_rate = info.samplerate;
  clip.channels = channels;
  // A damaged header may promise absurd lengths: reserve at most 16M samples up front.
  if (header_knows_frames) clip.samples.reserve(static_cast<size_t>(std::min<int64_t>(info.frames, int64_t{1} << 24)));

  constexpr sf_count_t kChunkFrames = 32768;
  std::vector<float> chunk(static_cast<size_t>(kChunkFrames * channels));
  int64_t frame = 0;
  for (;;) {
    const sf_count_t got = sf_readf_float(file.get(), chunk.data(), kChunkFrames);
    if (got <= 0) break;
    for (sf_count_t i = 0; i < got * channels; ++i) {
      if (!std::isfinite(chunk[static_cast<size_t>(i)])) {
        throw AudioFileError(path, std::string("holds ") + (std::isnan(chunk[static_cast<size_t>(i)]) ? "NaN" : "infinite") +
                                       " samples (first at frame " + std::to_string(frame + i / channels) +
                                       ", channel " + std::to_string(i % channels) + ")");
      }
    }
    if (channels == 1) {
      clip.samples.insert(clip.samples.end(), chunk.begin(), chunk.begin() + got);
    } else {
      for (sf_count_t f = 0; f < got; ++f) {
        const float* values = chunk.data() + f * channels;
        // In double: the sum of finite floats near FLT_MAX would overflow to Inf in float
        // (found by fuzz/fuzz_audio; input in fuzz/regressions/fuzz_audio/).
        double sum = 0.0;
        for (int64_t c = 0; c < channels; ++c) sum += values[c];
        clip.samples.push_back(static_cast<float>(sum / static_cast<double>(channels)));
      }
    }
    frame += got;
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR) {
    throw AudioFileError(path, std::string("corrupt: decoding stopped after ") + std::to_string(frame) +
                                   " frames (libsndfile: " + sf_strerror(file.get()) + ")");
  }
  if (frame == 0) throw AudioFileError(path, "holds no audio frames");
  // Shorter than a millisecond (or a single sample) is no recording.
  if (frame < std::max<int64_t>(2, clip.sample_rate / 1000)) {
    throw AudioFileError(path, "holds only " + std::to_string(frame) + " frame(s); at least 1 ms of audio (" +
                                   std::to_string(std::max<int64_t>(2, clip.sample_rate / 1000)) + " frames at " +
                                   std::to_string(clip.sample_rate) + " Hz) is needed");
  }
  if (header_knows_frames && frame < info.frames) {
    throw AudioFileError(path, "truncated: the header gives " + std::to_string(info.frames) +
                                   " frames but only " + std::to_string(frame) + " could be decoded");
  }
  return clip;
}

void write_audio(const std::string& path, const torch::Tensor& samples, int64_t sample_rate,
                 AudioEncoding encoding) {
  constexpr const char* where = "write_audio";
  const std::string ext = lower_extension(path);
  const Container container = container_for_extension(ext);
  util::require(container != Container::kUnknown, where, "cannot tell the container of '", path,
                "' (use .wav, .flac, .ogg or .oga)");
  util::require(sample_rate > 0, where, "sample_rate must be > 0, got ", sample_rate);
  util::require(samples.dim() == 1 || samples.dim() == 2, where,
                "samples must be (N) or (C, N), got ", samples.sizes());
  util::require(samples.is_floating_point(), where, "samples must be floating point, got ",
                samples.scalar_type());

  int major = SF_FORMAT_WAV;
  if (container == Container::kFlac) major = SF_FORMAT_FLAC;
  if (container == Container::kOgg) major = SF_FORMAT_OGG;
  int subtype = 0;
  switch (encoding) {
    case AudioEncoding::kDefault: subtype = container == Container::kOgg ? SF_FORMAT_VORBIS : SF_FORMAT_PCM_16; break;
    case AudioEncoding::kPcm8: subtype = container == Container::kWav ? SF_FORMAT_PCM_U8 : SF_FORMAT_PCM_S8; break;
    case AudioEncoding::kPcm16: subtype = SF_FORMAT_PCM_16; break;
    case AudioEncoding::kPcm24: subtype = SF_FORMAT_PCM_24; break;
    case AudioEncoding::kPcm32: subtype = SF_FORMAT_PCM_32; break;
    case AudioEncoding::kFloat32: subtype = SF_FORMAT_FLOAT; break;
    case AudioEncoding::kVorbis: subtype = SF_FORMAT_VORBIS; break;
  }
  const auto frames_first = (samples.dim() == 1 ? samples.unsqueeze(0) : samples)
                                .to(torch::kCPU, torch::kFloat32)
                                .t()
                                .contiguous();  // (N, C): interleaved
  SF_INFO info{};
  info.samplerate = static_cast<int>(sample_rate);
  info.channels = static_cast<int>(frames_first.size(1));
  info.format = major | subtype;
  util::require(info.channels > 0, where, "samples need at least one channel");
  util::require(sf_format_check(&info) != 0, where, "encoding ", subtype_name(subtype), " with ",
                info.channels, " channel(s) at ", sample_rate, " Hz cannot be written to a ", ext,
                " file");
  SndfilePtr file(sf_open(path.c_str(), SFM_WRITE, &info));
  if (!file) throw FileError(path, std::string("cannot be written (libsndfile: ") + sf_strerror(nullptr) + ")");
  // Out-of-range values saturate instead of wrapping around in integer encodings.
  sf_command(file.get(), SFC_SET_CLIPPING, nullptr, SF_TRUE);
  const sf_count_t frames = frames_first.size(0);
  const sf_count_t written = sf_writef_float(file.get(), frames_first.data_ptr<float>(), frames);
  if (written != frames) {
    throw FileError(path, "only " + std::to_string(written) + " of " + std::to_string(frames) +
                              " frames were written (libsndfile: " + sf_strerror(file.get()) + ")");
  }
}

}  // namespace tfgram::data
