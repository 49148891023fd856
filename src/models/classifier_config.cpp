#include "tfgram/models/classifier_config.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>
#include <stdexcept>

#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/frontends/sincgram.h"
#include "tfgram/frontends/tfde.h"
#include "tfgram/models/classifier.h"
#include "tfgram/util/check.h"

namespace tfgram::models {
using json = nlohmann::json;

namespace {

// ---- validation helpers: every message starts with the key ----

template <typename... Parts>
void require_key(bool condition, const std::string& key, const Parts&... parts) {
  if (!condition) throw std::invalid_argument(util::concat(key, ": ", parts...));
}

// Re-throws a parser's complaint under the config key it came from.
template <typename Parse>
void parse_key(const std::string& key, Parse&& parse) {
  try {
    parse();
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(key + ": " + error.what());
  }
}

bool uses_gaussian(const std::string& kind) {
  return kind == "dmel" || kind == "logmel" || kind == "dspec";
}
bool uses_mel(const std::string& kind) { return kind == "dmel" || kind == "logmel"; }
bool uses_stft(const std::string& kind) { return kind == "spectrogram" || kind == "degram"; }

void validate_band(double f_min, const std::optional<double>& f_max, int64_t sample_rate,
                   const std::string& group) {
  const double nyquist = static_cast<double>(sample_rate) / 2.0;
  require_key(std::isfinite(f_min) && f_min >= 0 && f_min < nyquist, group + ".f_min",
              "must lie in [0, sample_rate/2 = ", nyquist, "), got ", f_min);
  if (f_max) {
    require_key(std::isfinite(*f_max) && *f_max > f_min && *f_max <= nyquist, group + ".f_max",
                "must lie in (f_min = ", f_min, ", sample_rate/2 = ", nyquist, "], got ", *f_max);
  }
}

void validate_gaussian(const ClassifierConfig& c) {
  const auto& g = c.frontend.dmel;
  require_key(std::isfinite(g.lambd) && g.lambd > 0, "frontend.dmel.lambd",
              "must be a positive number of samples, got ", g.lambd);
  parse_key("frontend.dmel.mode", [&] { dsp::parse_window_mode(g.mode); });
  require_key(g.hop_length >= 1, "frontend.dmel.hop_length", "must be >= 1, got ", g.hop_length);
  if (uses_mel(c.frontend.kind)) {
    require_key(g.n_mels >= 1, "frontend.dmel.n_mels", "must be >= 1, got ", g.n_mels);
    validate_band(g.f_min, g.f_max, c.sample_rate, "frontend.dmel");
  }
}

void validate_stft(const ClassifierConfig& c) {
  const auto& s = c.frontend.stft;
  require_key(s.n_fft >= 2, "frontend.stft.n_fft", "must be >= 2, got ", s.n_fft);
  const auto win = static_cast<int64_t>(std::floor(s.win_sec * static_cast<double>(c.sample_rate)));
  require_key(std::isfinite(s.win_sec) && win >= 1 && win <= s.n_fft, "frontend.stft.win_sec",
              "must give a window of 1 … n_fft = ", s.n_fft, " samples at ", c.sample_rate,
              " Hz, got ", s.win_sec, " s");
  const auto hop = static_cast<int64_t>(std::floor(s.hop_sec * static_cast<double>(c.sample_rate)));
  require_key(std::isfinite(s.hop_sec) && hop >= 1, "frontend.stft.hop_sec",
              "must give a hop of >= 1 sample at ", c.sample_rate, " Hz, got ", s.hop_sec, " s");
  require_key(c.n_points > s.n_fft / 2, "n_points", "reflect padding needs more than n_fft/2 = ",
              s.n_fft / 2, " samples, got ", c.n_points);
}

void validate_degram(const ClassifierConfig& c) {
  const auto& d = c.frontend.degram;
  require_key(d.sincgram || d.attention, "frontend.degram.sincgram",
              "at least one of sincgram and attention must be true");
  require_key(d.filters >= 1, "frontend.degram.filters", "must be >= 1, got ", d.filters);
  require_key(d.order >= 1, "frontend.degram.order", "must be >= 1, got ", d.order);
  parse_key("frontend.degram.init", [&] { frontends::parse_sincgram_init(d.init); });
  validate_band(d.f_min, d.f_max, c.sample_rate, "frontend.degram");
  require_key(std::isfinite(d.eps) && d.eps > 0, "frontend.degram.eps", "must be > 0, got ", d.eps);
  parse_key("frontend.degram.constraint", [&] { frontends::parse_sincgram_constraint(d.constraint); });
  if (d.min_bandwidth_hz) {
    const double nyquist = static_cast<double>(c.sample_rate) / 2.0;
    require_key(std::isfinite(*d.min_bandwidth_hz) && *d.min_bandwidth_hz > 0 && *d.min_bandwidth_hz < nyquist,
                "frontend.degram.min_bandwidth_hz", "must lie in (0, sample_rate/2 = ", nyquist, ") Hz, got ",
                *d.min_bandwidth_hz);
  }
  require_key(std::isfinite(d.reduction_ratio) && d.reduction_ratio > 0 && d.reduction_ratio <= 1,
              "frontend.degram.reduction_ratio", "must lie in (0, 1], got ", d.reduction_ratio);
  parse_key("frontend.degram.strategy", [&] { frontends::parse_tfde_strategy(d.strategy); });
}

// ---- JSON: a reader that names the key of every complaint and rejects unknown keys ----

const char* type_name(const json& value) { return value.type_name(); }

class Reader {
 public:
  Reader(const json& object, std::string path) : object_(object), path_(std::move(path)) {
    if (!object_.is_object()) {
      throw std::invalid_argument((path_.empty() ? std::string("config") : path_) +
                                  ": expected a JSON object, got " + type_name(object_));
    }
  }

