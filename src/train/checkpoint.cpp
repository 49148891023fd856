#include "tfgram/train/checkpoint.h"

#include <torch/torch.h>

#include <filesystem>

#include "tfgram/util/atomic_file.h"
#include "tfgram/util/check.h"

namespace tfgram::train {
namespace {
constexpr const char* kFormat = "tfgram.checkpoint.v1";

std::string read_string(torch::serialize::InputArchive& archive, const std::string& key, const std::string& path) {
  c10::IValue value;
  if (!archive.try_read(key, value) || !value.isString()) {
    throw std::invalid_argument(util::concat(path, ": not a tfgram checkpoint (no '", key, "' entry)"));
  }
  return value.toStringRef();
}

void open(torch::serialize::InputArchive& archive, const std::string& path) {
  util::require(std::filesystem::is_regular_file(path), path.c_str(), "no such checkpoint file");
  try {
    archive.load_from(path);
  } catch (const c10::Error& e) {
    throw std::invalid_argument(util::concat(path, ": not a readable tfgram checkpoint (", e.what_without_backtrace(), ")"));
  }
  const auto format = read_string(archive, "tfgram_format", path);
  util::require(format == kFormat, path.c_str(), "unsupported checkpoint format '", format, "', expected ", kFormat);
}
}  // namespace

void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const torch::nn::Module& model,
                     const torch::optim::Optimizer* optimizer) {
  torch::serialize::OutputArchive archive;
  archive.write("tfgram_format", c10::IValue(std::string(kFormat)));
  archive.write("tfgram_config", c10::IValue(meta.config.to_json()));
  archive.write("tfgram_labels", c10::IValue(meta.labels.to_json()));
  archive.write("tfgram_epoch", c10::IValue(meta.epoch));
  archive.write("tfgram_trainer_state", c10::IValue(meta.trainer_state));
  torch::serialize::OutputArchive weights;
  model.save(weights);
  archive.write("model", weights);
  if (optimizer != nullptr) {
    torch::serialize::OutputArchive state;
    optimizer->save(state);
    archive.write("optimizer", state);
  }
  util::replace_file_atomic(path, [&](const std::string& temp) { archive.save_to(temp); });
}

CheckpointMeta read_checkpoint_meta(const std::string& path) {
  torch::serialize::InputArchive archive;
  open(archive, path);
  CheckpointMeta meta;
  meta.config = RunConfig::from_json(read_string(archive, "tfgram_config", path));
  meta.labels = data::LabelMap::from_json(read_string(archive, "tfgram_labels", path), path);
  c10::IValue epoch;
  if (archive.try_read("tfgram_epoch", epoch) && epoch.isInt()) meta.epoch = epoch.toInt();
  meta.trainer_state = read_string(archive, "tfgram_trainer_state", path);
  return meta;
}

void load_checkpoint_state(const std::string& path, torch::nn::Module& model, torch::optim::Optimizer* optimizer) {
  torch::serialize::InputArchive archive;
  open(archive, path);
  torch::serialize::InputArchive weights;
  util::require(archive.try_read("model", weights), path.c_str(), "the checkpoint holds no model weights");
  try {
    model.load(weights);
  } catch (const c10::Error& e) {
    throw std::invalid_argument(util::concat(path, ": weights do not fit the model its config describes (",
                                             e.what_without_backtrace(), ")"));
  }
  if (optimizer != nullptr) {
    torch::serialize::InputArchive state;
    if (archive.try_read("optimizer", state)) optimizer->load(state);
  }
}

LoadedModel load_model(const std::string& path, const torch::Device& device) {
  LoadedModel loaded;
  loaded.meta = read_checkpoint_meta(path);
  loaded.model = models::Classifier(loaded.meta.config.model);
  load_checkpoint_state(path, *loaded.model);
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace tfgram::train
