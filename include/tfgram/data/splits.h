#pragma once
// Train/validation/test splits of a dataset: random fractions, folds, speakers, a manifest's own
// column, or the dataset's official split.
#include <torch/arg.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tfgram::data {

class Dataset;

/// Example indices of each part, each sorted ascending; the parts are disjoint.
struct Split {
  std::vector<int64_t> train;
  std::vector<int64_t> valid;
  std::vector<int64_t> test;
  int64_t size() const { return static_cast<int64_t>(train.size() + valid.size() + test.size()); }
};

/// Seeded random fractions; the paper's default is 70/10/20.
struct RandomSplitOptions {
  /// Fractions of the examples; each in [0, 1], summing to 1.
  TORCH_ARG(double, train) = 0.7;
  TORCH_ARG(double, valid) = 0.1;
  TORCH_ARG(double, test) = 0.2;
  /// Seed of the shuffle (tfgram::data::Rng).
  TORCH_ARG(uint64_t, seed) = 0;
  /// Split every class separately, so each part keeps the class proportions.
  TORCH_ARG(bool, stratify) = false;
};

/// A random split of `size` examples: the indices are shuffled with Rng(derive_seed(seed, 0)),
/// then round(size·test) go to test, round(size·valid) to valid and the rest to train.
Split random_split(int64_t size, const RandomSplitOptions& options = {});
/// As above over a dataset's examples; with `stratify` the rule is applied per class
/// (classes in label order, one generator for all).
Split random_split(const Dataset& dataset, const RandomSplitOptions& options = {});

/// Examples whose fold is in `test_folds` go to test, those in `valid_folds` to valid, the rest
/// to train. Every fold named must occur in the dataset; clips without a fold are an error.
Split split_by_fold(const Dataset& dataset, const std::vector<int64_t>& test_folds,
                    const std::vector<int64_t>& valid_folds = {});

/// Speaker IDs of each part (as ClipInfo::speaker spells them).
struct SpeakerSplit {
  std::vector<std::string> train;
  std::vector<std::string> valid;
  std::vector<std::string> test;
};
/// Examples go to the part that lists their speaker. A speaker in the data that no part lists,
/// or one listed in two parts, is an error: a forgotten speaker would silently shrink the data.
Split split_by_speaker(const Dataset& dataset, const SpeakerSplit& speakers);

/// The manifest's own column (ClipInfo::split): "train"; "valid", "validation", "val" or "dev";
/// "test" (any case). Any other value is an error naming the clip.
Split split_by_column(const Dataset& dataset);

/// Examples whose take (ClipInfo::take) is below `test_below` go to test, the rest to train:
/// FSDD's official split is split_by_take(fsdd, 5).
Split split_by_take(const Dataset& dataset, int64_t test_below);

/// Moves round(|train|·fraction) randomly chosen training examples (seeded) to valid.
Split with_validation(Split split, double fraction, uint64_t seed);

/// Keeps round(|train|·fraction) randomly chosen training examples (seeded; at least one) and drops
/// the rest: small-data experiments on an unchanged validation and test set.
Split with_train_subset(Split split, double fraction, uint64_t seed);

/// Throws std::invalid_argument when `split` refers outside [0, size) or uses an index twice.
void check_split(const Split& split, int64_t size, const char* where = "split");

/// The split rule a config names.
enum class SplitKind {
  kRandom,    ///< seeded fractions
  kFolds,     ///< test_folds / valid_folds
  kSpeakers,  ///< speaker lists
  kColumn,    ///< the manifest's split column
  kOfficial,  ///< the dataset's own split (Dataset::official_split)
};
/// "random", "folds", "speakers", "column", "official" (singular forms accepted).
SplitKind parse_split_kind(const std::string& name);
std::string to_string(SplitKind kind);

struct SplitOptions {
  TORCH_ARG(SplitKind, kind) = SplitKind::kRandom;
  /// kRandom's fractions and seed.
  TORCH_ARG(RandomSplitOptions, random) = {};
  /// kFolds' test and validation folds.
  TORCH_ARG(std::vector<int64_t>, test_folds) = {};
  TORCH_ARG(std::vector<int64_t>, valid_folds) = {};
  /// kSpeakers' speaker lists.
  TORCH_ARG(SpeakerSplit, speakers) = {};
  /// When the chosen rule leaves valid empty, move this fraction of train there (0 = keep empty).
  TORCH_ARG(double, valid_fraction) = 0.0;
  /// Seed for valid_fraction.
  TORCH_ARG(uint64_t, valid_seed) = 0;
};

/// The split `options` describe, checked against the dataset.
Split make_split(const Dataset& dataset, const SplitOptions& options);

}  // namespace tfgram::data
