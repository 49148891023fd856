#include "tfgram/train/run_config.h"

#include <torch/torch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <set>

#include "tfgram/config/fields.h"
#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/models/classifier.h"
#include "tfgram/train/data_setup.h"
#include "tfgram/util/atomic_file.h"
#include "tfgram/util/check.h"

namespace tfgram::train {
namespace {
using config::Json;
using config::KeyError;
using util::concat;

const config::Fields<PulsesConfig>& pulses_fields() {
  using P = PulsesConfig;
  static const auto fields = config::Fields<P>()
                                 .add("examples", [](P& p) -> auto& { return p.examples; })
                                 .add("sigma", [](P& p) -> auto& { return p.sigma; })
                                 .add("noise_std", [](P& p) -> auto& { return p.noise_std; })
                                 .add("seed", [](P& p) -> auto& { return p.seed; });
  return fields;
}

const config::Fields<SplitConfig>& split_fields() {
  using S = SplitConfig;
  static const auto fields = config::Fields<S>()
                                 .add("kind", [](S& s) -> auto& { return s.kind; })
                                 .add("train", [](S& s) -> auto& { return s.train; })
                                 .add("valid", [](S& s) -> auto& { return s.valid; })
                                 .add("test", [](S& s) -> auto& { return s.test; })
                                 .add("seed", [](S& s) -> auto& { return s.seed; })
                                 .add("stratify", [](S& s) -> auto& { return s.stratify; })
                                 .add("test_folds", [](S& s) -> auto& { return s.test_folds; })
                                 .add("valid_folds", [](S& s) -> auto& { return s.valid_folds; })
                                 .add("train_speakers", [](S& s) -> auto& { return s.train_speakers; })
                                 .add("valid_speakers", [](S& s) -> auto& { return s.valid_speakers; })
                                 .add("test_speakers", [](S& s) -> auto& { return s.test_speakers; })
                                 .add("valid_fraction", [](S& s) -> auto& { return s.valid_fraction; })
                                 .add("train_subset", [](S& s) -> auto& { return s.train_subset; });
  return fields;
}

const config::Fields<DataConfig>& data_fields() {
  using D = DataConfig;
  static const auto fields = config::Fields<D>()
                                 .add("kind", [](D& d) -> auto& { return d.kind; })
                                 .add("root", [](D& d) -> auto& { return d.root; })
                                 .add("label", [](D& d) -> auto& { return d.label; })
                                 .add("length_policy", [](D& d) -> auto& { return d.length_policy; })
                                 .add("on_error", [](D& d) -> auto& { return d.on_error; })
                                 .nest("pulses", [](D& d) -> auto& { return d.pulses; }, pulses_fields())
                                 .nest("split", [](D& d) -> auto& { return d.split; }, split_fields());
  return fields;
}

std::string group_list() {
  std::string known;
  for (const auto& g : models::parameter_group_names()) known += (known.empty() ? "train.lr." : ", train.lr.") + g;
  return known;
}

// train.lr.<group>: one rate per front-end parameter group any registered kind declares.
config::Fields<TrainConfig>::Entry rate_map_entry() {
  config::Fields<TrainConfig>::Entry entry;
  entry.name = "lr";
  const auto set_one = [](TrainConfig& t, const std::string& group, const Json& value, const std::string& key) {
    const auto groups = models::parameter_group_names();
    if (std::find(groups.begin(), groups.end(), group) == groups.end()) {
      throw KeyError(key, "unknown key: front-end parameter groups are " + group_list());
    }
    if (value.is_null()) {
      t.lr.erase(group);
    } else {
      t.lr[group] = config::Value<double>::read(value, key);
    }
  };
  entry.assign = [set_one](TrainConfig& t, const Json& value, const std::string& key) {
    if (!value.is_object()) {
      throw KeyError(key, "is a group of one rate per front-end parameter group (" + group_list() +
                              "); the backbone's rate is train.lr_model");
    }
    for (const auto& item : value.items()) set_one(t, item.key(), item.value(), key + "." + item.key());
  };
  entry.assign_path = [set_one](TrainConfig& t, const std::string& rest, const Json& value, const std::string& key) {
    set_one(t, rest, value, key);
  };
  entry.write = [](const TrainConfig& t) {
    Json out = Json::object();
    for (const auto& [group, rate] : t.lr) out[group] = rate;
    return out;
  };
  entry.keys = [](const std::string& prefix) {
    std::vector<std::string> keys;
    for (const auto& g : models::parameter_group_names()) keys.push_back(config::join_key(prefix, "lr." + g));
    return keys;
  };
  return entry;
}

const config::Fields<TrainConfig>& train_fields() {
  using T = TrainConfig;
  static const auto fields = config::Fields<T>()
                                 .add("optimizer", [](T& t) -> auto& { return t.optimizer; })
                                 .add("lr_model", [](T& t) -> auto& { return t.lr_model; })
                                 .custom(rate_map_entry())
                                 .add("lr_tf", [](T& t) -> auto& { return t.lr_tf; })
                                 .add("momentum", [](T& t) -> auto& { return t.momentum; })
                                 .add("batch_size", [](T& t) -> auto& { return t.batch_size; })
                                 .add("drop_last", [](T& t) -> auto& { return t.drop_last; })
                                 .add("max_epochs", [](T& t) -> auto& { return t.max_epochs; })
                                 .add("patience", [](T& t) -> auto& { return t.patience; })
                                 .add("seed", [](T& t) -> auto& { return t.seed; })
                                 .add("workers", [](T& t) -> auto& { return t.workers; })
                                 .add("device", [](T& t) -> auto& { return t.device; })
                                 .add("on_nonfinite", [](T& t) -> auto& { return t.on_nonfinite; });
  return fields;
}

const config::Fields<RunConfig>& run_fields() {
  using R = RunConfig;
  static const auto fields =
      config::Fields<R>()
          .nest("model", [](R& r) -> auto& { return r.model; }, models::classifier_config_fields())
          .nest("data", [](R& r) -> auto& { return r.data; }, data_fields())
          .nest("train", [](R& r) -> auto& { return r.train; }, train_fields())
          .add("window_ms", [](R& r) -> auto& { return r.window_ms; })
          .add("output", [](R& r) -> auto& { return r.output; });
  return fields;
}

void require_one_of(const std::string& key, const std::string& value, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (value == a) return;
  }
  std::string list;
  for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
  throw KeyError(key, concat("expected one of ", list, "; got '", value, "'"));
}

// Document order kept (grids and profiles are read in the order they are written).
using OrderedJson = nlohmann::ordered_json;

OrderedJson yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      OrderedJson out = OrderedJson::object();
      for (const auto& kv : node) {
        const auto key = kv.first.as<std::string>();
        // yaml-cpp keeps both of a duplicated key; the second would silently win.
        if (out.contains(key)) throw std::invalid_argument(concat("key '", key, "' appears twice"));
        out[key] = yaml_to_json(kv.second);
      }
      return out;
    }
    case YAML::NodeType::Sequence: {
      OrderedJson out = OrderedJson::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      if (node.Tag() == "!") return OrderedJson(node.Scalar());  // quoted in the YAML: keep as text
      return OrderedJson::parse(config::parse_text(node.Scalar()).dump());
    }
    default:
      return nullptr;
  }
}

