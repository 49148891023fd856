#include "tfgram/frontends/spectrogram.h"

#include <torch/torch.h>

#include <cmath>

#include "tfgram/util/check.h"

namespace tfgram::frontends {

SpectrogramOptions SpectrogramOptions::from_seconds(int64_t sample_rate, double win_sec,
                                                    double hop_sec, int64_t n_fft) {
  util::require(sample_rate > 0, "Spectrogram", "sample_rate must be > 0, got ", sample_rate);
  util::require(std::isfinite(win_sec) && win_sec > 0, "Spectrogram",
                "win_sec must be a positive duration, got ", win_sec);
  util::require(std::isfinite(hop_sec) && hop_sec > 0, "Spectrogram",
                "hop_sec must be a positive duration, got ", hop_sec);
  return SpectrogramOptions(n_fft)
      .win_length(static_cast<int64_t>(std::floor(win_sec * static_cast<double>(sample_rate))))
      .hop_length(static_cast<int64_t>(std::floor(hop_sec * static_cast<double>(sample_rate))));
}

SpectrogramImpl::SpectrogramImpl(SpectrogramOptions options_) : options(std::move(options_)) {
  reset();
}

void SpectrogramImpl::reset() {
  constexpr const char* where = "Spectrogram";
  util::require(options.n_fft() >= 2, where, "n_fft must be >= 2, got ", options.n_fft());
  if (options.win_length() == 0) options.win_length(options.n_fft());
  util::require(options.win_length() >= 1 && options.win_length() <= options.n_fft(), where,
                "win_length must lie in [1, n_fft=", options.n_fft(), "], got ",
                options.win_length());
  if (options.hop_length() == 0) options.hop_length(std::max<int64_t>(1, options.win_length() / 4));
  util::require(options.hop_length() >= 1, where, "hop_length must be >= 1, got ",
                options.hop_length());
  util::require(std::isfinite(options.power()) && options.power() > 0, where,
                "power must be > 0, got ", options.power());
  window = register_buffer("window", torch::hann_window(options.win_length(), /*periodic=*/true));
}

void SpectrogramImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::Spectrogram(n_fft=" << options.n_fft() << ", win_length=" << options.win_length()
         << ", hop_length=" << options.hop_length() << ", power=" << options.power() << ")";
}

int64_t SpectrogramImpl::num_frames(int64_t n_samples) const {
  if (options.center()) return 1 + n_samples / options.hop_length();
  return 1 + (n_samples - options.n_fft()) / options.hop_length();
}

torch::Tensor SpectrogramImpl::forward(const torch::Tensor& waveform) {
  constexpr const char* where = "Spectrogram";
  util::require(waveform.dim() == 1 || waveform.dim() == 2, where,
                "input must be (N) or (B, N) samples, got rank ", waveform.dim());
  util::require(waveform.is_floating_point(), where, "input must be floating point, got ",
                waveform.scalar_type());
  const int64_t n = waveform.size(-1);
  if (options.center()) {
    util::require(n > options.n_fft() / 2, where, "reflect padding needs more than n_fft/2 = ",
                  options.n_fft() / 2, " samples, got ", n);
  } else {
    util::require(n >= options.n_fft(), where, "the signal must hold at least n_fft = ",
                  options.n_fft(), " samples, got ", n);
  }
  const auto spec = torch::stft(waveform, options.n_fft(), options.hop_length(),
                                options.win_length(), window.to(waveform.dtype()), options.center(),
                                "reflect", /*normalized=*/false, /*onesided=*/true,
                                /*return_complex=*/true);
  // |X|² as re² + im²: smooth at 0, and faster than reducing view_as_real's axis of size 2.
  const auto parts = torch::view_as_real(spec);
  const auto power = parts.select(-1, 0).square() + parts.select(-1, 1).square();
  if (options.power() == 2.0) return power;
  return power.pow(options.power() / 2.0);
}

}  // namespace tfgram::frontends
