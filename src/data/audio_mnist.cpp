#include "tfgram/data/audio_mnist.h"

#include <cstdio>
#include <filesystem>

#include "scan.h"

namespace tfgram::data {

namespace fs = std::filesystem;

AudioOptions audio_mnist_paper_audio() {
  return AudioOptions().sample_rate(8000).length(8000).length_policy(LengthPolicy::kCentre);
}

SpeakerSplit audio_mnist_paper_speakers() {
  // The DMEL paper's split (speakers as numbered by Audio-MNIST).
  const std::vector<int> train = {28, 56, 7, 19, 35, 1, 6, 16, 23, 34, 46, 53, 36, 57, 9, 24, 37, 2,
                                  8, 17, 29, 39, 48, 54, 43, 58, 14, 25, 38, 3, 10, 20, 30, 40, 49, 55};
  const std::vector<int> valid = {12, 47, 59, 15, 27, 41, 4, 11, 21, 31, 44, 50};
  const std::vector<int> test = {26, 52, 60, 18, 32, 42, 5, 13, 22, 33, 45, 51};
  auto ids = [](const std::vector<int>& numbers) {
    std::vector<std::string> out;
    for (const int n : numbers) {
      char id[8];
      std::snprintf(id, sizeof(id), "%02d", n);
      out.emplace_back(id);
    }
    return out;
  };
  return SpeakerSplit{ids(train), ids(valid), ids(test)};
}

ClipList AudioMnist::scan(const std::string& root, SpokenLabel label) {
  detail::require_folder(root, "the Audio-MNIST folder or its data/ folder");
  const fs::path data = fs::is_directory(fs::path(root) / "data") ? fs::path(root) / "data" : fs::path(root);
  ClipList list;
  list.source = data.string();
  for (const auto& speaker_folder : detail::list_folders(data)) {
    for (const auto& file : detail::list_files(speaker_folder, false)) {
      // {digit}_{speaker}_{index}.wav
      ClipInfo clip;
      if (!detail::parse_spoken_digit_file(file, label, clip)) {
        list.ignored.push_back(file);
        continue;
      }
      list.clips.push_back(std::move(clip));
    }
  }
  if (list.clips.empty()) {
    throw FileError(data.string(), "holds no Audio-MNIST recordings (expected NN/{digit}_{NN}_{index}.wav)");
  }
  return list;
}

AudioMnist::AudioMnist(const std::string& root, AudioMnistOptions options)
    : FileDataset("audio-mnist", scan(root, options.label()), options.audio()) {}

std::optional<Split> AudioMnist::official_split() const {
  return split_by_speaker(*this, audio_mnist_paper_speakers());
}

}  // namespace tfgram::data
