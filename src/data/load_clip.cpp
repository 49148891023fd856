#include "tfgram/data/load_clip.h"

#include <torch/torch.h>

#include "tfgram/data/audio_file.h"
#include "tfgram/data/resample.h"

namespace tfgram::data {

torch::Tensor load_clip(const std::string& path, int64_t sample_rate) {
  auto clip = read_audio(path);
  auto samples =
      torch::from_blob(clip.samples.data(), {static_cast<int64_t>(clip.samples.size())}, torch::kFloat32).clone();
  if (clip.sample_rate != sample_rate) {
    samples = resample(samples, static_cast<double>(clip.sample_rate), static_cast<double>(sample_rate));
  }
  return samples;
}

}  // namespace tfgram::data
