#pragma once
// The generic list: a CSV manifest of path,label[,split].
#include <string>

#include "tfgram/data/file_dataset.h"

namespace tfgram::data {

/// A CSV file with rows `path,label` or `path,label,split` (RFC 4180 quoting; an optional header
/// row naming the columns path,label[,split]; blank lines and lines starting with '#' skipped).
/// Relative paths are relative to the manifest's folder. official_split() is the split column
/// when the manifest has one (see split_by_column).
class ManifestDataset : public FileDataset {
 public:
  explicit ManifestDataset(const std::string& manifest, AudioOptions options = {});
  /// Clips in row order. FileError naming the manifest and line for malformed rows.
  static ClipList scan(const std::string& manifest);

  std::optional<Split> official_split() const override;
};

}  // namespace tfgram::data
