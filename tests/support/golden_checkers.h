#pragma once
// Registry of golden-file checkers: component name → function that checks one file.
#include <functional>
#include <string>
#include <utility>

#include "support/golden.h"

namespace tfgram::testing {

/// Checks one golden file; `variant` is the part of the file name after the component
/// (e.g. "add" for tfde_add.pt, "" for an exact match).
using GoldenChecker = std::function<void(const Golden& golden, const std::string& variant)>;

/// Registers a checker for files named `component.pt` or `component_<variant>.pt`.
bool register_golden_checker(const std::string& component, GoldenChecker checker);

/// The checker for a file stem (exact component first, then the longest prefix before a '_').
std::pair<GoldenChecker, std::string> find_golden_checker(const std::string& stem);
std::string known_golden_components();

}  // namespace tfgram::testing
