#pragma once
// Audio-MNIST: data/NN/{digit}_{NN}_{index}.wav (60 speakers, 48 kHz) and the DMEL paper's
// speaker split.
#include <torch/arg.h>

#include <string>

#include "tfgram/data/file_dataset.h"

namespace tfgram::data {

/// The DMEL paper's audio: 8 kHz, 8000 samples, centred (LengthPolicy::kCentre).
AudioOptions audio_mnist_paper_audio();

struct AudioMnistOptions {
  /// Class: the digit (first field of the file name) or the speaker ID.
  TORCH_ARG(SpokenLabel, label) = SpokenLabel::kDigit;
  TORCH_ARG(AudioOptions, audio) = {};
};

/// The DMEL paper's speakers ("01".."60"): 36 train, 12 valid, 12 test.
SpeakerSplit audio_mnist_paper_speakers();

/// Audio-MNIST. ClipInfo: speaker ("01".."60", from the file name), take = the file's index.
/// official_split(): the paper's speaker split.
class AudioMnist : public FileDataset {
 public:
  /// `root` is the Audio-MNIST folder (holding data/) or the data folder itself.
  explicit AudioMnist(const std::string& root, AudioMnistOptions options = {});
  static ClipList scan(const std::string& root, SpokenLabel label = SpokenLabel::kDigit);

  std::optional<Split> official_split() const override;
};

}  // namespace tfgram::data
