#include "tfgram/models/published_weights.h"
#include "tfgram/util/pickle.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tfgram::models {
namespace fs = std::filesystem;

namespace {
bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

// The rename whose `side` prefix (first = ours, second = published) is the longest match.
const std::pair<std::string, std::string>* best_rename(
    const std::vector<std::pair<std::string, std::string>>& renames, const std::string& name,
    bool published_side) {
  const std::pair<std::string, std::string>* best = nullptr;
  for (const auto& rename : renames) {
    const auto& prefix = published_side ? rename.second : rename.first;
    if (!starts_with(name, prefix)) continue;
    const auto& best_prefix = best == nullptr ? prefix : (published_side ? best->second : best->first);
    if (best == nullptr || prefix.size() > best_prefix.size()) best = &rename;
  }
  return best;
}

std::string join(const std::vector<std::string>& items, size_t limit = 12) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < limit; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > limit) out += ", … (" + std::to_string(items.size() - limit) + " more)";
  return out;
}

std::string shape_string(const torch::Tensor& t) {
  std::ostringstream out;
  out << t.sizes();
  return out.str();
}

// Our state in registration order: parameters, then buffers.
std::vector<std::pair<std::string, torch::Tensor>> own_state(const torch::nn::Module& module) {
  std::vector<std::pair<std::string, torch::Tensor>> state;
  for (const auto& item : module.named_parameters()) state.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers()) state.emplace_back(item.key(), item.value());
  return state;
}

bool is_integer_buffer(const torch::Tensor& t) {
  return !t.is_floating_point() && !t.is_complex() && t.scalar_type() != torch::kBool;
}
}  // namespace

std::string PublishedNameMap::to_published(const std::string& ours) const {
  const auto* rename = best_rename(renames, ours, /*published_side=*/false);
  return rename == nullptr ? ours : rename->second + ours.substr(rename->first.size());
}

std::string PublishedNameMap::to_ours(const std::string& published) const {
  const auto* rename = best_rename(renames, published, /*published_side=*/true);
  return rename == nullptr ? published : rename->first + published.substr(rename->second.size());
}

bool PublishedNameMap::is_derived(const std::string& ours) const {
  for (const auto& prefix : derived) {
    if (starts_with(ours, prefix)) return true;
  }
  return false;
}

std::map<std::string, torch::Tensor> read_tensor_dict(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open weights file '" + path + "'");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // LibTorch's unpickler turns collections.OrderedDict into None, so a bare
  // torch.save(model.state_dict()) cannot be read: say how to write a readable file.
  const std::string hint =
      " (LibTorch reads a plain dict of tensors: in Python, torch.save(dict(model.state_dict()), "
      "path) with the default zip format)";
  torch::IValue value;
  try {
    value = util::pickle_load_bounded(bytes);  // torch::pickle_load reads past the end of damaged files
  } catch (const c10::Error& error) {
    throw std::runtime_error("weights file '" + path + "' cannot be read: " +
                             error.what_without_backtrace() + hint);
  } catch (const std::exception& error) {
    throw std::runtime_error("weights file '" + path + "' cannot be read: " + error.what() + hint);
  }
  if (!value.isGenericDict()) {
    throw std::runtime_error("weights file '" + path + "' holds a " + value.tagKind() +
                             ", expected dict[str, Tensor]" + hint);
  }
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& item : value.toGenericDict()) {
    if (!item.key().isString()) {
      throw std::runtime_error("weights file '" + path + "' has a non-string key (" +
                               item.key().tagKind() + ")");
    }
    const auto& key = item.key().toStringRef();
    if (!item.value().isTensor()) {
      throw std::runtime_error("weights file '" + path + "': key '" + key + "' holds a " +
                               item.value().tagKind() + ", not a tensor");
    }
    tensors.emplace(key, item.value().toTensor());
  }
  return tensors;
}

