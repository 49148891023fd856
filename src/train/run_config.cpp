#include "tfgram/train/run_config.h"

#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "tfgram/models/classifier.h"
#include "tfgram/util/atomic_file.h"
#include "tfgram/util/check.h"

namespace tfgram::train {
namespace {
using json = nlohmann::json;
using util::concat;

[[noreturn]] void wrong_type(const std::string& key, const char* expected, const json& value) {
  throw std::invalid_argument(concat("config key '", key, "': expected ", expected, ", got ", value.dump()));
}

// Typed assignment from a JSON value, with errors naming the key.
void assign(std::string& out, const json& v, const std::string&) { out = v.is_string() ? v.get<std::string>() : v.dump(); }
void assign(bool& out, const json& v, const std::string& key) {
  if (v.is_boolean()) { out = v.get<bool>(); return; }
  if (v.is_string() && (v == "true" || v == "false")) { out = v == "true"; return; }
  wrong_type(key, "true or false", v);
}
void assign(double& out, const json& v, const std::string& key) {
  if (!v.is_number()) wrong_type(key, "a number", v);
  out = v.get<double>();
}
void assign(int64_t& out, const json& v, const std::string& key) {
  if (v.is_number_integer()) { out = v.get<int64_t>(); return; }
  if (v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()) { out = static_cast<int64_t>(v.get<double>()); return; }
  wrong_type(key, "an integer", v);
}
void assign(uint64_t& out, const json& v, const std::string& key) {
  if (v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0)) { out = v.get<uint64_t>(); return; }
  wrong_type(key, "a non-negative integer", v);
}
void assign(std::optional<double>& out, const json& v, const std::string& key) {
  if (v.is_null()) { out.reset(); return; }
  double value = 0;
  assign(value, v, key);
  out = value;
}
template <typename T>
void assign(std::vector<T>& out, const json& v, const std::string& key) {
  if (!v.is_array()) wrong_type(key, "a list such as [1, 2]", v);
  std::vector<T> values(v.size());
  for (size_t i = 0; i < v.size(); ++i) assign(values[i], v[i], key);
  out = std::move(values);
}

template <typename T>
json to_value(const T& v) { return json(v); }
json to_value(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

struct Field {
  std::function<void(RunConfig&, const json&, const std::string&)> set;
  std::function<json(const RunConfig&)> get;
};

template <typename Access>
Field make_field(Access access) {
  return {[access](RunConfig& c, const json& v, const std::string& key) { assign(access(c), v, key); },
          [access](const RunConfig& c) { return to_value(access(const_cast<RunConfig&>(c))); }};
}
#define TFGRAM_FIELD(path, member) \
  { path, make_field([](RunConfig& c) -> auto& { return c.member; }) }

const std::map<std::string, Field>& fields() {
  static const std::map<std::string, Field> table{
      TFGRAM_FIELD("data.kind", data.kind),
      TFGRAM_FIELD("data.root", data.root),
      TFGRAM_FIELD("data.label", data.label),
      TFGRAM_FIELD("data.length_policy", data.length_policy),
      TFGRAM_FIELD("data.on_error", data.on_error),
      TFGRAM_FIELD("data.pulses.examples", data.pulses.examples),
      TFGRAM_FIELD("data.pulses.sigma", data.pulses.sigma),
      TFGRAM_FIELD("data.pulses.noise_std", data.pulses.noise_std),
      TFGRAM_FIELD("data.pulses.seed", data.pulses.seed),
      TFGRAM_FIELD("data.split.kind", data.split.kind),
      TFGRAM_FIELD("data.split.train", data.split.train),
      TFGRAM_FIELD("data.split.valid", data.split.valid),
      TFGRAM_FIELD("data.split.test", data.split.test),
      TFGRAM_FIELD("data.split.seed", data.split.seed),
      TFGRAM_FIELD("data.split.stratify", data.split.stratify),
      TFGRAM_FIELD("data.split.test_folds", data.split.test_folds),
      TFGRAM_FIELD("data.split.valid_folds", data.split.valid_folds),
      TFGRAM_FIELD("data.split.train_speakers", data.split.train_speakers),
      TFGRAM_FIELD("data.split.valid_speakers", data.split.valid_speakers),
      TFGRAM_FIELD("data.split.test_speakers", data.split.test_speakers),
      TFGRAM_FIELD("data.split.valid_fraction", data.split.valid_fraction),
      TFGRAM_FIELD("train.optimizer", train.optimizer),
      TFGRAM_FIELD("train.lr_model", train.lr_model),
      TFGRAM_FIELD("train.lr_tf", train.lr_tf),  // train.lr.<group> are set by RunConfig::set
      TFGRAM_FIELD("train.momentum", train.momentum),
      TFGRAM_FIELD("train.batch_size", train.batch_size),
      TFGRAM_FIELD("train.max_epochs", train.max_epochs),
      TFGRAM_FIELD("train.patience", train.patience),
      TFGRAM_FIELD("train.seed", train.seed),
      TFGRAM_FIELD("train.workers", train.workers),
      TFGRAM_FIELD("train.device", train.device),
      TFGRAM_FIELD("train.on_nonfinite", train.on_nonfinite),
      TFGRAM_FIELD("window_ms", window_ms),
      TFGRAM_FIELD("output", output),
  };
  return table;
}
#undef TFGRAM_FIELD

json parse_value(const std::string& text) {
  try {
    return json::parse(text);
  } catch (const json::parse_error&) {
    return json(text);  // a bare string such as pow2 or ../data/fsdd
  }
}

void require_one_of(const std::string& key, const std::string& value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) return;
  }
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw std::invalid_argument(concat("config key '", key, "': expected one of ", list, "; got '", value, "'"));
}

