#include "support/golden.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace tfgram::testing {
namespace fs = std::filesystem;

namespace {
std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && *value != '\0') ? value : fallback;
}
}  // namespace

std::string golden_dir() { return env_or("TFGRAM_GOLDEN_DIR", TFGRAM_DEFAULT_GOLDEN_DIR); }
std::string data_dir() { return env_or("TFGRAM_DATA_DIR", TFGRAM_DEFAULT_DATA_DIR); }

std::vector<std::string> golden_files() {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(golden_dir(), error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".pt") {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

Golden::Golden(const std::string& path) : path_(path), stem_(fs::path(path).stem().string()) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open golden file " + path);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto dict = torch::pickle_load(bytes).toGenericDict();
  for (const auto& item : dict) {
    tensors_.emplace(item.key().toStringRef(), item.value().toTensor());
  }
}

const torch::Tensor& Golden::at(const std::string& key) const {
  const auto found = tensors_.find(key);
  if (found == tensors_.end()) {
    throw std::runtime_error("golden file " + path_ + " has no key '" + key + "'");
  }
  return found->second;
}

std::map<std::string, torch::Tensor> Golden::with_prefix(const std::string& prefix) const {
  std::map<std::string, torch::Tensor> out;
  for (const auto& [key, value] : tensors_) {
    if (key.rfind(prefix, 0) == 0) out.emplace(key.substr(prefix.size()), value);
  }
  return out;
}

}  // namespace tfgram::testing
