#include "tfgram/frontends/dmel.h"

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>
#include <tuple>

#include "tfgram/config/fields.h"
#include "tfgram/dsp/mel.h"
#include "tfgram/frontends/gaussian_window.h"
#include "tfgram/util/check.h"

namespace tfgram::config {
template <>
struct Names<dsp::WindowMode> {
  static dsp::WindowMode parse(const std::string& name) { return dsp::parse_window_mode(name); }
  static const char* name(dsp::WindowMode value) { return dsp::to_string(value); }
};
}  // namespace tfgram::config

namespace tfgram::frontends {

const config::Fields<DMelOptions>& dmel_option_fields() {
  using O = DMelOptions;
  static const auto fields = config::Fields<O>()
                                 .add("lambd", [](O& o) -> auto& { return o.lambd(); })
                                 .add("mode", [](O& o) -> auto& { return o.mode(); })
                                 .add("hop_length", [](O& o) -> auto& { return o.hop_length(); })
                                 .add("n_mels", [](O& o) -> auto& { return o.n_mels(); })
                                 .add("f_min", [](O& o) -> auto& { return o.f_min(); })
                                 .add("f_max", [](O& o) -> auto& { return o.f_max(); })
                                 .add("normalize_window", [](O& o) -> auto& { return o.normalize_window(); });
  return fields;
}

struct DMelImpl::Filterbanks {
  std::map<std::tuple<int64_t, int, std::string>, torch::Tensor> by_key;
};

DMelImpl::DMelImpl(DMelOptions options_) : options(std::move(options_)) { reset(); }

void DMelImpl::reset() {
  constexpr const char* where = "DMel";
  lambd = register_lambd(*this, options.lambd(), options.trainable(), where);
  util::require_option(options.sample_rate() > 0, where, "sample_rate", "must be > 0, got ", options.sample_rate());
  util::require_option(options.n_mels() >= 1, where, "n_mels", "must be >= 1, got ", options.n_mels());
  util::require_option(options.hop_length() >= 1, where, "hop_length", "must be >= 1, got ", options.hop_length());
  const double nyquist = options.sample_rate() / 2.0;
  const double f_max = options.f_max().value_or(nyquist);
  util::require_option(std::isfinite(options.f_min()) && options.f_min() >= 0 && options.f_min() < nyquist, where,
                       "f_min", "must lie in [0, sample_rate/2 = ", nyquist, "), got ", options.f_min());
  util::require_option(std::isfinite(f_max) && f_max > options.f_min() && f_max <= nyquist, where, "f_max",
                       "must lie in (f_min = ", options.f_min(), ", sample_rate/2 = ", nyquist, "], got ", f_max);
  filterbanks_ = std::make_shared<Filterbanks>();
}

double DMelImpl::lambd_value() const { return std::abs(lambd.item<double>()); }

double DMelImpl::window_seconds() const {
  return dsp::window_ms_for_lambd(lambd_value(), options.sample_rate()) / 1000.0;
}

FeatureShape DMelImpl::output_shape(int64_t n_samples) const {
  util::require(n_samples >= 2, "DMel", "the signal must hold at least 2 samples, got ", n_samples);
  return {1, options.n_mels(), 1 + n_samples / options.hop_length()};
}

std::vector<LearnedValue> DMelImpl::learned_values() const {
  return {{"lambd", "samples", {lambd_value()}},
          {"window_ms", "ms", {dsp::window_ms_for_lambd(lambd_value(), options.sample_rate())}}};
}

void DMelImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::DMel(lambd=" << lambd_value() << ", window_ms=" << 1000.0 * window_seconds()
         << ", n_mels=" << options.n_mels() << ", sample_rate=" << options.sample_rate()
         << ", hop_length=" << options.hop_length() << ", mode=" << dsp::to_string(options.mode())
         << ", log=" << options.log() << ")";
}

torch::Tensor DMelImpl::filterbank(int64_t n_freqs, const torch::TensorOptions& tensor_options) {
  // torchaudio's top bin is sample_rate // 2: keep that so outputs match it.
  const auto key = std::make_tuple(n_freqs, static_cast<int>(c10::typeMetaToScalarType(tensor_options.dtype())),
                                   tensor_options.device().str());
  auto& built = filterbanks_->by_key;
  auto found = built.find(key);
  if (found != built.end()) return found->second;
  const double f_max = options.f_max().value_or(options.sample_rate() / 2.0);
  auto fb = dsp::melscale_fbanks(n_freqs, options.f_min(), f_max, options.n_mels(),
                                 options.sample_rate(), tensor_options);
  built.emplace(key, fb);
  return fb;
}

torch::Tensor DMelImpl::forward(const torch::Tensor& signal) {
  util::require(signal.dim() == 2, "DMel", "input must be (B, N) samples, got rank ", signal.dim());
  util::require(signal.size(1) >= 2, "DMel", "the signal must hold at least 2 samples, got ",
                signal.size(1));
  const double value = lambd.detach().item<double>();
  check_lambd(value, "DMel");
  const auto shape = dsp::gaussian_spectrogram_shape(signal.size(1), value, options.mode(),
                                                     options.hop_length());
  const auto fb = filterbank(shape.n_freqs, signal.options());
  // Fused kernel: power spectrogram, mel projection and log without storing any of them for backward.
  const auto log_offset = options.log() ? std::optional<double>(1e-10) : std::nullopt;
  return dsp::gaussian_filterbank_spectrogram(signal, lambd, fb, options.mode(), options.hop_length(),
                                              options.normalize_window(), log_offset)
      .unsqueeze(1);  // (B, 1, n_mels, T)
}

}  // namespace tfgram::frontends
