#pragma once
// Golden reference files: dict[str, Tensor] pickles from the published implementations.
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace tfgram::testing {

/// $TFGRAM_GOLDEN_DIR, or ../shared/golden beside the repository.
std::string golden_dir();
/// $TFGRAM_DATA_DIR, or ../shared/data beside the repository.
std::string data_dir();

/// Sorted paths of every *.pt file in golden_dir() (empty when there is none).
std::vector<std::string> golden_files();

class Golden {
 public:
  explicit Golden(const std::string& path);
  const std::string& path() const { return path_; }
  /// File name without ".pt", e.g. "tfde_add".
  const std::string& stem() const { return stem_; }
  bool has(const std::string& key) const { return tensors_.count(key) != 0; }
  /// The tensor under `key`; throws naming the file and key when absent.
  const torch::Tensor& at(const std::string& key) const;
  double real(const std::string& key) const { return at(key).item<double>(); }
  int64_t integer(const std::string& key) const { return at(key).item<int64_t>(); }
  /// All entries whose key starts with `prefix`, keyed by the rest of the name.
  std::map<std::string, torch::Tensor> with_prefix(const std::string& prefix) const;

 private:
  std::string path_;
  std::string stem_;
  std::map<std::string, torch::Tensor> tensors_;
};

}  // namespace tfgram::testing
