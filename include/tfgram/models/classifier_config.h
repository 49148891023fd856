#pragma once
// The configuration a Classifier is built from. Every key comes from a field table
// (config/fields.h): the top level and `backbone` here, and one section per front-end options type
// (`frontend.dmel`, `frontend.stft`, `frontend.degram`, …) that the front-end kinds bring with
// them when they are registered (models/frontend_kind.h), so this file names no front end.
// Errors are config::KeyError naming the key ("frontend.degram.sincgram.filters: must be >= 1").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tfgram/config/fields.h"

namespace tfgram::models {

struct FrontendConfig {
  /// One of frontend_kinds() ("dmel", "logmel", "dspec", "spectrogram", "degram", …).
  std::string kind = "dmel";
  /// Whether the front end's parameters train; unset = the kind's default.
  std::optional<bool> trainable;
  /// log(x + 1e-10) of the front end's output; unset = the kind's default.
  std::optional<bool> log;
  /// The options of every registered section by name (`frontend.<name>.*`), defaults included, so
  /// a grid may set one section's keys whichever kind a cell uses.
  std::map<std::string, config::Section> sections;

  /// The options of section `name` (std::invalid_argument when no kind registered it).
  template <typename T>
  const T& section(const std::string& name) const {
    return find_section(name).get<T>();
  }
  template <typename T>
  T& section(const std::string& name) {
    return const_cast<config::Section&>(find_section(name)).get<T>();
  }

 private:
  const config::Section& find_section(const std::string& name) const;
};

struct BackboneConfig {
  /// One of backbone_kinds(): "resnet18", "resnet34", "cnn6", "linear", "mel_linear",
  /// "mel_mlp", "mel_conv".
  std::string kind = "mel_linear";
};

struct ClassifierConfig {
  /// Every registered front-end section at its defaults.
  ClassifierConfig();

  /// Output classes; required (>= 1).
  int64_t num_classes = 0;
  /// Sample rate of the input audio in Hz.
  int64_t sample_rate = 8000;
  /// Samples per input example N (the flattening heads are sized for it).
  int64_t n_points = 8000;
  FrontendConfig frontend;
  BackboneConfig backbone;

  /// Throws config::KeyError naming the offending key. Builds the front end to let its modules
  /// judge their own options (the random-number state is left as it was).
  void Validate() const;
  /// The front end alone (sample_rate, n_points, frontend.*): for tools that build no classifier.
  void ValidateFrontend() const;
  /// The configuration as indented JSON.
  std::string ToString() const { return to_json(); }
  std::string to_json(int indent = 2) const;
  /// Missing keys keep their defaults; unknown keys and wrong types throw naming the key. Values
  /// are not range-checked here (call Validate() once complete).
  static ClassifierConfig from_json(const std::string& text);
  /// Sets one key by its dotted path ("frontend.dmel.lambd") from text: a JSON value ("0.5",
  /// "true", "null", "\"pow2\"") or a bare string ("pow2"). Unknown keys and wrong types throw
  /// naming the key and leave *this unchanged; ranges are Validate()'s job.
  void set(const std::string& key, const std::string& value);
  /// The same with a JSON value (`config.assign("frontend.dmel.lambd", 5.0)`).
  void assign(const std::string& key, const config::Json& value);
  /// Every key.
  static std::vector<std::string> keys();

  /// The kind defaults resolved.
  bool frontend_trainable() const;
  bool frontend_log() const;
};

/// The field table of the whole classifier configuration (nested into the run config as `model`).
const config::Fields<ClassifierConfig>& classifier_config_fields();

bool operator==(const ClassifierConfig& a, const ClassifierConfig& b);
inline bool operator!=(const ClassifierConfig& a, const ClassifierConfig& b) { return !(a == b); }

}  // namespace tfgram::models
