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
  util::require(options.hop_length() >= 1, "DifferentiableSpectrogram",
                "hop_length must be >= 1, got ", options.hop_length());
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
