#pragma once
// Optional numbers ⇄ JSON (null when unset), shared by the history and result files.
#include <nlohmann/json.hpp>
#include <optional>

namespace tfgram::train::detail {

inline nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
inline std::optional<double> optional_from(const nlohmann::json& v) {
  if (v.is_null()) return std::nullopt;
  return v.get<double>();
}

}  // namespace tfgram::train::detail
