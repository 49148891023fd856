#pragma once
// Argument validation that throws std::invalid_argument naming the offending parameter.
#include <sstream>
#include <stdexcept>
#include <string>

namespace tfgram::util {

/// Concatenates anything streamable into one string.
template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::ostringstream out;
  (out << ... << parts);
  return out.str();
}

/// Throws std::invalid_argument("<where>: <message parts>") unless `condition` holds.
template <typename... Parts>
void require(bool condition, const char* where, const Parts&... parts) {
  if (!condition) throw std::invalid_argument(concat(where, ": ", parts...));
}

}  // namespace tfgram::util
