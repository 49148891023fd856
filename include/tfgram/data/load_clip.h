#pragma once
// One audio file as a model's input: decoded, mono, at the model's sample rate.
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace tfgram::data {

/// Decodes `path` (read_audio) to float32 mono samples (N), resampled to `sample_rate` with libsoxr
/// when the file's rate differs. Throws read_audio's AudioFileError naming the file.
torch::Tensor load_clip(const std::string& path, int64_t sample_rate);

}  // namespace tfgram::data
