#pragma once
// Files that cannot be half-trusted: a format version and a checksum travel with every checkpoint
// and result file, so a truncated, edited or other-version file is refused with a message naming it
// instead of being read half-way.
//
// Text files (results.csv) end with one trailer line over everything before it:
//   # tfgram-<kind> format <N> crc32 <8 hex digits>
// Binary files (checkpoints) start with a fixed header; see train/checkpoint.cpp.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tfgram::util {

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320); crc32("123456789") == 0xCBF43926.
/// `previous` continues a running checksum over several pieces.
uint32_t crc32(const void* data, size_t size, uint32_t previous = 0);
inline uint32_t crc32(std::string_view text, uint32_t previous = 0) {
  return crc32(text.data(), text.size(), previous);
}

/// `body` (ending in '\n' or empty) followed by the trailer line for `kind` at format `version`.
std::string seal_text(const std::string& body, const std::string& kind, int version);

/// The body of a sealed text file after checking its trailer. std::invalid_argument
/// "<origin>: ..." when the trailer is missing (truncated, edited, or written before format
/// `version`), names another kind, another format version (a newer one says so), or the checksum
/// does not match.
std::string unseal_text(const std::string& text, const std::string& kind, int version, const std::string& origin);

/// Eight lower-case hex digits.
std::string hex32(uint32_t value);

}  // namespace tfgram::util
