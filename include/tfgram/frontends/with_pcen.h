#pragma once
// Any waveform front end followed by PCEN (frontends/pcen.h) over its non-negative output: how
// log-mel + PCEN and DMEL + PCEN are built (LEAF's normalisation after another front end).
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "tfgram/frontends/frontend.h"
#include "tfgram/frontends/pcen.h"

namespace tfgram::frontends {

/// (B, N) → (B, C, F, T). Submodules `spectrogram` (the inner front end, a WaveformFrontend whose
/// output must be non-negative: no log) and `pcen`, sized from the inner output's F rows.
struct WithPcenImpl : torch::nn::Module, WaveformFrontend {
  WithPcenImpl(torch::nn::AnyModule spectrogram, PcenOptions pcen, int64_t n_samples);
  torch::Tensor forward(const torch::Tensor& audio);
  FeatureShape output_shape(int64_t n_samples) const override;
  void pretty_print(std::ostream& stream) const override;

  torch::nn::AnyModule spectrogram;
  Pcen pcen{nullptr};
};
TORCH_MODULE(WithPcen);

}  // namespace tfgram::frontends
