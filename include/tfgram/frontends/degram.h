#pragma once
// DEGram: SincGram → (log) → TF-DE → normalisation over a linear power spectrogram (SPEC §1.3–1.6),
// (models::DEGramModel puts any backbone after it; WaveformDEGram puts a Hann spectrogram before it.)
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>

#include "tfgram/frontends/pcen.h"
#include "tfgram/frontends/sincgram.h"
#include "tfgram/frontends/spectrogram_norm.h"
#include "tfgram/frontends/tfde.h"

namespace tfgram::config {
template <typename T>
class Fields;
}  // namespace tfgram::config

namespace tfgram::frontends {

/// Nested like LibTorch's composite options: each stage holds its own module's options, and a
/// stage that can be switched off is optional (unset = off). DEGram sets the parts' sizes from
/// its own: the filterbank's n_freqs and sample_rate, the attention's features.
struct DEGramOptions {
  /// `n_freqs` = K bins of the input spectrogram (n_fft/2 + 1).
  DEGramOptions(int64_t n_freqs, int64_t sample_rate)
      : n_freqs_(n_freqs), sample_rate_(sample_rate), sincgram_(SincGramOptions(n_freqs, sample_rate)) {}

  TORCH_ARG(int64_t, n_freqs);
  TORCH_ARG(int64_t, sample_rate);
  /// The learnable filterbank; unset = none (attention works on the K bins).
  TORCH_ARG(std::optional<SincGramOptions>, sincgram);
  /// TF-DE attention; unset = none.
  TORCH_ARG(std::optional<TfDeOptions>, attention) = TfDeOptions(0);
  /// Per-example normalisation; unset = none.
  TORCH_ARG(std::optional<SpectrogramNormOptions>, normalization) = SpectrogramNormOptions();
  /// Learnable PCEN (LEAF) after the filterbank, in place of the log; unset = none (default).
  TORCH_ARG(std::optional<PcenOptions>, pcen) = std::nullopt;
  /// log(x + 1e-7) before attention, as the original Keras model does (not with `pcen`, which
  /// compresses instead). On by default: measured
  /// ahead on FSDD speakers (docs/experiments.md, "DEGram at the default rates"). The PyTorch
  /// release has no log: set false for parity with it (the goldens, its trained weights).
  TORCH_ARG(bool, log_compression) = true;
};

/// The config keys of DEGram's options (model.frontend.degram.*) and of its parts.
const config::Fields<DEGramOptions>& degram_option_fields();

/// (B, 1, K, T) power spectrogram → (B, C, F, T) with F = filters (or K without SincGram) and
/// C = 1 (or the branch count with the concat strategy). Submodules use the published names
/// `sincgram`, `de`, `norm`.
struct DEGramImpl : torch::nn::Module {
  explicit DEGramImpl(DEGramOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& spectrogram);
  /// The stages after the filterbank, on its (B, 1, F, T) output: PCEN or the log, TF-DE,
  /// normalisation. (How a front end that applies the filterbank itself uses DEGram.) With
  /// `log_taken` the input is already log(x + log_offset()): a kernel took the log itself.
  torch::Tensor after_filterbank(const torch::Tensor& filtered, bool log_taken = false);
  /// The offset of the log that after_filterbank takes first, if it takes one (log_compression
  /// without PCEN).
  std::optional<double> log_offset() const;

  /// Frequency rows of the output.
  int64_t output_features() const;
  /// Channels of the output.
  int64_t output_channels() const;

  DEGramOptions options;
  SincGram sincgram{nullptr};
  TfDe de{nullptr};
  SpectrogramNorm norm{nullptr};
  Pcen pcen{nullptr};
};
TORCH_MODULE(DEGram);

}  // namespace tfgram::frontends
