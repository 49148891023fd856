// The DMEL kernels as `tfgram::` operators for Python (torch.ops.tfgram.*) and TorchScript.
//
// Registered as CompositeImplicitAutograd: the kernels carry their own autograd nodes (analytic
// λ-gradient, no stored spectra) and pick the fused FFTW loop on CPU and the ATen path on any
// other device themselves, so one registration serves every dispatch key and gradcheck sees the
// same backward the C++ modules use.
#include <torch/library.h>
#include <torch/torch.h>

#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/dsp/mel.h"
#include "tfgram/dsp/windows.h"

namespace tfgram::ops {
namespace {

torch::Tensor gaussian_power_spectrogram(const torch::Tensor& x, const torch::Tensor& lambd, c10::string_view mode,
                                         int64_t hop_length, bool normalize_window) {
  return dsp::gaussian_power_spectrogram(x, lambd, dsp::parse_window_mode(std::string(mode)), hop_length,
                                         normalize_window);
}

torch::Tensor gaussian_filterbank_spectrogram(const torch::Tensor& x, const torch::Tensor& lambd,
                                              const torch::Tensor& filterbank, c10::string_view mode,
                                              int64_t hop_length, bool normalize_window,
                                              c10::optional<double> log_offset) {
  return dsp::gaussian_filterbank_spectrogram(x, lambd, filterbank, dsp::parse_window_mode(std::string(mode)),
                                              hop_length, normalize_window,
                                              log_offset ? std::optional<double>(*log_offset) : std::nullopt);
}

torch::Tensor melscale_fbanks(int64_t n_freqs, double f_min, double f_max, int64_t n_mels, int64_t sample_rate,
                              c10::optional<at::ScalarType> dtype) {
  return dsp::melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate,
                              torch::TensorOptions().dtype(dtype.value_or(torch::kFloat32)));
}

std::vector<int64_t> gaussian_spectrogram_shape(int64_t n_samples, double lambd, c10::string_view mode,
                                                int64_t hop_length) {
  const auto s = dsp::gaussian_spectrogram_shape(n_samples, lambd, dsp::parse_window_mode(std::string(mode)),
                                                 hop_length);
  return {s.window_length, s.n_fft, s.n_freqs, s.n_frames};
}

}  // namespace

TORCH_LIBRARY_FRAGMENT(tfgram, m) {
  m.def("gaussian_window(Tensor lambd, int window_length, bool normalized=False) -> Tensor");
  m.def("gaussian_power_spectrogram(Tensor x, Tensor lambd, str mode, int hop_length, "
        "bool normalize_window=False) -> Tensor");
  m.def("gaussian_filterbank_spectrogram(Tensor x, Tensor lambd, Tensor filterbank, str mode, int hop_length, "
        "bool normalize_window=False, float? log_offset=None) -> Tensor");
  // No tensor arguments, so no dispatch key to select: registered catch-all.
  m.def("melscale_fbanks(int n_freqs, float f_min, float f_max, int n_mels, int sample_rate, "
        "ScalarType? dtype=None) -> Tensor",
        melscale_fbanks);
  m.def("gaussian_spectrogram_shape(int n_samples, float lambd, str mode, int hop_length) -> int[]",
        gaussian_spectrogram_shape);
}

TORCH_LIBRARY_IMPL(tfgram, CompositeImplicitAutograd, m) {
  m.impl("gaussian_window", [](const torch::Tensor& lambd, int64_t window_length, bool normalized) {
    return dsp::gaussian_window(lambd, window_length, normalized);
  });
  m.impl("gaussian_power_spectrogram", gaussian_power_spectrogram);
  m.impl("gaussian_filterbank_spectrogram", gaussian_filterbank_spectrogram);
}

}  // namespace tfgram::ops
