#pragma once
// The dataset and split a run config names (data.* keys), built with the data layer.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tfgram/data/dataset.h"
#include "tfgram/data/splits.h"
#include "tfgram/train/run_config.h"

namespace tfgram::train {

/// A dataset kind (data.kind): how it is made from the run config.
struct DatasetKind {
  /// Whether it reads data.root (a folder or manifest).
  bool needs_root = true;
  /// The dataset, its clips resampled to model.sample_rate and fitted to model.n_points.
  std::function<std::shared_ptr<data::Dataset>(const RunConfig&)> make;
};
/// The registry, pre-filled with fsdd, esc10, esc50, audio_mnist, folder, manifest and pulses.
void register_dataset_kind(const std::string& name, DatasetKind kind);
std::vector<std::string> dataset_kinds();
/// config::KeyError naming `key` and the known kinds for an unknown name.
const DatasetKind& dataset_kind(const std::string& name, const std::string& key = "data.kind");

/// Loads (through the decoded-audio cache) or generates the dataset, resampled to
/// model.sample_rate and fitted to model.n_points samples. Bad files follow data.on_error;
/// a one-line load summary is appended to `summary` when given.
std::shared_ptr<const data::Dataset> make_dataset(const RunConfig& config, std::string* summary = nullptr);

/// The split data.split describes; "auto" takes the dataset's own split when it has one.
/// When the rule leaves no validation examples, data.split.valid_fraction of train is moved there.
data::Split make_run_split(const data::Dataset& dataset, const RunConfig& config);

}  // namespace tfgram::train
