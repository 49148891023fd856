#pragma once
// result.json, the record of a finished run: RunResult's fields plus its format and a checksum,
//   {"format": "tfgram.result", "format_version": 2, "checksum": "crc32:<8 hex>", ...}
// where the CRC-32 covers the compact JSON text of every other field. A truncated, edited or
// other-version file is refused (naming the file) instead of being taken as a finished run.
#include <string>

#include "tfgram/train/trainer.h"

namespace tfgram::train {

constexpr int kResultFormatVersion = 2;

/// Writes `result` to `path` atomically, with format and checksum.
void write_result_file(const std::string& path, const RunResult& result);
/// Reads and checks a result file; std::invalid_argument "<path>: <reason>" when it cannot be trusted.
RunResult read_result_file(const std::string& path);
/// The same on the file's text (`origin` names it in errors).
RunResult parse_result_file(const std::string& text, const std::string& origin);

}  // namespace tfgram::train