json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      if (node.Tag() == "!") return json(node.Scalar());  // quoted in the YAML: keep as text
      return parse_value(node.Scalar());
    }
    default:
      return nullptr;
  }
}

void flatten(const YAML::Node& node, const std::string& prefix, const std::vector<std::string>& keep_whole,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (node.IsMap() && std::find(keep_whole.begin(), keep_whole.end(), prefix) == keep_whole.end()) {
    for (const auto& kv : node) {
      const std::string key = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
      flatten(kv.second, key, keep_whole, out);
    }
    return;
  }
  if (node.IsScalar()) {
    const json value = yaml_to_json(node);
    out.emplace_back(prefix, value.is_string() ? value.get<std::string>() : value.dump());
    return;
  }
  out.emplace_back(prefix, yaml_to_json(node).dump());
}

}  // namespace

std::pair<std::string, std::string> split_assignment(const std::string& assignment) {
  const auto eq = assignment.find('=');
  util::require(eq != std::string::npos && eq > 0, "--set", "expected key=value, got '", assignment, "'");
  return {assignment.substr(0, eq), assignment.substr(eq + 1)};
}

std::vector<std::pair<std::string, std::string>> flatten_yaml(const std::string& text, const std::string& origin,
                                                              const std::vector<std::string>& keep_whole) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw std::invalid_argument(concat(origin, ": not valid YAML: ", e.what()));
  }
  std::vector<std::pair<std::string, std::string>> out;
  if (root.IsNull()) return out;
  util::require(root.IsMap(), origin.c_str(), "expected a mapping of keys at the top level");
  flatten(root, "", keep_whole, out);
  // A key given twice (`lr: 1` then `lr: 2`, or `a: {b: 1}` and `a.b: 2`) is a mistake, not an override.
  std::set<std::string> seen;
  for (const auto& leaf : out) {
    util::require(seen.insert(leaf.first).second, origin.c_str(), "config key '", leaf.first, "' is given twice");
  }
  return out;
}

