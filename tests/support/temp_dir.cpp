#include "support/temp_dir.h"

#include <stdlib.h>

#include <stdexcept>
#include <system_error>

namespace tfgram::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tfgram-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::file(const std::string& relative) const {
  const auto out = path_ / relative;
  std::filesystem::create_directories(out.parent_path());
  return out.string();
}

}  // namespace tfgram::testing
