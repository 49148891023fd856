#include "tfgram/dsp/gaussian_spectrogram.h"

#include <cmath>

#include "tfgram/dsp/windows.h"
#include "tfgram/util/check.h"

namespace tfgram::dsp {

WindowMode parse_window_mode(const std::string& name) {
  if (name == "full") return WindowMode::kFull;
  if (name == "pow2" || name == "power_of_two" || name == "optimized") return WindowMode::kPowerOfTwo;
  throw std::invalid_argument(
      util::concat("window mode: expected 'full' or 'pow2' (power of two), got '", name, "'"));
}

const char* to_string(WindowMode mode) { return mode == WindowMode::kFull ? "full" : "pow2"; }

double lambd_for_window_ms(double window_ms, int64_t sample_rate) {
  util::require(std::isfinite(window_ms) && window_ms > 0, "window_ms",
                "a window length must be a positive number of milliseconds, got ", window_ms);
  return window_ms / 1000.0 * static_cast<double>(sample_rate) / 6.0;
}

double window_ms_for_lambd(double lambd, int64_t sample_rate) {
  return 6.0 * std::abs(lambd) / static_cast<double>(sample_rate) * 1000.0;
}

SpectrogramShape gaussian_spectrogram_shape(int64_t n_samples, double lambd, WindowMode mode,
                                            int64_t hop_length) {
  constexpr const char* where = "gaussian spectrogram";
  util::require(hop_length >= 1, where, "hop_length must be >= 1, got ", hop_length);
  util::require(n_samples >= 2, where, "the signal must hold at least 2 samples, got ", n_samples);
  util::require(std::isfinite(lambd), where, "lambd must be finite, got ", lambd);
  SpectrogramShape shape{};
  if (mode == WindowMode::kFull) {
    shape.window_length = n_samples;
    shape.n_fft = 2 * n_samples;
  } else {
    shape.window_length = power_of_two_window_length(lambd);
    shape.n_fft = shape.window_length;
  }
  shape.n_freqs = shape.n_fft / 2 + 1;
  shape.n_frames = 1 + n_samples / hop_length;
  return shape;
}

torch::Tensor gaussian_power_spectrogram_autograd(const torch::Tensor& x, const torch::Tensor& lambd,
                                                  WindowMode mode, int64_t hop_length,
                                                  bool normalize_window) {
  constexpr const char* where = "gaussian spectrogram";
  util::require(x.dim() == 1 || x.dim() == 2, where,
                "input must be (N) or (B, N) samples, got rank ", x.dim());
  util::require(x.is_floating_point(), where, "input must be a floating-point tensor, got ",
                x.scalar_type());
  util::require(lambd.numel() == 1, where, "lambd must hold one value, got ", lambd.numel());
  const double lambd_value = lambd.detach().abs().item<double>();
  const auto shape = gaussian_spectrogram_shape(x.size(-1), lambd_value, mode, hop_length);

  const auto centred = x - x.mean(-1, /*keepdim=*/true);
  const auto window =
      gaussian_window(lambd.abs().to(x.dtype()).reshape({}), shape.window_length, normalize_window);
  // torch::stft zero-pads the window centred to n_fft and the signal by n_fft/2 on both sides.
  const auto spec = torch::stft(centred, shape.n_fft, hop_length, shape.window_length, window,
                                /*center=*/true, "constant", /*normalized=*/false,
                                /*onesided=*/true, /*return_complex=*/true);
  const auto parts = torch::view_as_real(spec);
  return parts.select(-1, 0).square() + parts.select(-1, 1).square();
}

}  // namespace tfgram::dsp
