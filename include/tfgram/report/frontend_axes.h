#pragma once
// How to draw each front-end kind's output: the time step, the frequency of every row, what the
// values are, and a name and window description for titles. The one place that knows which
// kind has which axis: mel-band centres for dmel/logmel, SincGram centres for degram, linear
// bins 0 … sr/2 for spectrogram, dspec and degram without SincGram.
#include <torch/nn/module.h>

#include <cstdint>
#include <string>

#include "tfgram/models/classifier_config.h"
#include "tfgram/report/tf_image.h"

namespace tfgram::report {

enum class TfUnits {
  kPhysical,  ///< seconds and Hz
  kSamples,   ///< samples and cycles per sample (the synthetic pulse task, whose rate is nominal)
};

struct FrontendAxes {
  TimeAxis time;
  FrequencyAxis frequency;
  TfValues values = TfValues::kPower;
  std::string colour_label = "dB";
  /// The front end, e.g. "DMEL log-mel (64 bands)", "DEGram (64 SincGram filters)".
  std::string name;
  /// Its window, e.g. "window 6λ = 35.0 ms (λ = 46.67)", "Hann window 32.0 ms, hop 10.0 ms".
  std::string window;
};

/// The axes for the first channel of `frontend`'s (F = rows, T) output. `frontend` is the built
/// module of `config.frontend.kind` (ClassifierImpl::frontend, or FrontendKind::build's module):
/// the current λ and SincGram centres are read from it, so a learned model gives its learned
/// values. Throws std::invalid_argument naming the kind when `rows` or the module do not match it.
FrontendAxes frontend_axes(const models::ClassifierConfig& config, const torch::nn::Module& frontend, int64_t rows,
                           TfUnits units = TfUnits::kPhysical);

}  // namespace tfgram::report