  void get(const char* key, int64_t& field) {
    read(key, [&](const json& v) {
      expect(v.is_number_integer(), key, "an integer", v);
      field = v.get<int64_t>();
    });
  }
  void get(const char* key, double& field) {
    read(key, [&](const json& v) {
      expect(v.is_number(), key, "a number", v);
      field = v.get<double>();
    });
  }
  void get(const char* key, bool& field) {
    read(key, [&](const json& v) {
      expect(v.is_boolean(), key, "true or false", v);
      field = v.get<bool>();
    });
  }
  void get(const char* key, std::string& field) {
    read(key, [&](const json& v) {
      expect(v.is_string(), key, "a string", v);
      field = v.get<std::string>();
    });
  }
  template <typename T>
  void get(const char* key, std::optional<T>& field) {
    read(key, [&](const json& v) {
      if (v.is_null()) {
        field.reset();
        return;
      }
      T value{};
      json single_object = json::object();
      single_object[key] = v;
      Reader single(single_object, path_);
      single.get(key, value);
      field = value;
    });
  }
  Reader child(const char* key) {
    used_.insert(key);
    const auto found = object_.find(key);
    static const json empty = json::object();
    return Reader(found == object_.end() ? empty : *found, name(key));
  }
  void finish() const {
    for (const auto& item : object_.items()) {
      if (used_.count(item.key()) == 0) {
        throw std::invalid_argument(name(item.key()) + ": unknown key");
      }
    }
  }

