#include "tfgram/data/fsdd.h"

#include <filesystem>

#include "scan.h"
#include "tfgram/data/audio_file.h"

namespace tfgram::data {

namespace fs = std::filesystem;

ClipList Fsdd::scan(const std::string& root, SpokenLabel label) {
  detail::require_folder(root, "the FSDD folder or its recordings/ folder");
  const fs::path recordings = fs::is_directory(fs::path(root) / "recordings") ? fs::path(root) / "recordings" : fs::path(root);
  ClipList list;
  list.source = recordings.string();
  const auto files = detail::list_files(recordings, false);
  list.clips.reserve(files.size());
  for (const auto& file : files) {
    ClipInfo clip;
    if (!detail::parse_spoken_digit_file(file, label, clip)) {
      list.ignored.push_back(file);
      continue;
    }
    list.clips.push_back(std::move(clip));
  }
  if (list.clips.empty()) {
    throw FileError(recordings.string(), "holds no FSDD recordings named {digit}_{speaker}_{index}.wav");
  }
  return list;
}

Fsdd::Fsdd(const std::string& root, FsddOptions options)
    : FileDataset("fsdd", scan(root, options.label()), options.audio()) {}

std::optional<Split> Fsdd::official_split() const { return split_by_take(*this, 5); }

}  // namespace tfgram::data
