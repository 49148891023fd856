#include "tfgram/frontends/spectrogram.h"

#include <torch/torch.h>

#include <cmath>

#include "tfgram/util/check.h"

namespace tfgram::frontends {

SpectrogramOptions SpectrogramOptions::from_seconds(int64_t sample_rate, double win_sec,
                                                    double hop_sec, int64_t n_fft) {
  constexpr const char* where = "Spectrogram";
  util::require_option(sample_rate > 0, where, "sample_rate", "must be > 0, got ", sample_rate);
  util::require_option(n_fft >= 2, where, "n_fft", "must be >= 2, got ", n_fft);
  const double win = std::floor(win_sec * static_cast<double>(sample_rate));
  util::require_option(std::isfinite(win_sec) && win >= 1 && win <= static_cast<double>(n_fft), where, "win_sec",
                       "must give a window of 1 … n_fft = ", n_fft, " samples at ", sample_rate, " Hz, got ",
                       win_sec, " s");
  const double hop = std::floor(hop_sec * static_cast<double>(sample_rate));
  util::require_option(std::isfinite(hop_sec) && hop >= 1, where, "hop_sec", "must give a hop of >= 1 sample at ",
                       sample_rate, " Hz, got ", hop_sec, " s");
  return SpectrogramOptions(n_fft).win_length(static_cast<int64_t>(win)).hop_length(static_cast<int64_t>(hop));
}

SpectrogramImpl::SpectrogramImpl(SpectrogramOptions options_) : options(std::move(options_)) {
  reset();
}

void SpectrogramImpl::reset() {
  constexpr const char* where = "Spectrogram";
  util::require_option(options.n_fft() >= 2, where, "n_fft", "must be >= 2, got ", options.n_fft());
  if (options.win_length() == 0) options.win_length(options.n_fft());
  util::require_option(options.win_length() >= 1 && options.win_length() <= options.n_fft(), where, "win_length",
                       "must lie in [1, n_fft=", options.n_fft(), "], got ", options.win_length());
  if (options.hop_length() == 0) options.hop_length(std::max<int64_t>(1, options.win_length() / 4));
  util::require_option(options.hop_length() >= 1, where, "hop_length", "must be >= 1, got ", options.hop_length());
  util::require_option(std::isfinite(options.power()) && options.power() > 0, where, "power", "must be > 0, got ",
                       options.power());
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

namespace {
void check_length(const SpectrogramOptions& options, int64_t n) {
  if (options.center()) {
    util::require(n > options.n_fft() / 2, "Spectrogram", "reflect padding needs more than n_fft/2 = ",
                  options.n_fft() / 2, " samples, got ", n);
  } else {
    util::require(n >= options.n_fft(), "Spectrogram", "the signal must hold at least n_fft = ", options.n_fft(),
                  " samples, got ", n);
  }
}
}  // namespace

FeatureShape SpectrogramImpl::output_shape(int64_t n_samples) const {
  check_length(options, n_samples);
  return {1, options.n_fft() / 2 + 1, num_frames(n_samples)};
}

torch::Tensor SpectrogramImpl::forward(const torch::Tensor& waveform) {
  constexpr const char* where = "Spectrogram";
  util::require(waveform.dim() == 1 || waveform.dim() == 2, where,
                "input must be (N) or (B, N) samples, got rank ", waveform.dim());
  util::require(waveform.is_floating_point(), where, "input must be floating point, got ",
                waveform.scalar_type());
  check_length(options, waveform.size(-1));
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
