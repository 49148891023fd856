#pragma once
// Free Spoken Digit Dataset: recordings/{digit}_{speaker}_{index}.wav, 8 kHz PCM16 mono.
#include <torch/arg.h>

#include <string>

#include "tfgram/data/file_dataset.h"

namespace tfgram::data {

struct FsddOptions {
  /// Class: the spoken digit ("0".."9") or the speaker's name.
  TORCH_ARG(SpokenLabel, label) = SpokenLabel::kDigit;
  TORCH_ARG(AudioOptions, audio) = {};
};

/// FSDD. ClipInfo: speaker, take = recording index. official_split(): takes 0–4 are the test
/// set, 5–49 train (also the convention for speaker identification: every speaker is in both).
class Fsdd : public FileDataset {
 public:
  /// `root` is the FSDD folder (holding recordings/) or the recordings folder itself.
  explicit Fsdd(const std::string& root, FsddOptions options = {});
  /// The clips of an FSDD tree, sorted by path, without decoding; names that do not parse as
  /// {digit}_{speaker}_{index}.wav are listed as ignored. FileError when there is no clip.
  static ClipList scan(const std::string& root, SpokenLabel label = SpokenLabel::kDigit);

  std::optional<Split> official_split() const override;
};

}  // namespace tfgram::data
