#pragma once
// Checkpoints: weights + the full run config + the label map + the sample rate (so `predict`
// needs nothing else) + the optimiser and trainer state (so a killed run resumes exactly).
// Written atomically (temporary file + rename), never with NaN/Inf weights.
//
// The file carries a format version and CRC-32 checksums (header and contents); a truncated,
// modified, older- or newer-format file is refused, naming the file and the reason, before
// anything is loaded from it.
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "tfgram/data/label_map.h"
#include "tfgram/models/classifier.h"
#include "tfgram/train/run_config.h"

namespace tfgram::train {

/// The checkpoint format this build writes and reads.
constexpr int kCheckpointFormatVersion = 2;

/// A loss, gradient or weight that became NaN or Inf (training stops; nothing non-finite is saved).
class NonFiniteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The 32-byte header that goes before `payload` (a LibTorch archive) in a checkpoint file.
std::string seal_checkpoint(const std::string& payload);
/// The payload of checkpoint file contents `bytes` after checking magic, version, size and
/// checksums; std::invalid_argument "<path>: <reason>" otherwise.
std::string unseal_checkpoint(const std::string& bytes, const std::string& path);

struct CheckpointMeta {
  RunConfig config;
  data::LabelMap labels;
  /// Completed epochs when written.
  int64_t epoch = 0;
  /// The trainer's own state (best loss, patience counter, history) as JSON; empty for exports.
  std::string trainer_state;
};

/// Saves model weights (and the optimiser's state when given) with `meta` to `path` atomically.
/// NonFiniteError (and nothing written) when a parameter or buffer holds NaN or Inf.
void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const torch::nn::Module& model,
                     const torch::optim::Optimizer* optimizer = nullptr);

/// Reads only the metadata. std::invalid_argument naming the file when it is missing or not a
/// tfgram checkpoint.
CheckpointMeta read_checkpoint_meta(const std::string& path);

/// Loads weights (and optimiser state, when both are given and stored) into existing objects.
void load_checkpoint_state(const std::string& path, torch::nn::Module& model,
                           torch::optim::Optimizer* optimizer = nullptr);

/// The same two from a checkpoint file's contents (`path` names it in errors): how every rank of a
/// distributed job starts from rank 0's checkpoint, whether or not it sees rank 0's files.
CheckpointMeta read_checkpoint_meta_from(const std::string& contents, const std::string& path);
void load_checkpoint_state_from(const std::string& contents, const std::string& path, torch::nn::Module& model,
                                torch::optim::Optimizer* optimizer = nullptr);

/// A ready model: rebuilt from the stored config, weights loaded, in eval mode, on `device`.
struct LoadedModel {
  CheckpointMeta meta;
  models::Classifier model{nullptr};
};
LoadedModel load_model(const std::string& path, const torch::Device& device = torch::kCPU);

}  // namespace tfgram::train
