#include "tfgram/models/classifier_config.h"

#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <mutex>
#include <stdexcept>

#include "tfgram/models/classifier.h"
#include "tfgram/models/frontend_kind.h"
#include "tfgram/util/check.h"

namespace tfgram::models {
namespace {

using config::Json;
using config::KeyError;

template <typename... Parts>
void require_key(bool condition, const std::string& key, const Parts&... parts) {
  if (!condition) throw KeyError(key, util::concat(parts...));
}

// kind, trainable, log and one group per registered section. Built per use: kinds (and their
// sections) may be registered at any time.
config::Fields<FrontendConfig> frontend_fields() {
  using F = FrontendConfig;
  config::Fields<F> fields;
  fields.add("kind", [](F& f) -> auto& { return f.kind; })
      .add("trainable", [](F& f) -> auto& { return f.trainable; })
      .add("log", [](F& f) -> auto& { return f.log; });
  for (const auto& [name, prototype] : frontend_sections()) {
    // The section as it is in the target, added at its defaults when the target predates it.
    const auto slot = [name = name, prototype = prototype](F& f) -> config::Section& {
      auto found = f.sections.find(name);
      if (found == f.sections.end()) found = f.sections.emplace(name, prototype).first;
      return found->second;
    };
    typename config::Fields<F>::Entry entry;
    entry.name = name;
    entry.assign = [slot](F& f, const Json& value, const std::string& key) { slot(f).read(value, key); };
    entry.assign_path = [slot](F& f, const std::string& rest, const Json& value, const std::string& key) {
      slot(f).set(rest, value, key.substr(0, key.size() - rest.size() - 1));
    };
    entry.write = [slot](const F& f) { return slot(const_cast<F&>(f)).write(); };
    entry.keys = [name = name, prototype = prototype](const std::string& prefix) {
      return prototype.keys(config::join_key(prefix, name));
    };
    fields.custom(std::move(entry));
  }
  return fields;
}

const config::Fields<BackboneConfig>& backbone_fields() {
  static const auto fields =
      config::Fields<BackboneConfig>().add("kind", [](BackboneConfig& b) -> auto& { return b.kind; });
  return fields;
}

// Builds leave the random-number state as they found it: validating a config must not change
// the weights of the model built after it.
class RandomStateGuard {
 public:
  RandomStateGuard() : generator_(at::detail::getDefaultCPUGenerator()) {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    state_ = generator_.get_state();
  }
  ~RandomStateGuard() {
    std::lock_guard<std::mutex> lock(generator_.mutex());
    generator_.set_state(state_);
  }

 private:
  at::Generator generator_;
  at::Tensor state_;
};

void check_frontend_keys(const ClassifierConfig& c) {
  require_key(c.sample_rate > 0, "sample_rate", "must be > 0 Hz, got ", c.sample_rate);
  require_key(c.n_points >= 2, "n_points", "must be >= 2 samples, got ", c.n_points);
  const auto& kind = frontend_kind(c.frontend.kind, "frontend.kind");
  if (kind.fixed_reason) require_key(!c.frontend.trainable.value_or(false), "frontend.trainable", *kind.fixed_reason);
  if (kind.no_log_reason) require_key(!c.frontend.log.value_or(false), "frontend.log", *kind.no_log_reason);
}

}  // namespace

const config::Section& FrontendConfig::find_section(const std::string& name) const {
  const auto found = sections.find(name);
  if (found == sections.end()) throw KeyError("frontend." + name, "no front-end kind registers this section");
  return found->second;
}

const config::Fields<ClassifierConfig>& classifier_config_fields() {
  using C = ClassifierConfig;
  static const auto fields = [] {
    config::Fields<C> f;
    f.add("num_classes", [](C& c) -> auto& { return c.num_classes; })
        .add("sample_rate", [](C& c) -> auto& { return c.sample_rate; })
        .add("n_points", [](C& c) -> auto& { return c.n_points; });
    config::Fields<C>::Entry frontend;
    frontend.name = "frontend";
    frontend.assign = [](C& c, const Json& value, const std::string& key) {
      frontend_fields().read(c.frontend, value, key);
    };
    frontend.assign_path = [](C& c, const std::string& rest, const Json& value, const std::string& key) {
      frontend_fields().set(c.frontend, rest, value, key.substr(0, key.size() - rest.size() - 1));
    };
    frontend.write = [](const C& c) { return frontend_fields().write(c.frontend); };
    frontend.keys = [](const std::string& prefix) { return frontend_fields().keys(config::join_key(prefix, "frontend")); };
    f.custom(std::move(frontend));
    f.nest("backbone", [](C& c) -> auto& { return c.backbone; }, backbone_fields());
    return f;
  }();
  return fields;
}

ClassifierConfig::ClassifierConfig() { frontend.sections = frontend_sections(); }

bool ClassifierConfig::frontend_trainable() const {
  return frontend.trainable.value_or(frontend_kind(frontend.kind).trainable_by_default);
}

bool ClassifierConfig::frontend_log() const {
  return frontend.log.value_or(frontend_kind(frontend.kind).log_by_default);
}

FrontendParts build_frontend(const ClassifierConfig& config) {
  check_frontend_keys(config);
  FrontendParts parts = frontend_kind(config.frontend.kind).build(config);
  try {
    (void)parts.output_shape(config.n_points);
  } catch (const KeyError&) {
    throw;
  } catch (const std::invalid_argument& error) {
    throw KeyError("n_points", error.what());
  }
  return parts;
}

void ClassifierConfig::ValidateFrontend() const {
  RandomStateGuard guard;
  (void)build_frontend(*this);
}

void ClassifierConfig::Validate() const {
  require_key(num_classes >= 1, "num_classes", "must be >= 1, got ", num_classes);
  const auto& backbone_entry = backbone_kind(backbone.kind, "backbone.kind");
  RandomStateGuard guard;
  const auto parts = build_frontend(*this);
  if (backbone_entry.check) backbone_entry.check(*this, parts.output_shape(n_points));
}

std::string ClassifierConfig::to_json(int indent) const {
  return classifier_config_fields().write(*this).dump(indent);
}

ClassifierConfig ClassifierConfig::from_json(const std::string& text) {
  Json root;
  try {
    root = Json::parse(text);
  } catch (const Json::parse_error& error) {
    throw KeyError("config", std::string("invalid JSON: ") + error.what());
  }
  ClassifierConfig c;
  classifier_config_fields().read(c, root, "");
  return c;
}

void ClassifierConfig::set(const std::string& key, const std::string& value) {
  assign(key, config::parse_text(value));
}

void ClassifierConfig::assign(const std::string& key, const Json& value) {
  config::set_transactional(*this, classifier_config_fields(), key, value);
}

std::vector<std::string> ClassifierConfig::keys() { return classifier_config_fields().keys(); }

bool operator==(const ClassifierConfig& a, const ClassifierConfig& b) {
  const auto& fields = classifier_config_fields();
  return fields.write(a) == fields.write(b);
}

}  // namespace tfgram::models
