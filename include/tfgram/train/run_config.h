#pragma once
// One configuration type for a training run — model, data, training — shared by `tfgram train`,
// the experiment runner and checkpoints. YAML in, JSON in checkpoints; every key can be set by
// its dotted path ("train.lr.lambd", "model.frontend.dmel.lambd"), which is how command-line
// overrides and experiment grids address it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tfgram/config/fields.h"
#include "tfgram/models/classifier_config.h"
#include "tfgram/models/parameter_group.h"

namespace tfgram::train {

/// The synthetic Gaussian-pulse set (SPEC §2.7); its length is model.n_points.
struct PulsesConfig {
  int64_t examples = 5000;
  double sigma = 6.38;
  double noise_std = 0.5;
  uint64_t seed = 0;
};

struct SplitConfig {
  /// "auto" (the dataset's own split when it defines one, else random), "random", "folds",
  /// "speakers", "column" or "official".
  std::string kind = "auto";
  double train = 0.7;
  double valid = 0.1;
  double test = 0.2;
  uint64_t seed = 0;
  bool stratify = false;
  std::vector<int64_t> test_folds;
  std::vector<int64_t> valid_folds;
  std::vector<std::string> train_speakers;
  std::vector<std::string> valid_speakers;
  std::vector<std::string> test_speakers;
  /// When the rule leaves no validation examples, this fraction of train becomes validation.
  double valid_fraction = 0.1;
  /// Fraction of the training part kept (seeded), validation and test unchanged: small-data runs.
  double train_subset = 1.0;
};

struct DataConfig {
  /// One of dataset_kinds() (train/data_setup.h): "fsdd", "esc10", "esc50", "audio_mnist",
  /// "folder", "manifest" or "pulses".
  std::string kind = "pulses";
  /// Dataset folder (or manifest CSV); unused for pulses.
  std::string root;
  /// Spoken-digit sets: "digit" or "speaker".
  std::string label = "digit";
  /// How clips are brought to model.n_points samples: "centre", "start" or "none".
  std::string length_policy = "centre";
  /// Bad audio files: "throw" or "skip" (reported).
  std::string on_error = "throw";
  PulsesConfig pulses;
  SplitConfig split;
};

struct TrainConfig {
  /// "adam" or "sgd".
  std::string optimizer = "adam";
  /// Learning rate of everything but the front end.
  double lr_model = 1e-4;
  /// Learning rate of each front-end parameter group by name (`train.lr.lambd`,
  /// `train.lr.filterbank`, `train.lr.attention`); a group left out trains at its kind's default
  /// (λ 1.0, the others lr_model). 0 freezes that group.
  std::map<std::string, double> lr;
  /// Alias from the DMEL protocol: when set, every front-end group not named in `lr` trains at it.
  std::optional<double> lr_tf;
  double momentum = 0.0;
  /// The global batch: with W ranks each takes batch_size / W examples per step.
  int64_t batch_size = 64;
  /// Distributed sampler: cut each epoch's order to a multiple of the world size instead of
  /// padding it with repeated examples (PyTorch's DistributedSampler drop_last); no effect on one
  /// process.
  bool drop_last = false;
  int64_t max_epochs = 100;
  /// Stop after this many epochs without a lower validation loss.
  int64_t patience = 10;
  uint64_t seed = 0;
  /// Loader threads building batches in the background.
  int64_t workers = 1;
  /// "cpu", "cuda", "cuda:1", …
  std::string device = "cpu";
  /// A step whose loss or gradients are NaN/Inf: "stop" the run (default) or "skip" the step.
  std::string on_nonfinite = "stop";

  /// The rate `group` trains at: 0 for a fixed group, else lr[group.name], else lr_tf, else the
  /// group's default, else lr_model.
  double rate_of(const models::ParameterGroup& group) const;
};

struct RunConfig {
  models::ClassifierConfig model;
  DataConfig data;
  TrainConfig train;
  /// Initial DMEL window in milliseconds; when set it overrides model.frontend.dmel.lambd
  /// (λ = window_ms/1000 · sample_rate / 6), which is how the papers state their grids.
  std::optional<double> window_ms;
  /// Run folder: checkpoints, history, result.
  std::string output = "runs/default";

  /// Sets one key by its dotted path from text (a JSON value or a bare string). Unknown keys
  /// and wrong types throw std::invalid_argument naming the key and the accepted values.
  void set(const std::string& key, const std::string& value);
  /// The same with a JSON value.
  void assign(const std::string& key, const config::Json& value);
  /// Every settable key (for --help and error messages).
  static std::vector<std::string> keys();

  /// Resolves derived values (window_ms → λ, pulse rate) and validates everything;
  /// std::invalid_argument naming the key.
  void finalize();
  void Validate() const;

  std::string to_json(int indent = 2) const;
  static RunConfig from_json(const std::string& text);
  /// Applies every leaf of a YAML document as set(path, value); `origin` names it in errors.
  void apply_yaml(const std::string& text, const std::string& origin = "config");
  static RunConfig from_yaml_file(const std::string& path);
};

/// Splits "key=value" (for --set); std::invalid_argument when there is no '='.
std::pair<std::string, std::string> split_assignment(const std::string& assignment);

/// Flattens a YAML document into (dotted key, value text) leaves in document order; sequences
/// become JSON arrays. Keys listed in `keep_whole` are returned as one JSON value (used for the
/// experiment's grid). std::invalid_argument naming `origin` on a syntax error.
std::vector<std::pair<std::string, std::string>> flatten_yaml(const std::string& text, const std::string& origin,
                                                              const std::vector<std::string>& keep_whole = {});

}  // namespace tfgram::train