void write_tensor_dict(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                       const std::string& path) {
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [key, tensor] : tensors) {
    if (dict.contains(key)) throw std::invalid_argument("write_tensor_dict: duplicate key '" + key + "'");
    // A fresh contiguous CPU copy: no autograd history and no larger storage behind a view.
    dict.insert(key, tensor.detach().to(torch::kCPU).contiguous().clone());
  }
  const auto bytes = torch::pickle_save(torch::IValue(dict));
  const fs::path target(path);
  const fs::path temporary = target.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write weights file '" + temporary.string() + "'");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw std::runtime_error("failed writing weights file '" + temporary.string() + "'");
  }
  std::error_code error;
  fs::rename(temporary, target, error);
  if (error) {
    fs::remove(temporary);
    throw std::runtime_error("cannot move '" + temporary.string() + "' to '" + path +
                             "': " + error.message());
  }
}

PublishedLoadReport load_published_weights(torch::nn::Module& module,
                                           const std::map<std::string, torch::Tensor>& weights,
                                           const PublishedNameMap& names,
                                           const PublishedLoadOptions& options) {
  // published name → our tensor, for everything the published model stores.
  std::map<std::string, torch::Tensor> expected;
  std::set<std::string> optional_keys;
  for (const auto& [ours, tensor] : own_state(module)) {
    if (names.is_derived(ours)) continue;
    const auto published = names.to_published(ours);
    if (!expected.emplace(published, tensor).second) {
      throw std::logic_error("published name map sends two tensors to '" + published + "'");
    }
    if (is_integer_buffer(tensor)) optional_keys.insert(published);
  }

  PublishedLoadReport report;
  std::vector<std::string> mismatched;
  std::vector<std::pair<torch::Tensor, torch::Tensor>> copies;  // (destination, source)
  std::set<std::string> seen;
  for (const auto& [key, value] : weights) {
    if (!starts_with(key, options.prefix)) continue;
    const auto name = key.substr(options.prefix.size());
    const auto found = expected.find(name);
    if (found == expected.end()) {
      report.unexpected.push_back(name);
      continue;
    }
    seen.insert(name);
    if (found->second.sizes() != value.sizes()) {
      mismatched.push_back(name + " (ours " + shape_string(found->second) + ", file " +
                           shape_string(value) + ")");
      continue;
    }
    copies.emplace_back(found->second, value);
    report.loaded.push_back(name);
  }
  for (const auto& [name, tensor] : expected) {
    if (seen.count(name) == 0 && optional_keys.count(name) == 0) report.missing.push_back(name);
  }

  std::string problems;
  if (!mismatched.empty()) problems += "; shape mismatch: " + join(mismatched);
  if (options.strict && !report.missing.empty()) problems += "; missing: " + join(report.missing);
  if (options.strict && !report.unexpected.empty()) {
    problems += "; unexpected: " + join(report.unexpected);
  }
  if (!problems.empty()) {
    const std::string where =
        options.prefix.empty() ? std::string() : " (keys under '" + options.prefix + "')";
    throw std::runtime_error("cannot load published weights" + where + ": " + problems.substr(2));
  }

  torch::NoGradGuard no_grad;
  for (auto& [destination, source] : copies) {
    destination.copy_(source.to(destination.device(), destination.scalar_type()));
  }
  return report;
}

PublishedLoadReport load_published_weights(torch::nn::Module& module, const std::string& path,
                                           const PublishedNameMap& names,
                                           const PublishedLoadOptions& options) {
  try {
    return load_published_weights(module, read_tensor_dict(path), names, options);
  } catch (const std::runtime_error& error) {
    const std::string message = error.what();
    if (message.find(path) != std::string::npos) throw;
    throw std::runtime_error("'" + path + "': " + message);
  }
}

std::vector<std::pair<std::string, torch::Tensor>> published_state_dict(
    const torch::nn::Module& module, const PublishedNameMap& names) {
  std::vector<std::pair<std::string, torch::Tensor>> state;
  for (const auto& [ours, tensor] : own_state(module)) {
    if (names.is_derived(ours)) continue;
    state.emplace_back(names.to_published(ours), tensor.detach().to(torch::kCPU).clone());
  }
  return state;
}

void save_published_weights(const torch::nn::Module& module, const std::string& path,
                            const PublishedNameMap& names) {
  write_tensor_dict(published_state_dict(module, names), path);
}

}  // namespace tfgram::models
