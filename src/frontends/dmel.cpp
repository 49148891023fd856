#include "tfgram/frontends/dmel.h"

#include <torch/torch.h>

#include <cmath>
#include <map>
#include <string>
#include <tuple>

#include "tfgram/dsp/mel.h"
#include "tfgram/frontends/gaussian_window.h"
#include "tfgram/util/check.h"

namespace tfgram::frontends {

double DMelOptions::lambd_for_window_ms(double window_ms, int64_t sample_rate) {
  util::require(std::isfinite(window_ms) && window_ms > 0, "DMel",
                "window length must be a positive number of milliseconds, got ", window_ms);
  return window_ms / 1000.0 * static_cast<double>(sample_rate) / 6.0;
}

struct DMelImpl::Filterbanks {
  std::map<std::tuple<int64_t, int, std::string>, torch::Tensor> by_key;
};

DMelImpl::DMelImpl(DMelOptions options_) : options(std::move(options_)) { reset(); }

void DMelImpl::reset() {
  constexpr const char* where = "DMel";
  lambd = register_lambd(*this, options.lambd(), options.trainable(), where);
  util::require(options.sample_rate() > 0, where, "sample_rate must be > 0, got ",
                options.sample_rate());
  util::require(options.n_mels() >= 1, where, "n_mels must be >= 1, got ", options.n_mels());
  util::require(options.hop_length() >= 1, where, "hop_length must be >= 1, got ",
                options.hop_length());
  const double nyquist = options.sample_rate() / 2.0;
  const double f_max = options.f_max().value_or(nyquist);
  util::require(std::isfinite(options.f_min()) && options.f_min() >= 0 && f_max > options.f_min() &&
                    f_max <= nyquist,
                where, "need 0 <= f_min < f_max <= sample_rate/2 = ", nyquist, ", got f_min ",
                options.f_min(), " and f_max ", f_max);
  filterbanks_ = std::make_shared<Filterbanks>();
}

double DMelImpl::lambd_value() const { return std::abs(lambd.item<double>()); }

double DMelImpl::window_seconds() const {
  return 6.0 * lambd_value() / static_cast<double>(options.sample_rate());
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
