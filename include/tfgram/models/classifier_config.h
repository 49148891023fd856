#pragma once
// The configuration a Classifier is built from: plain structs that validate themselves (errors
// name the key) and convert to and from JSON, so a checkpoint can rebuild its model.
// Keys are the field names; nested groups are JSON objects ("frontend": {"dmel": {...}}).
#include <cstdint>
#include <optional>
#include <string>

namespace tfgram::models {

/// DMEL's Gaussian-window spectrogram (front ends `dmel`, `logmel`, `dspec`; SPEC §2.1–2.3).
struct GaussianFrontendConfig {
  /// Initial window standard deviation λ in samples (window length 6λ/sr; default 35 ms at 8 kHz).
  double lambd = 0.035 * 8000.0 / 6.0;
  /// Window-length rule: "pow2" (L = n_fft = next power of two >= 6λ) or "full" (L = N).
  std::string mode = "pow2";
  /// Hop between frames in samples.
  int64_t hop_length = 80;
  /// Mel bands (dmel, logmel).
  int64_t n_mels = 64;
  /// Mel edges in Hz (f_max unset = sample_rate/2).
  double f_min = 0.0;
  std::optional<double> f_max;
  /// Divide the window by its L2 norm.
  bool normalize_window = false;
};

/// The fixed linear power spectrogram with a periodic Hann window (front ends `spectrogram` and
/// `degram`; SPEC §1.5).
struct StftConfig {
  int64_t n_fft = 2048;
  double win_sec = 0.032;
  double hop_sec = 0.010;
};

/// DEGram's options (SPEC §1.2–1.4, §1.6); the spectrogram comes from `stft`.
struct DEGramConfig {
  bool sincgram = true;
  bool attention = true;
  bool normalization = true;
  /// log(x + 1e-7) before attention (the Keras model; measured ahead on FSDD speakers, see
  /// docs/experiments.md). false = the PyTorch release, needed to run weights trained with it.
  bool log_compression = true;
  int64_t filters = 64;
  int64_t order = 4;
  /// "mel" or "random".
  std::string init = "mel";
  double f_min = 0.0;
  std::optional<double> f_max;
  double eps = 1e-7;
  /// What keeps SincGram's centres in [0, sample_rate/2] and bandwidths above min_bandwidth_hz
  /// while training: "project" (clamp after each optimiser step) or "none" (published behaviour;
  /// out-of-range filters are only reported).
  std::string constraint = "project";
  /// Bandwidth floor in Hz; unset = one bin spacing of the spectrogram, (sample_rate/2)/(n_fft/2).
  std::optional<double> min_bandwidth_hz;
  double reduction_ratio = 1.0 / 16.0;
  /// "maxout", "add", "multiply" or "concat".
  std::string strategy = "maxout";
  bool time_excitation = false;
  bool std_norm = true;
  bool freq_norm = true;
};

struct FrontendConfig {
  /// One of frontend_kinds(): "dmel", "logmel" (DMEL with λ fixed: the paper's baseline),
  /// "dspec" (DMEL's differentiable linear spectrogram), "spectrogram" (fixed Hann, no learnable
  /// part), "degram" (Hann spectrogram → DEGram).
  std::string kind = "dmel";
  /// Whether the front end's parameters train; unset = the kind's default (false for logmel).
  std::optional<bool> trainable;
  /// log(x + 1e-10) of the front end's output; unset = the kind's default (on for dmel and
  /// logmel, off for dspec and spectrogram). Not for degram: use degram.log_compression.
  std::optional<bool> log;
  GaussianFrontendConfig dmel;
  StftConfig stft;
  DEGramConfig degram;
};

struct BackboneConfig {
  /// One of backbone_kinds(): "resnet18", "resnet34", "cnn6", "linear", "mel_linear",
  /// "mel_mlp", "mel_conv".
  std::string kind = "mel_linear";
};

struct ClassifierConfig {
  /// Output classes; required (>= 1).
  int64_t num_classes = 0;
  /// Sample rate of the input audio in Hz.
  int64_t sample_rate = 8000;
  /// Samples per input example N (the flattening heads are sized for it).
  int64_t n_points = 8000;
  FrontendConfig frontend;
  BackboneConfig backbone;

  /// Throws std::invalid_argument naming the offending key (e.g. "frontend.dmel.lambd").
  void Validate() const;
  /// The configuration as indented JSON.
  std::string ToString() const { return to_json(); }
  /// Every key, unset optionals as null.
  std::string to_json(int indent = 2) const;
  /// Missing keys keep their defaults; unknown keys and wrong types throw std::invalid_argument
  /// naming the key. Values are not range-checked here (call Validate() once complete), so a
  /// partial file can be completed with set().
  static ClassifierConfig from_json(const std::string& text);
  /// Sets one key by its dotted path ("frontend.dmel.lambd") from text: a JSON value ("0.5",
  /// "true", "null", "\"pow2\"") or a bare string ("pow2"). Unknown keys and wrong types throw
  /// std::invalid_argument naming the key and leave *this unchanged; ranges are Validate()'s job.
  void set(const std::string& key, const std::string& value);

  /// The kind defaults resolved.
  bool frontend_trainable() const;
  bool frontend_log() const;
};

bool operator==(const ClassifierConfig& a, const ClassifierConfig& b);
inline bool operator!=(const ClassifierConfig& a, const ClassifierConfig& b) { return !(a == b); }

}  // namespace tfgram::models
