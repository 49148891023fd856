#include "tfgram/frontends/waveform_degram.h"

#include <torch/torch.h>

namespace tfgram::frontends {

WaveformDEGramImpl::WaveformDEGramImpl(SpectrogramOptions stft_options, DEGramOptions degram_options) {
  stft = register_module("stft", Spectrogram(std::move(stft_options)));
  degram = register_module("degram", DEGram(std::move(degram_options)));
}

torch::Tensor WaveformDEGramImpl::forward(const torch::Tensor& audio) {
  return degram->forward(stft->forward(audio).unsqueeze(1));
}

FeatureShape WaveformDEGramImpl::output_shape(int64_t n_samples) const {
  const auto spectrogram = stft->output_shape(n_samples);
  return {degram->output_channels(), degram->output_features(), spectrogram.frames};
}

void WaveformDEGramImpl::pretty_print(std::ostream& stream) const { stream << "tfgram::WaveformDEGram"; }

}  // namespace tfgram::frontends
