#pragma once
// Weights in the published implementations' format: a `dict[str, Tensor]` pickled by PyTorch's
// `torch.save`, keyed by the Python modules' parameter and buffer names. Reading maps those names
// onto a tfgram module, writing produces a file Python's `torch.load` reads.
// docs/published_names.md lists the names of every model.
#include <torch/nn/module.h>
#include <torch/types.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tfgram::models {

/// How our state names relate to published ones: prefix rewrites plus state of ours the
/// published models do not store. The empty map is the identity (our standalone backbones).
struct PublishedNameMap {
  /// (our prefix, published prefix) pairs. A name takes the rewrite of its longest matching
  /// prefix (on our side when writing, on the published side when reading); an empty published
  /// prefix means the published model keeps those entries at its top level.
  std::vector<std::pair<std::string, std::string>> renames;
  /// Prefixes of our state that is derived from the configuration (e.g. a fixed Hann window) and
  /// absent from published files: neither written nor expected.
  std::vector<std::string> derived;

  std::string to_published(const std::string& ours) const;
  /// Our name for a published one, or the published name itself when no rewrite applies.
  std::string to_ours(const std::string& published) const;
  bool is_derived(const std::string& ours) const;
};

struct PublishedLoadOptions {
  /// Only keys starting with this prefix are weights (it is removed first); others are ignored.
  /// E.g. "state_dict/" for the golden files.
  std::string prefix;
  /// Throw on missing or unexpected keys. Shape mismatches always throw.
  bool strict = true;
};

/// What a load did; with strict loading `missing` and `unexpected` are empty.
struct PublishedLoadReport {
  std::vector<std::string> loaded;      ///< published names copied into the module
  std::vector<std::string> missing;     ///< published names the module needs but the file lacks
  std::vector<std::string> unexpected;  ///< file keys (after the prefix) the module does not have
};

/// Reads a `torch.save`d `dict[str, Tensor]` (plain dict or OrderedDict). Throws
/// std::runtime_error naming the file when it cannot be read or holds something else.
std::map<std::string, torch::Tensor> read_tensor_dict(const std::string& path);
/// Writes `tensors` (moved to CPU, contiguous) as a dict Python's `torch.load` returns; atomic
/// (written beside the target, then renamed).
void write_tensor_dict(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::string& path);

/// Copies published-name weights into `module`'s parameters and buffers, converting dtype (the
/// goldens store float16) and device to each destination's. Every check runs before anything is
/// copied: a shape mismatch, a missing key or an unexpected key (when strict) throws
/// std::runtime_error listing all of them. Integer buffers (BatchNorm's num_batches_tracked)
/// may be absent; published files omit them.
PublishedLoadReport load_published_weights(torch::nn::Module& module,
                                           const std::map<std::string, torch::Tensor>& weights,
                                           const PublishedNameMap& names = {},
                                           const PublishedLoadOptions& options = {});
/// The same from a file written by `torch.save`.
PublishedLoadReport load_published_weights(torch::nn::Module& module, const std::string& path,
                                           const PublishedNameMap& names = {},
                                           const PublishedLoadOptions& options = {});

/// `module`'s parameters and buffers under their published names, in registration order,
/// detached copies on the CPU. Derived state is left out.
std::vector<std::pair<std::string, torch::Tensor>> published_state_dict(
    const torch::nn::Module& module, const PublishedNameMap& names = {});
/// Writes published_state_dict(module, names) with write_tensor_dict.
void save_published_weights(const torch::nn::Module& module, const std::string& path,
                            const PublishedNameMap& names = {});

}  // namespace tfgram::models