void RunConfig::set(const std::string& key, const std::string& value) {
  if (key.rfind("model.", 0) == 0) {
    model.set(key.substr(6), value);
    return;
  }
  if (key == "train.lr" || key.rfind("train.lr.", 0) == 0) {
    const auto groups = models::parameter_group_names();
    std::string known;
    for (const auto& g : groups) known += (known.empty() ? "train.lr." : ", train.lr.") + g;
    util::require(key != "train.lr", "config key 'train.lr'", "is a group of one rate per front-end parameter group (",
                  known, "); the backbone's rate is train.lr_model");
    const std::string group = key.substr(9);
    if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
      throw std::invalid_argument(concat("unknown config key '", key, "': front-end parameter groups are ", known));
    }
    const json parsed = parse_value(value);
    if (parsed.is_null()) {
      train.lr.erase(group);
      return;
    }
    double rate = 0;
    assign(rate, parsed, key);
    train.lr[group] = rate;
    return;
  }
  const auto found = fields().find(key);
  if (found == fields().end()) {
    throw std::invalid_argument(concat("unknown config key '", key, "' (model.* keys follow the model "
                                       "config; others: see `tfgram train --help` or docs/config.md)"));
  }
  RunConfig copy = *this;  // leave *this unchanged on error
  found->second.set(copy, parse_value(value), key);
  *this = std::move(copy);
}

std::vector<std::string> RunConfig::keys() {
  std::vector<std::string> names;
  for (const auto& [name, field] : fields()) names.push_back(name);
  for (const auto& group : models::parameter_group_names()) names.push_back("train.lr." + group);
  return names;
}

double TrainConfig::rate_of(const models::ParameterGroup& group) const {
  if (const auto found = lr.find(group.name); found != lr.end()) return found->second;
  if (lr_tf) return *lr_tf;
  return group.default_lr.value_or(lr_model);
}

void RunConfig::finalize() {
  if (window_ms) {
    util::require(std::isfinite(*window_ms) && *window_ms > 0, "config key 'window_ms'",
                  "expected a positive number of milliseconds, got ", *window_ms);
    model.frontend.dmel.lambd = *window_ms / 1000.0 * static_cast<double>(model.sample_rate) / 6.0;
  }
  Validate();
}

