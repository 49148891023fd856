#pragma once
// The `degram` front end of a classifier: a fixed Hann power spectrogram (SPEC §1.5) → DEGram.
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "tfgram/frontends/degram.h"
#include "tfgram/frontends/frontend.h"
#include "tfgram/frontends/spectrogram.h"

namespace tfgram::frontends {

/// (B, N) → (B, C, F, T). Submodules `stft` and `degram`.
struct WaveformDEGramImpl : torch::nn::Module, WaveformFrontend {
  WaveformDEGramImpl(SpectrogramOptions stft, DEGramOptions degram);
  torch::Tensor forward(const torch::Tensor& audio);
  FeatureShape output_shape(int64_t n_samples) const override;
  void pretty_print(std::ostream& stream) const override;

  Spectrogram stft{nullptr};
  DEGram degram{nullptr};
};
TORCH_MODULE(WaveformDEGram);

}  // namespace tfgram::frontends