void flatten(const YAML::Node& node, const std::string& prefix, const std::vector<std::string>& keep_whole,
             std::vector<std::pair<std::string, std::string>>& out) {
  // An empty mapping has no leaves but means something (`pcen: {}` switches a stage on with its
  // defaults): it is a leaf of its own.
  if (node.IsMap() && node.size() == 0 && !prefix.empty()) {
    out.emplace_back(prefix, "{}");
    return;
  }
  if (node.IsMap() && std::find(keep_whole.begin(), keep_whole.end(), prefix) == keep_whole.end()) {
    for (const auto& kv : node) {
      const std::string key = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
      flatten(kv.second, key, keep_whole, out);
    }
    return;
  }
  if (node.IsScalar()) {
    const OrderedJson value = yaml_to_json(node);
    // A string that would read back as something else (a quoted "true" or "64") stays quoted.
    const bool bare = value.is_string() && config::parse_text(value.get<std::string>()).is_string();
    out.emplace_back(prefix, bare ? value.get<std::string>() : value.dump());
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

void RunConfig::set(const std::string& key, const std::string& value) { assign(key, config::parse_text(value)); }

void RunConfig::assign(const std::string& key, const config::Json& value) {
  config::set_transactional(*this, run_fields(), key, value);
}

std::vector<std::string> RunConfig::keys() { return run_fields().keys(); }

double TrainConfig::rate_of(const models::ParameterGroup& group) const {
  if (group.fixed) return 0.0;
  if (const auto found = lr.find(group.name); found != lr.end()) return found->second;
  if (lr_tf) return *lr_tf;
  return group.default_lr.value_or(lr_model);
}

void RunConfig::finalize() {
  if (window_ms) {
    // The one key is model.frontend.dmel.lambd; window_ms is the papers' way to state it.
    model.assign("frontend.dmel.lambd", dsp::lambd_for_window_ms(*window_ms, model.sample_rate));
  }
  Validate();
}

void RunConfig::Validate() const {
  const auto where = [](const char* key) { return std::string(key); };
  util::require(!dataset_kind(data.kind, "data.kind").needs_root || !data.root.empty(), where("data.root").c_str(),
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
  util::require(std::isfinite(data.split.train_subset) && data.split.train_subset > 0 && data.split.train_subset <= 1,
                where("data.split.train_subset").c_str(), "expected a fraction in (0, 1], got ", data.split.train_subset);
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
    util::require(std::isfinite(rate) && rate >= 0, concat("train.lr.", group).c_str(),
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
    throw KeyError("train.device", concat("expected cpu, cuda or cuda:N, got '", train.device, "'"));
  }
  // Unknown model kinds fail here, before any data is read or an experiment's first trial runs.
  (void)models::frontend_kind(model.frontend.kind, "model.frontend.kind");
  (void)models::backbone_kind(model.backbone.kind, "model.backbone.kind");
  util::require(!output.empty(), where("output").c_str(), "an output folder is required");
}

std::string RunConfig::to_json(int indent) const { return run_fields().write(*this).dump(indent); }

RunConfig RunConfig::from_json(const std::string& text) {
  Json in;
  try {
    in = Json::parse(text);
  } catch (const Json::parse_error& e) {
    throw KeyError("run config", concat("not valid JSON: ", e.what()));
  }
  RunConfig config;
  run_fields().read(config, in, "");
  return config;
}

void RunConfig::apply_yaml(const std::string& text, const std::string& origin) {
  // Leaf by leaf, so dotted keys (`train.seed: 3`) work beside nested ones; a key given twice in
  // either form is refused by flatten_yaml.
  RunConfig copy = *this;
  for (const auto& [key, value] : flatten_yaml(text, origin)) {
    try {
      copy.set(key, value);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(concat(origin, ": ", e.what()));
    }
  }
  *this = std::move(copy);
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