void RunConfig::Validate() const {
  const auto where = [](const char* key) { return concat("config key '", key, "'"); };
  require_one_of("data.kind", data.kind, {"fsdd", "esc10", "esc50", "audio_mnist", "folder", "manifest", "pulses"});
  util::require(data.kind == "pulses" || !data.root.empty(), where("data.root").c_str(),
                "a dataset folder (or manifest) is required for data.kind '", data.kind, "'");
  require_one_of("data.label", data.label, {"digit", "speaker"});
  require_one_of("data.length_policy", data.length_policy, {"centre", "center", "start", "none"});
  require_one_of("data.on_error", data.on_error, {"throw", "skip"});
  require_one_of("data.split.kind", data.split.kind, {"auto", "random", "folds", "speakers", "column", "official"});
  for (const auto& [name, value] : {std::pair{"data.split.train", data.split.train},
                                    std::pair{"data.split.valid", data.split.valid},
                                    std::pair{"data.split.test", data.split.test},
                                    std::pair{"data.split.valid_fraction", data.split.valid_fraction}}) {
    util::require(std::isfinite(value) && value >= 0 && value < 1.0 + 1e-12, where(name).c_str(),
                  "expected a fraction in [0, 1], got ", value);
  }
  util::require(std::abs(data.split.train + data.split.valid + data.split.test - 1.0) < 1e-6,
                where("data.split").c_str(), "train + valid + test must sum to 1, got ",
                data.split.train + data.split.valid + data.split.test);
  util::require(data.pulses.examples >= 3, where("data.pulses.examples").c_str(), "expected >= 3, got ",
                data.pulses.examples);
  util::require(std::isfinite(data.pulses.sigma) && data.pulses.sigma > 0, where("data.pulses.sigma").c_str(),
                "expected > 0, got ", data.pulses.sigma);
  util::require(std::isfinite(data.pulses.noise_std) && data.pulses.noise_std >= 0,
                where("data.pulses.noise_std").c_str(), "expected >= 0, got ", data.pulses.noise_std);
  require_one_of("train.optimizer", train.optimizer, {"adam", "sgd"});
  require_one_of("train.on_nonfinite", train.on_nonfinite, {"stop", "skip"});
  util::require(std::isfinite(train.lr_model) && train.lr_model > 0, where("train.lr_model").c_str(),
                "expected > 0, got ", train.lr_model);
  if (train.lr_tf) {
    util::require(std::isfinite(*train.lr_tf) && *train.lr_tf >= 0, where("train.lr_tf").c_str(),
                  "expected >= 0, got ", *train.lr_tf);
  }
  for (const auto& [group, rate] : train.lr) {
    util::require(std::isfinite(rate) && rate >= 0, concat("config key 'train.lr.", group, "'").c_str(),
                  "expected >= 0, got ", rate);
  }
  util::require(std::isfinite(train.momentum) && train.momentum >= 0 && train.momentum < 1,
                where("train.momentum").c_str(), "expected a value in [0, 1), got ", train.momentum);
  util::require(train.batch_size >= 1, where("train.batch_size").c_str(), "expected >= 1, got ", train.batch_size);
  util::require(train.max_epochs >= 1, where("train.max_epochs").c_str(), "expected >= 1, got ", train.max_epochs);
  util::require(train.patience >= 1, where("train.patience").c_str(), "expected >= 1, got ", train.patience);
  util::require(train.workers >= 0, where("train.workers").c_str(), "expected >= 0, got ", train.workers);
  try {
    (void)torch::Device(train.device);
  } catch (const std::exception&) {
    throw std::invalid_argument(concat(where("train.device"), ": expected cpu, cuda or cuda:N, got '", train.device, "'"));
  }
  // Unknown model kinds fail here, before any data is read or an experiment's first trial runs.
  (void)models::frontend_kind(model.frontend.kind, "config key 'model.frontend.kind'");
  (void)models::backbone_kind(model.backbone.kind, "config key 'model.backbone.kind'");
  util::require(!output.empty(), where("output").c_str(), "an output folder is required");
}

std::string RunConfig::to_json(int indent) const {
  json out = json::object();
  out["model"] = json::parse(model.to_json());
  for (const auto& [key, field] : fields()) {
    json* node = &out;
    size_t start = 0;
    for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
      node = &(*node)[key.substr(start, dot - start)];
      start = dot + 1;
    }
    (*node)[key.substr(start)] = field.get(*this);
  }
  out["train"]["lr"] = train.lr;
  return out.dump(indent);
}

RunConfig RunConfig::from_json(const std::string& text) {
  json in;
  try {
    in = json::parse(text);
  } catch (const json::parse_error& e) {
    throw std::invalid_argument(concat("run config: not valid JSON: ", e.what()));
  }
  RunConfig config;
  if (in.contains("model")) {
    config.model = models::ClassifierConfig::from_json(in["model"].dump());
    in.erase("model");
  }
  // Every other leaf goes through set(), so unknown keys fail the same way as in YAML.
  std::function<void(const json&, const std::string&)> walk = [&](const json& node, const std::string& prefix) {
    if (node.is_object() && fields().count(prefix) == 0) {
      for (const auto& [k, v] : node.items()) walk(v, prefix.empty() ? k : prefix + "." + k);
      return;
    }
    config.set(prefix, node.dump());
  };
  walk(in, "");
  return config;
}

void RunConfig::apply_yaml(const std::string& text, const std::string& origin) {
  for (const auto& [key, value] : flatten_yaml(text, origin)) {
    try {
      set(key, value);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(concat(origin, ": ", e.what()));
    }
  }
}

RunConfig RunConfig::from_yaml_file(const std::string& path) {
  std::string text;
  try {
    text = util::read_file(path);
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
  RunConfig config;
  config.apply_yaml(text, path);
  return config;
}

}  // namespace tfgram::train
