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
    const auto fields = detail::split_fields(detail::file_stem(file), '_');
    int64_t digit = -1;
    int64_t take = -1;
    const bool parsed = detail::file_extension(file) == ".wav" && fields.size() == 3 && detail::parse_int(fields[0], digit) &&
                        digit >= 0 && digit <= 9 && !fields[1].empty() && detail::parse_int(fields[2], take) &&
                        take >= 0;
    if (!parsed) {
      list.ignored.push_back(file);
      continue;
    }
    ClipInfo clip;
    clip.path = file;  // list_files gives absolute paths
    clip.speaker = fields[1];
    clip.take = take;
    clip.label = label == SpokenLabel::kDigit ? fields[0] : fields[1];
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
