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

/// A module's complaint about one of its options. `option` is the option's name ("filters"; a
/// module made of parts prefixes its part: "sincgram.filters"), so a config layer can name its
/// key; what() reads "<module>: <option>: <problem>".
class OptionError : public std::invalid_argument {
 public:
  OptionError(const std::string& module, std::string option, std::string problem)
      : std::invalid_argument(module + ": " + option + ": " + problem),
        module_(module), option_(std::move(option)), problem_(std::move(problem)) {}
  const std::string& module() const { return module_; }
  const std::string& option() const { return option_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string module_, option_, problem_;
};

/// Throws OptionError(module, option, <message parts>) unless `condition` holds.
template <typename... Parts>
void require_option(bool condition, const char* module, const char* option, const Parts&... parts) {
  if (!condition) throw OptionError(module, option, concat(parts...));
}

/// Runs `build` and re-throws its OptionError with `part.` before the option and `module` as the
/// module: how a module made of parts forwards its parts' complaints under its own option names.
template <typename Build>
void forward_option_errors(const char* module, const std::string& part, Build&& build) {
  try {
    build();
  } catch (const OptionError& error) {
    throw OptionError(module, part + "." + error.option(), error.problem());
  }
}

}  // namespace tfgram::util
