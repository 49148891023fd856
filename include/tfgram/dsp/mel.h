#pragma once
// Mel scale (HTK form) and the triangular mel filterbank (SPEC §1.1, §2.3).
#include <torch/types.h>

#include <cstdint>

namespace tfgram::dsp {

/// mel(f) = 2595·log10(1 + f/700).
double hz_to_mel(double hz);
/// hz(m) = 700·(10^(m/2595) − 1).
double mel_to_hz(double mel);
torch::Tensor hz_to_mel(const torch::Tensor& hz);
torch::Tensor mel_to_hz(const torch::Tensor& mel);

/// Triangular HTK-mel filterbank with torchaudio `melscale_fbanks` semantics (no area
/// normalisation): shape (n_freqs, n_mels). Computed in float64, returned with `options`.
torch::Tensor melscale_fbanks(int64_t n_freqs, double f_min, double f_max, int64_t n_mels,
                              int64_t sample_rate,
                              torch::TensorOptions options = torch::kFloat32);

}  // namespace tfgram::dsp
