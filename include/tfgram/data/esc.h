#pragma once
// Environmental sound classification sets: ESC-50's published layout (audio/*.wav +
// meta/esc50.csv) and ESC-10's class-folder layout ("NNN - Name/F-ID-T.ogg").
#include <torch/arg.h>

#include <string>

#include "tfgram/data/file_dataset.h"

namespace tfgram::data {

/// The DMEL paper's ESC audio: 8 kHz, 5 s (40000 samples), start kept.
AudioOptions esc_paper_audio();

struct Esc50Options {
  /// Keep only the rows whose esc10 column is True (ESC-10 inside ESC-50).
  TORCH_ARG(bool, esc10_only) = false;
  TORCH_ARG(AudioOptions, audio) = {};
};

/// ESC-50 (or any set in its layout). Classes are the csv's category names; ClipInfo: fold
/// (1–5), source = src_file, take (A = 0). No official split: use split_by_fold.
class Esc50 : public FileDataset {
 public:
  /// `root` holds audio/ and meta/esc50.csv.
  explicit Esc50(const std::string& root, Esc50Options options = {});
  /// The csv's clips in row order. FileError naming the csv and line for malformed rows.
  static ClipList scan(const std::string& root, bool esc10_only = false);
};

/// ESC-10 as distributed: one folder per class, "001 - Dog bark/1-100032-A.ogg". The class is
/// the folder name without its "NNN - " prefix; fold is the file name's first character; source
/// the Freesound clip ID; take the letter (A = 0).
class Esc10Folder : public FileDataset {
 public:
  explicit Esc10Folder(const std::string& root, AudioOptions options = {});
  /// Clips sorted by path; files whose names do not parse are listed as ignored.
  static ClipList scan(const std::string& root);
};

}  // namespace tfgram::data
