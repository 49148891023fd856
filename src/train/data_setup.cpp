#include "tfgram/train/data_setup.h"

#include <torch/torch.h>

#include "tfgram/data/all.h"
#include "tfgram/util/check.h"

namespace tfgram::train {

std::shared_ptr<const data::Dataset> make_dataset(const RunConfig& config, std::string* summary) {
  const auto& d = config.data;
  if (d.kind == "pulses") {
    return std::make_shared<data::PulseSet>(data::PulseSetOptions()
                                                .examples(d.pulses.examples)
                                                .length(config.model.n_points)
                                                .sigma(d.pulses.sigma)
                                                .noise_std(d.pulses.noise_std)
                                                .seed(d.pulses.seed));
  }
  const auto audio = data::AudioOptions()
                         .sample_rate(config.model.sample_rate)
                         .length(config.model.n_points)
                         .length_policy(data::parse_length_policy(d.length_policy))
                         .on_error(d.on_error == "skip" ? data::OnError::kSkip : data::OnError::kThrow);
  const auto label = d.label == "speaker" ? data::SpokenLabel::kSpeaker : data::SpokenLabel::kDigit;
  std::shared_ptr<data::FileDataset> dataset;
  if (d.kind == "fsdd") {
    dataset = std::make_shared<data::Fsdd>(d.root, data::FsddOptions().label(label).audio(audio));
  } else if (d.kind == "audio_mnist") {
    dataset = std::make_shared<data::AudioMnist>(d.root, data::AudioMnistOptions().label(label).audio(audio));
  } else if (d.kind == "esc10") {
    dataset = std::make_shared<data::Esc10Folder>(d.root, audio);
  } else if (d.kind == "esc50") {
    dataset = std::make_shared<data::Esc50>(d.root, data::Esc50Options().audio(audio));
  } else if (d.kind == "folder") {
    dataset = std::make_shared<data::FolderDataset>(d.root, audio);
  } else if (d.kind == "manifest") {
    dataset = std::make_shared<data::ManifestDataset>(d.root, audio);
  } else {
    throw std::invalid_argument(util::concat("config key 'data.kind': unknown dataset kind '", d.kind, "'"));
  }
  if (summary != nullptr) *summary += dataset->report().summary(dataset->name());
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
  auto split = data::make_split(dataset, options);
  util::require(!split.train.empty(), "config key 'data.split'", "the split leaves no training examples");
  util::require(!split.valid.empty(), "config key 'data.split'",
                "the split leaves no validation examples (early stopping needs them): set data.split.valid "
                "or data.split.valid_fraction");
  return split;
}

}  // namespace tfgram::train
