#pragma once
// JSON helpers shared by the history and result files: optional numbers (null when unset) and
// learned front-end values.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tfgram/train/learned_values.h"

namespace tfgram::train::detail {

inline nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
inline std::optional<double> optional_from(const nlohmann::json& v) {
  if (v.is_null()) return std::nullopt;
  return v.get<double>();
}

/// Writes each value into `out` as `<prefix><name>` (a number, or an array for a vector) and its
/// unit under out["units"][name].
inline void write_learned(const LearnedValues& learned, const std::string& prefix, nlohmann::json& out) {
  for (const auto& value : learned.values) {
    out[prefix + value.name] = value.scalar ? nlohmann::json(value.values.at(0)) : nlohmann::json(value.values);
    out["units"][value.name] = value.unit;
  }
}

/// The values `write_learned` wrote with `prefix`. Files from before "units" existed name λ and
/// SincGram's values directly: `legacy` maps those (prefixed) keys to their names.
inline LearnedValues read_learned(const nlohmann::json& in, const std::string& prefix,
                                  const std::vector<std::pair<std::string, std::string>>& legacy = {}) {
  LearnedValues learned;
  const auto add = [&](const std::string& key, const std::string& name, const std::string& unit) {
    const auto found = in.find(key);
    if (found == in.end() || found->is_null()) return;
    if (found->is_array()) {
      if (found->empty()) return;
      learned.values.push_back({name, unit, found->get<std::vector<double>>(), false});
    } else {
      learned.values.push_back({name, unit, {found->get<double>()}, true});
    }
  };
  if (in.contains("units")) {
    for (const auto& [name, unit] : in.at("units").items()) add(prefix + name, name, unit.get<std::string>());
    return learned;
  }
  for (const auto& [key, name] : legacy) add(key, name, name == "lambd" ? "samples" : name == "window_ms" ? "ms" : "Hz");
  return learned;
}

}  // namespace tfgram::train::detail
