#include "tfgram/util/file_name.h"

namespace tfgram::util {

std::string safe_file_name(std::string text, std::string_view also, std::string_view if_empty) {
  if (text.empty()) return std::string(if_empty);
  for (auto& c : text) {
    const bool control = static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    if (control || kUnsafeInFileNames.find(c) != std::string_view::npos || also.find(c) != std::string_view::npos) {
      c = '_';
    }
  }
  return text;
}

}  // namespace tfgram::util
