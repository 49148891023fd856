#pragma once
// Running a trained model on audio files: decode, resample to the model's rate, fit to its input
// length, and rank the classes.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tfgram/train/checkpoint.h"

namespace tfgram::train {

/// Files and folders → audio files: folders are searched recursively for decodable extensions
/// (sorted); a named file is kept as it is (the decoder reports it if it is not audio).
/// std::invalid_argument naming a path that does not exist or a folder without audio.
std::vector<std::string> expand_audio_paths(const std::vector<std::string>& inputs);

/// One file as the model's input: (N) float32 at the model's sample rate, fitted to n_points with
/// the run's length policy. Throws data::AudioFileError naming the file.
torch::Tensor load_model_input(const std::string& path, const RunConfig& config);

struct Prediction {
  std::string path;
  /// (label, probability), most probable first.
  std::vector<std::pair<std::string, double>> top;
};

/// The `top_k` most probable labels for every file, in `batch_size` batches.
std::vector<Prediction> predict_files(const LoadedModel& model, const std::vector<std::string>& paths,
                                      int64_t top_k = 3, int64_t batch_size = 32);

}  // namespace tfgram::train
