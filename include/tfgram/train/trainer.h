#pragma once
// The training protocol of SPEC §2.5: parameter groups (the backbone at lr_model, each front-end
// group at its own rate, train.lr.<group>; ranges kept after each step), early stopping on
// validation loss, best-model checkpoint, test accuracy of the best model. Seeded and reproducible on CPU; resumes from its last epoch checkpoint after a kill with
// the same result as an uninterrupted run.
//
// Files in config.output: config.json, labels.json, last.ckpt (every epoch, with optimiser and
// trainer state), best.ckpt (lowest validation loss), history.csv / history.json, result.json.
#include <torch/types.h>

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tfgram/data/dataset.h"
#include "tfgram/data/splits.h"
#include "tfgram/train/history.h"
#include "tfgram/train/learned_values.h"
#include "tfgram/train/run_config.h"

namespace tfgram::models {
struct ClassifierImpl;
}
namespace tfgram::dist {
class Group;
}

namespace tfgram::train {

struct RunResult {
  int64_t epochs = 0;  ///< epochs trained
  int64_t best_epoch = 0;
  double best_valid_loss = 0;
  double best_valid_accuracy = 0;
  double test_loss = 0;
  double test_accuracy = 0;
  int64_t train_examples = 0;
  int64_t valid_examples = 0;
  int64_t test_examples = 0;
  /// The front end's learned quantities at the start and in the best model, by name (written
  /// as initial_<name> and learned_<name>): λ and window_ms for DMEL's kinds, the SincGram's
  /// center_hz and bandwidth_hz for DEGram, whatever a registered kind reports.
  LearnedValues initial;
  LearnedValues learned;
  /// Front-end parameters that left their range, each reported once ("<element>: <problem>: <values>").
  std::vector<std::string> warnings;
  double seconds = 0;  ///< wall time of all training, summed over resumptions

  std::string to_json(int indent = 2) const;
  static RunResult from_json(const std::string& text);
};

struct TrainerOptions {
  /// Where progress and log lines go; nullptr = silent.
  std::ostream* log = nullptr;
  /// Live progress bar; unset = when `log` is std::cerr and stderr is a terminal.
  std::optional<bool> live;
  /// Data-parallel training over this group's ranks (nullptr = this process alone): every rank
  /// calls run_training with the same config; each trains on its shard of every epoch
  /// (dist/sampler.h) with batch_size / W examples per step, gradients are averaged
  /// (dist/gradient_averager.h), validation and test metrics are summed over the ranks, and only
  /// rank 0 writes files and progress. Rank 0's checkpoint is sent to every rank on resume. See
  /// docs/distributed.md.
  std::shared_ptr<dist::Group> group;
};

/// Builds the dataset and split from the config, then trains (or resumes, or returns the stored
/// result of a finished run in config.output).
RunResult run_training(RunConfig config, const TrainerOptions& options = {});
/// The same on a dataset and split the caller made.
RunResult run_training(RunConfig config, std::shared_ptr<const data::Dataset> dataset, const data::Split& split,
                       const TrainerOptions& options = {});

struct Metrics {
  double loss = 0;
  double accuracy = 0;
  int64_t examples = 0;
};
/// Loss and accuracy of `model` (in eval mode, without gradients) on `indices` of `dataset`.
Metrics evaluate(models::ClassifierImpl& model, std::shared_ptr<const data::Dataset> dataset,
                 const std::vector<int64_t>& indices, int64_t batch_size, const torch::Device& device);

/// Softmax cross-entropy or sigmoid + binary cross-entropy on one-hot targets, as the model's
/// output activation requires (SPEC §2.4).
torch::Tensor classification_loss(const models::ClassifierImpl& model, const torch::Tensor& logits,
                                  const torch::Tensor& labels);

}  // namespace tfgram::train
