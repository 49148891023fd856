#include "tfgram/frontends/differentiable_spectrogram.h"

#include <torch/torch.h>

#include "tfgram/frontends/gaussian_window.h"
#include "tfgram/util/check.h"

namespace tfgram::frontends {

DifferentiableSpectrogramImpl::DifferentiableSpectrogramImpl(
    DifferentiableSpectrogramOptions options_)
    : options(std::move(options_)) {
  reset();
}

void DifferentiableSpectrogramImpl::reset() {
  lambd = register_lambd(*this, options.lambd(), options.trainable(), "DifferentiableSpectrogram");
  util::require_option(options.hop_length() >= 1, "DifferentiableSpectrogram", "hop_length",
                       "must be >= 1, got ", options.hop_length());
}

FeatureShape DifferentiableSpectrogramImpl::output_shape(int64_t n_samples) const {
  const auto shape = dsp::gaussian_spectrogram_shape(n_samples, lambd.item<double>(), options.mode(), options.hop_length());
  return {1, shape.n_freqs, shape.n_frames};
}

std::vector<LearnedValue> DifferentiableSpectrogramImpl::learned_values() const {
  const double value = std::abs(lambd.item<double>());
  std::vector<LearnedValue> out{{"lambd", "samples", {value}}};
  if (options.sample_rate() > 0) out.push_back({"window_ms", "ms", {dsp::window_ms_for_lambd(value, options.sample_rate())}});
  return out;
}

void DifferentiableSpectrogramImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::DifferentiableSpectrogram(lambd=" << lambd.item<double>()
         << ", mode=" << dsp::to_string(options.mode()) << ", hop_length=" << options.hop_length()
         << ")";
}

torch::Tensor DifferentiableSpectrogramImpl::forward(const torch::Tensor& signal) {
  return dsp::gaussian_power_spectrogram(signal, lambd, options.mode(), options.hop_length(),
                                         options.normalize_window());
}

}  // namespace tfgram::frontends
