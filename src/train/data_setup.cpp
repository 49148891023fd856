#include "tfgram/train/data_setup.h"

#include <torch/torch.h>

#include "tfgram/data/all.h"
#include "tfgram/config/fields.h"
#include "tfgram/util/check.h"

#include <map>

namespace tfgram::train {

namespace {

data::AudioOptions audio_options(const RunConfig& config) {
  const auto& d = config.data;
  return data::AudioOptions()
      .sample_rate(config.model.sample_rate)
      .length(config.model.n_points)
      .length_policy(data::parse_length_policy(d.length_policy))
      .on_error(d.on_error == "skip" ? data::OnError::kSkip : data::OnError::kThrow);
}

data::SpokenLabel spoken_label(const RunConfig& config) {
  return config.data.label == "speaker" ? data::SpokenLabel::kSpeaker : data::SpokenLabel::kDigit;
}

// A kind reading files below data.root.
template <typename Make>
DatasetKind files(Make make) {
  return {true, [make](const RunConfig& c) -> std::shared_ptr<data::Dataset> { return make(c, audio_options(c)); }};
}

std::map<std::string, DatasetKind>& registry() {
  static std::map<std::string, DatasetKind> kinds = {
      {"pulses",
       {false,
        [](const RunConfig& c) -> std::shared_ptr<data::Dataset> {
          const auto& p = c.data.pulses;
          return std::make_shared<data::PulseSet>(data::PulseSetOptions()
                                                      .examples(p.examples)
                                                      .length(c.model.n_points)
                                                      .sigma(p.sigma)
                                                      .noise_std(p.noise_std)
                                                      .seed(p.seed));
        }}},
      {"fsdd", files([](const RunConfig& c, const data::AudioOptions& audio) {
         return std::make_shared<data::Fsdd>(c.data.root, data::FsddOptions().label(spoken_label(c)).audio(audio));
       })},
      {"audio_mnist", files([](const RunConfig& c, const data::AudioOptions& audio) {
         return std::make_shared<data::AudioMnist>(c.data.root,
                                                   data::AudioMnistOptions().label(spoken_label(c)).audio(audio));
       })},
      {"esc10", files([](const RunConfig& c, const data::AudioOptions& audio) {
         return std::make_shared<data::Esc10Folder>(c.data.root, audio);
       })},
      {"esc50", files([](const RunConfig& c, const data::AudioOptions& audio) {
         return std::make_shared<data::Esc50>(c.data.root, data::Esc50Options().audio(audio));
       })},
      {"folder", files([](const RunConfig& c, const data::AudioOptions& audio) {
         return std::make_shared<data::FolderDataset>(c.data.root, audio);
       })},
      {"manifest", files([](const RunConfig& c, const data::AudioOptions& audio) {
         return std::make_shared<data::ManifestDataset>(c.data.root, audio);
       })},
  };
  return kinds;
}

}  // namespace

void register_dataset_kind(const std::string& name, DatasetKind kind) {
  util::require(static_cast<bool>(kind.make), "register_dataset_kind", "'", name, "' needs a make function");
  registry()[name] = std::move(kind);
}

std::vector<std::string> dataset_kinds() {
  std::vector<std::string> names;
  for (const auto& item : registry()) names.push_back(item.first);
  return names;
}

const DatasetKind& dataset_kind(const std::string& name, const std::string& key) {
  return config::find_kind(registry(), name, key, "dataset kind");
}

std::shared_ptr<const data::Dataset> make_dataset(const RunConfig& config, std::string* summary) {
  auto dataset = dataset_kind(config.data.kind).make(config);
  if (summary != nullptr) {
    if (const auto* files = dynamic_cast<const data::FileDataset*>(dataset.get())) {
      *summary += files->report().summary(files->name());
    }
  }
  return dataset;
}

data::Split make_run_split(const data::Dataset& dataset, const RunConfig& config) {
  const auto& s = config.data.split;
  std::string kind = s.kind;
  if (kind == "auto") kind = dataset.official_split() ? "official" : "random";
  auto options = data::SplitOptions()
                     .kind(data::parse_split_kind(kind))
                     .random(data::RandomSplitOptions().train(s.train).valid(s.valid).test(s.test).seed(s.seed).stratify(s.stratify))
                     .test_folds(s.test_folds)
                     .valid_folds(s.valid_folds)
                     .speakers(data::SpeakerSplit{s.train_speakers, s.valid_speakers, s.test_speakers})
                     .valid_fraction(s.valid_fraction)
                     .valid_seed(s.seed);
  auto split = data::with_train_subset(data::make_split(dataset, options), s.train_subset, s.seed);
  util::require(!split.train.empty(), "config key 'data.split'", "the split leaves no training examples");
  util::require(!split.valid.empty(), "config key 'data.split'",
                "the split leaves no validation examples (early stopping needs them): set data.split.valid "
                "or data.split.valid_fraction");
  return split;
}

}  // namespace tfgram::train
