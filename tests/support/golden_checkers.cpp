#include "support/golden_checkers.h"

#include <map>

namespace tfgram::testing {
namespace {
std::map<std::string, GoldenChecker>& registry() {
  static std::map<std::string, GoldenChecker> checkers;
  return checkers;
}
}  // namespace

bool register_golden_checker(const std::string& component, GoldenChecker checker) {
  registry()[component] = std::move(checker);
  return true;
}

std::pair<GoldenChecker, std::string> find_golden_checker(const std::string& stem) {
  std::string component = stem;
  std::string variant;
  while (true) {
    const auto found = registry().find(component);
    if (found != registry().end()) return {found->second, variant};
    const auto cut = component.rfind('_');
    if (cut == std::string::npos) return {GoldenChecker(), ""};
    variant = component.substr(cut + 1) + (variant.empty() ? "" : "_" + variant);
    component = component.substr(0, cut);
  }
}

std::string known_golden_components() {
  std::string names;
  for (const auto& [name, checker] : registry()) names += (names.empty() ? "" : ", ") + name;
  return names;
}

}  // namespace tfgram::testing