 private:
  template <typename Assign>
  void read(const char* key, Assign&& assign) {
    used_.insert(key);
    const auto found = object_.find(key);
    if (found != object_.end()) assign(*found);
  }
  void expect(bool ok, const char* key, const char* what, const json& v) const {
    if (!ok) {
      throw std::invalid_argument(name(key) + ": expected " + what + ", got " + type_name(v) +
                                  " " + v.dump());
    }
  }
  std::string name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  const json& object_;
  std::string path_;
  std::set<std::string> used_;
};

template <typename T>
json optional_json(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json to_json_value(const ClassifierConfig& c) {
  const auto& g = c.frontend.dmel;
  const auto& s = c.frontend.stft;
  const auto& d = c.frontend.degram;
  json dmel = {{"lambd", g.lambd},           {"mode", g.mode},   {"hop_length", g.hop_length},
               {"n_mels", g.n_mels},         {"f_min", g.f_min}, {"f_max", optional_json(g.f_max)},
               {"normalize_window", g.normalize_window}};
  json stft = {{"n_fft", s.n_fft}, {"win_sec", s.win_sec}, {"hop_sec", s.hop_sec}};
  json degram = {{"sincgram", d.sincgram},
                 {"attention", d.attention},
                 {"normalization", d.normalization},
                 {"log_compression", d.log_compression},
                 {"filters", d.filters},
                 {"order", d.order},
                 {"init", d.init},
                 {"f_min", d.f_min},
                 {"f_max", optional_json(d.f_max)},
                 {"eps", d.eps},
                 {"constraint", d.constraint},
                 {"min_bandwidth_hz", optional_json(d.min_bandwidth_hz)},
                 {"reduction_ratio", d.reduction_ratio},
                 {"strategy", d.strategy},
                 {"time_excitation", d.time_excitation},
                 {"std_norm", d.std_norm},
                 {"freq_norm", d.freq_norm}};
  json frontend = {{"kind", c.frontend.kind},
                   {"trainable", optional_json(c.frontend.trainable)},
                   {"log", optional_json(c.frontend.log)},
                   {"dmel", dmel},
                   {"stft", stft},
                   {"degram", degram}};
  return {{"num_classes", c.num_classes},
          {"sample_rate", c.sample_rate},
          {"n_points", c.n_points},
          {"frontend", frontend},
          {"backbone", {{"kind", c.backbone.kind}}}};
}

ClassifierConfig from_json_value(const json& root) {
  ClassifierConfig c;
  Reader top(root, "");
  top.get("num_classes", c.num_classes);
  top.get("sample_rate", c.sample_rate);
  top.get("n_points", c.n_points);

  auto frontend = top.child("frontend");
  frontend.get("kind", c.frontend.kind);
  frontend.get("trainable", c.frontend.trainable);
  frontend.get("log", c.frontend.log);
  {
    auto r = frontend.child("dmel");
    auto& g = c.frontend.dmel;
    r.get("lambd", g.lambd);
    r.get("mode", g.mode);
    r.get("hop_length", g.hop_length);
    r.get("n_mels", g.n_mels);
    r.get("f_min", g.f_min);
    r.get("f_max", g.f_max);
    r.get("normalize_window", g.normalize_window);
    r.finish();
  }
  {
    auto r = frontend.child("stft");
    auto& s = c.frontend.stft;
    r.get("n_fft", s.n_fft);
    r.get("win_sec", s.win_sec);
    r.get("hop_sec", s.hop_sec);
    r.finish();
  }
  {
    auto r = frontend.child("degram");
    auto& d = c.frontend.degram;
    r.get("sincgram", d.sincgram);
    r.get("attention", d.attention);
    r.get("normalization", d.normalization);
    r.get("log_compression", d.log_compression);
    r.get("filters", d.filters);
    r.get("order", d.order);
    r.get("init", d.init);
    r.get("f_min", d.f_min);
    r.get("f_max", d.f_max);
    r.get("eps", d.eps);
    r.get("constraint", d.constraint);
    r.get("min_bandwidth_hz", d.min_bandwidth_hz);
    r.get("reduction_ratio", d.reduction_ratio);
    r.get("strategy", d.strategy);
    r.get("time_excitation", d.time_excitation);
    r.get("std_norm", d.std_norm);
    r.get("freq_norm", d.freq_norm);
    r.finish();
  }
  frontend.finish();

  auto backbone = top.child("backbone");
  backbone.get("kind", c.backbone.kind);
  backbone.finish();
  top.finish();
  return c;
}

}  // namespace

bool ClassifierConfig::frontend_trainable() const {
  return frontend.trainable.value_or(frontend.kind != "logmel" && frontend.kind != "spectrogram");
}

bool ClassifierConfig::frontend_log() const {
  return frontend.log.value_or(uses_mel(frontend.kind));
}

void ClassifierConfig::Validate() const {
  require_key(num_classes >= 1, "num_classes", "must be >= 1, got ", num_classes);
  require_key(sample_rate > 0, "sample_rate", "must be > 0 Hz, got ", sample_rate);
  require_key(n_points >= 2, "n_points", "must be >= 2 samples, got ", n_points);

  const auto& kind = frontend.kind;
  const auto& frontend_entry = frontend_kind(kind, "frontend.kind");
  const auto& backbone_entry = backbone_kind(backbone.kind, "backbone.kind");
  if (frontend.trainable.value_or(false)) {
    require_key(kind != "logmel", "frontend.trainable",
                "the logmel baseline keeps λ fixed; use kind dmel to train it");
    require_key(kind != "spectrogram", "frontend.trainable",
                "the spectrogram front end has no parameters to train");
  }
  require_key(!(kind == "degram" && frontend.log.value_or(false)), "frontend.log",
              "degram normalises its output; use frontend.degram.log_compression instead");
  if (uses_gaussian(kind)) validate_gaussian(*this);
  if (uses_stft(kind)) validate_stft(*this);
  if (kind == "degram") validate_degram(*this);

  const auto shape = frontend_entry.shape(*this);
  if (backbone_entry.check) backbone_entry.check(*this, shape);
}

std::string ClassifierConfig::to_json(int indent) const { return to_json_value(*this).dump(indent); }

ClassifierConfig ClassifierConfig::from_json(const std::string& text) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& error) {
    throw std::invalid_argument(std::string("config: invalid JSON: ") + error.what());
  }
  return from_json_value(root);
}

void ClassifierConfig::set(const std::string& key, const std::string& value) {
  json root = to_json_value(*this);
  json* node = &root;
  std::string walked;
  size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    const auto part = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    walked += (walked.empty() ? "" : ".") + part;
    if (!node->is_object() || !node->contains(part)) {
      throw std::invalid_argument(walked + ": unknown key");
    }
    node = &(*node)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (node->is_object()) {
    throw std::invalid_argument(key + ": is a group; set one of its keys");
  }
  json parsed;
  try {
    parsed = json::parse(value);
  } catch (const json::parse_error&) {
    parsed = value;  // a bare word is a string
  }
  *node = parsed;
  *this = from_json_value(root);
}

bool operator==(const ClassifierConfig& a, const ClassifierConfig& b) {
  return to_json_value(a) == to_json_value(b);
}

}  // namespace tfgram::models
