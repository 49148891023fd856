#pragma once
// Audio files through libsndfile: WAV, FLAC and Ogg/Vorbis, 8–32 bit integer or float, any
// channel count. Decoding mixes to mono; writing is there for tools and tests.
#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tfgram/data/errors.h"

namespace tfgram::data {

/// What a file's header says.
struct AudioInfo {
  std::string container;  ///< "WAV", "FLAC" or "OGG"
  std::string encoding;   ///< "PCM_16", "PCM_24", "FLOAT", "VORBIS", ...
  int64_t sample_rate = 0;
  int64_t channels = 0;
  int64_t frames = 0;
  double seconds() const { return sample_rate > 0 ? double(frames) / double(sample_rate) : 0.0; }
};

/// A decoded file, mixed to mono.
struct AudioClip {
  std::vector<float> samples;  ///< channel mean; integer encodings scaled to [-1, 1)
  int64_t sample_rate = 0;
  int64_t channels = 0;  ///< channels in the file before mixing
};

/// Whether the decoder accepts the extension: .wav .wave .flac .ogg .oga (any case).
bool is_audio_path(const std::string& path);

/// The header of `path`. Throws AudioFileError when the file is missing, empty, of an unsupported
/// type, its extension disagrees with its content, or the header cannot be parsed.
AudioInfo probe_audio(const std::string& path);

/// Decodes `path` to mono float samples. Throws AudioFileError naming the file and the reason:
/// missing, empty, unsupported extension, extension/content mismatch, corrupt or truncated
/// (including a WAV whose data chunk is shorter than its header says), no audio frames, or
/// NaN/Inf samples.
AudioClip read_audio(const std::string& path);

/// Sample encodings for write_audio. kDefault is PCM_16 for WAV/FLAC and Vorbis for Ogg.
enum class AudioEncoding { kDefault, kPcm8, kPcm16, kPcm24, kPcm32, kFloat32, kVorbis };

/// Writes `samples` — (N) mono or (C, N) channels-first, any floating dtype, nominally in
/// [-1, 1] — to `path`. The container follows the extension (.wav, .flac, .ogg/.oga). Throws
/// std::invalid_argument for a bad shape/extension/encoding combination and FileError when the
/// file cannot be written.
void write_audio(const std::string& path, const torch::Tensor& samples, int64_t sample_rate,
                 AudioEncoding encoding = AudioEncoding::kDefault);

}  // namespace tfgram::data
