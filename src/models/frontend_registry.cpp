#include <torch/torch.h>

#include <algorithm>
#include <map>

#include "tfgram/dsp/log_compression.h"
#include "tfgram/models/frontend_kind.h"
#include "tfgram/models/frontend_kinds.h"
#include "tfgram/util/check.h"

namespace tfgram::models {
namespace {

struct Registry {
  std::map<std::string, FrontendKind> kinds;
  std::map<std::string, config::Section> sections;

  void add(const std::string& name, FrontendKind kind) {
    util::require(static_cast<bool>(kind.build), "register_frontend_kind", "'", name, "' needs a build function");
    for (const auto& [section, prototype] : kind.sections) {
      const auto found = sections.find(section);
      util::require(found == sections.end() || found->second.same_type(prototype), "register_frontend_kind", "'",
                    name, "': section '", section, "' is already registered with another options type");
      if (found == sections.end()) sections.emplace(section, prototype);
    }
    kinds[name] = std::move(kind);
  }
};

Registry& registry() {
  static Registry instance = [] {
    Registry r;
    for (auto& [name, kind] : builtin_frontend_kinds()) r.add(name, std::move(kind));
    return r;
  }();
  return instance;
}

}  // namespace

FeatureShape FrontendParts::output_shape(int64_t n_samples) const {
  const auto* frontend = dynamic_cast<const frontends::WaveformFrontend*>(module.ptr().get());
  util::require(frontend != nullptr, "FrontendParts", "the front-end module does not implement frontends::WaveformFrontend");
  return frontend->output_shape(n_samples);
}

void register_frontend_kind(const std::string& name, FrontendKind kind) { registry().add(name, std::move(kind)); }

std::vector<std::string> frontend_kinds() {
  std::vector<std::string> names;
  for (const auto& item : registry().kinds) names.push_back(item.first);
  return names;
}

const FrontendKind& frontend_kind(const std::string& name, const std::string& key) {
  return config::find_kind(registry().kinds, name, key);
}

std::map<std::string, config::Section> frontend_sections() { return registry().sections; }

std::vector<std::string> parameter_group_names() {
  std::vector<std::string> names;
  for (const auto& [kind_name, kind] : registry().kinds) {
    for (const auto& group : kind.groups) {
      if (std::find(names.begin(), names.end(), group.name) == names.end()) names.push_back(group.name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

void in_section(const std::string& section, const std::function<void()>& build) {
  try {
    build();
  } catch (const util::OptionError& error) {
    throw config::KeyError("frontend." + section + "." + error.option(), error.problem());
  }
}

torch::Tensor frontend_features(torch::nn::AnyModule& module, bool log, const torch::Tensor& audio) {
  util::require(audio.dim() == 2, "front end", "input must be (B, N) audio, got shape ", audio.sizes());
  auto x = module.forward(audio);
  if (x.dim() == 3) x = x.unsqueeze(1);
  if (log) x = dsp::log_compression(x, 1e-10);
  return x;
}

}  // namespace tfgram::models
