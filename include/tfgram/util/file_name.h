#pragma once
// Text made safe to use as one file or folder name (grid cell folders, figure names, cache files).
#include <string>
#include <string_view>

namespace tfgram::util {

/// Characters every safe_file_name replaces: path separators, space, quotes, ':' and controls.
inline constexpr std::string_view kUnsafeInFileNames = "/\\ :\"'";

/// `text` with '_' for each character of kUnsafeInFileNames, each control character and each
/// character of `also` (the caller's separators, e.g. ",=" where names are joined by them);
/// `if_empty` when `text` is empty.
std::string safe_file_name(std::string text, std::string_view also = "", std::string_view if_empty = "");

}  // namespace tfgram::util
