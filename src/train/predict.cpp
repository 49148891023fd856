#include "tfgram/train/predict.h"

#include "data/scan.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include "tfgram/data/audio_file.h"
#include "tfgram/data/fit_length.h"
#include "tfgram/data/load_clip.h"
#include "tfgram/util/check.h"

namespace tfgram::train {
namespace fs = std::filesystem;

std::vector<std::string> expand_audio_paths(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const auto& input : inputs) {
    util::require(fs::exists(input), input.c_str(), "no such file or folder");
    if (!fs::is_directory(input)) {
      files.push_back(input);
      continue;
    }
    std::vector<std::string> found;
    // The data sets' own listing: an unreadable folder is named (FileError), links to folders are
    // not followed (no symlink loops).
    const auto base = fs::absolute(input).lexically_normal();
    for (const auto& path : data::detail::list_files(input, /*recursive=*/true)) {
      // Named as the user named the folder ("some/x.wav", not the absolute path).
      if (data::is_audio_path(path)) found.push_back((fs::path(input) / fs::path(path).lexically_relative(base)).string());
    }
    util::require(!found.empty(), input.c_str(), "the folder holds no audio file (.wav, .flac, .ogg)");
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

torch::Tensor load_model_input(const std::string& path, const RunConfig& config) {
  const auto samples = data::load_clip(path, config.model.sample_rate);
  auto policy = data::parse_length_policy(config.data.length_policy);
  // The model's heads need exactly n_points samples: "none" still pads/cuts, from the start.
  if (policy == data::LengthPolicy::kNone) policy = data::LengthPolicy::kStart;
  return data::fit_length(samples, config.model.n_points, policy);
}

std::vector<Prediction> predict_files(const LoadedModel& loaded, const std::vector<std::string>& paths,
                                      int64_t top_k, int64_t batch_size) {
  util::require(top_k >= 1, "predict", "top_k must be >= 1, got ", top_k);
  util::require(batch_size >= 1, "predict", "batch_size must be >= 1, got ", batch_size);
  auto holder = loaded.model;  // the holder shares the module; forward() is non-const
  auto& model = *holder;
  model.eval();
  torch::NoGradGuard no_grad;
  const auto device = model.parameters().empty() ? torch::Device(torch::kCPU) : model.parameters().front().device();
  const int64_t k = std::min<int64_t>(top_k, loaded.meta.labels.size());
  std::vector<Prediction> predictions;
  for (size_t begin = 0; begin < paths.size(); begin += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(paths.size(), begin + static_cast<size_t>(batch_size));
    std::vector<torch::Tensor> inputs;
    for (size_t i = begin; i < end; ++i) inputs.push_back(load_model_input(paths[i], loaded.meta.config));
    const auto probabilities = model.probabilities(model.forward(torch::stack(inputs).to(device))).to(torch::kCPU);
    const auto [values, indices] = probabilities.topk(k, 1);
    for (size_t i = begin; i < end; ++i) {
      Prediction p{paths[i], {}};
      const auto row = static_cast<int64_t>(i - begin);
      for (int64_t j = 0; j < k; ++j) {
        p.top.emplace_back(loaded.meta.labels.name(indices[row][j].item<int64_t>()), values[row][j].item<double>());
      }
      predictions.push_back(std::move(p));
    }
  }
  return predictions;
}

}  // namespace tfgram::train
