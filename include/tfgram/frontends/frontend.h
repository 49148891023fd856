#pragma once
// What every front end can say about itself, so that the classifier, the trainer, history,
// results and `tfgram info` need to know no front-end type: the shape it gives for a signal
// length, and its learned quantities in physical units (λ as a window length, filter centres).
#include <cstdint>
#include <string>
#include <vector>

namespace tfgram::frontends {

/// What a front end hands to a backbone per example: (channels, features, frames).
struct FeatureShape {
  int64_t channels = 1;
  int64_t features = 0;
  int64_t frames = 0;
};

/// A learned front-end quantity: a scalar ("lambd", samples) or a vector ("center_hz", Hz, one
/// value per filter).
struct LearnedValue {
  std::string name;
  std::string unit;
  std::vector<double> values;
  bool scalar = true;
};

/// A (B, N) audio → (B, C, F, T) or (B, F, T) module: what a Classifier takes as its front end.
class WaveformFrontend {
 public:
  virtual ~WaveformFrontend() = default;
  /// The output shape for `n_samples` per example; std::invalid_argument when the signal is too
  /// short for the module.
  virtual FeatureShape output_shape(int64_t n_samples) const = 0;
};

/// A module with learned parameters worth reporting. The classifier collects these from every
/// module of its front end.
class LearnedSummary {
 public:
  virtual ~LearnedSummary() = default;
  virtual std::vector<LearnedValue> learned_values() const = 0;
};

}  // namespace tfgram::frontends
