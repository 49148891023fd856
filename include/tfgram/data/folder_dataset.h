#pragma once
// The generic layout: one sub-folder per class, audio files anywhere below it.
#include <string>

#include "tfgram/data/file_dataset.h"

namespace tfgram::data {

/// root/<class>/**/*.{wav,flac,ogg,oga}. The class is the sub-folder's name. Hidden entries are
/// skipped; other files are listed in LoadReport::ignored; files directly in root are ignored.
class FolderDataset : public FileDataset {
 public:
  explicit FolderDataset(const std::string& root, AudioOptions options = {});
  /// Clips sorted by path. FileError when root is not a folder or holds no class with audio.
  static ClipList scan(const std::string& root);
};

}  // namespace tfgram::data
