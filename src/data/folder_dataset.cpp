#include "tfgram/data/folder_dataset.h"

#include <filesystem>

#include "scan.h"
#include "tfgram/data/audio_file.h"

namespace tfgram::data {

ClipList FolderDataset::scan(const std::string& root) {
  detail::require_folder(root, "a folder with one sub-folder per class");
  ClipList list;
  list.source = root;
  for (const auto& folder : detail::list_folders(root)) {
    const std::string label = detail::file_name(folder);
    for (const auto& file : detail::list_files(folder, true)) {
      if (!is_audio_path(file)) {
        list.ignored.push_back(file);
        continue;
      }
      ClipInfo clip;
      clip.path = file;  // list_files gives absolute paths
      clip.label = label;
      list.clips.push_back(std::move(clip));
    }
  }
  if (list.clips.empty()) {
    throw FileError(root, "holds no class folder with audio files (.wav, .flac, .ogg, .oga)");
  }
  return list;
}

FolderDataset::FolderDataset(const std::string& root, AudioOptions options)
    : FileDataset("folder", scan(root), std::move(options)) {}

}  // namespace tfgram::data
