#include "tfgram/frontends/gaussian_sincgram.h"

#include <torch/torch.h>

#include <cmath>

#include "tfgram/frontends/gaussian_window.h"
#include "tfgram/util/check.h"

namespace tfgram::frontends {

GaussianSincGramImpl::GaussianSincGramImpl(GaussianSincGramOptions options_) : options(std::move(options_)) {
  reset();
}

void GaussianSincGramImpl::reset() {
  constexpr const char* where = "GaussianSincGram";
  lambd = register_lambd(*this, options.lambd(), options.trainable(), where);
  util::require_option(options.sample_rate() > 0, where, "sample_rate", "must be > 0, got ", options.sample_rate());
  util::require_option(options.hop_length() >= 1, where, "hop_length", "must be >= 1, got ", options.hop_length());
  util::require_option(options.n_samples() >= 2, where, "n_samples", "must be >= 2, got ", options.n_samples());
  util::require_option(options.degram().sincgram().has_value(), where, "sincgram",
                       "is required: it is this front end's filterbank");
  // SincGram's bandwidth scale comes from the bin count at the initial λ.
  const auto shape =
      dsp::gaussian_spectrogram_shape(options.n_samples(), options.lambd(), options.mode(), options.hop_length());
  auto degram_options = options.degram();
  degram_options.n_freqs(shape.n_freqs).sample_rate(options.sample_rate());
  util::forward_option_errors(where, "degram", [&] { degram = register_module("degram", DEGram(degram_options)); });
}

void GaussianSincGramImpl::pretty_print(std::ostream& stream) const {
  const double value = std::abs(lambd.item<double>());
  stream << "tfgram::GaussianSincGram(lambd=" << value
         << ", window_ms=" << dsp::window_ms_for_lambd(value, options.sample_rate())
         << ", filters=" << degram->output_features() << ", mode=" << dsp::to_string(options.mode())
         << ", hop_length=" << options.hop_length() << ")";
}

FeatureShape GaussianSincGramImpl::output_shape(int64_t n_samples) const {
  util::require(n_samples >= 2, "GaussianSincGram", "the signal must hold at least 2 samples, got ", n_samples);
  return {degram->output_channels(), degram->output_features(), 1 + n_samples / options.hop_length()};
}

std::vector<LearnedValue> GaussianSincGramImpl::learned_values() const {
  const double value = std::abs(lambd.item<double>());
  return {{"lambd", "samples", {value}},
          {"window_ms", "ms", {dsp::window_ms_for_lambd(value, options.sample_rate())}}};
}

torch::Tensor GaussianSincGramImpl::forward(const torch::Tensor& signal) {
  constexpr const char* where = "GaussianSincGram";
  util::require(signal.dim() == 2, where, "input must be (B, N) samples, got rank ", signal.dim());
  const double value = lambd.detach().item<double>();
  check_lambd(value, where);
  const auto shape = dsp::gaussian_spectrogram_shape(signal.size(1), value, options.mode(), options.hop_length());
  // (K, F) float64 with grad to the centres and bandwidths, on the current bin grid.
  const auto weights = degram->sincgram->filter_matrix(shape.n_freqs);
  // The log, if DEGram takes one first, is taken inside the kernel: one pass that also keeps the
  // 1/(x + offset) its backward needs, instead of a copy, a log and a division by ATen later.
  const auto log_offset = degram->log_offset();
  const auto filtered = dsp::gaussian_filterbank_spectrogram(signal, lambd, weights, options.mode(),
                                                             options.hop_length(), options.normalize_window(),
                                                             log_offset);
  return degram->after_filterbank(filtered.unsqueeze(1), log_offset.has_value());
}

}  // namespace tfgram::frontends
