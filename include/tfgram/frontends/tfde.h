#pragma once
// TF-DE: concurrent squeeze-excitation attention over a (B, 1, F, T) representation (SPEC §1.3).
#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace tfgram::config {
template <typename T>
class Fields;
}  // namespace tfgram::config

namespace tfgram::frontends {

/// How the excitation branches are combined.
enum class TfDeStrategy { kMaxout, kAdd, kMultiply, kConcat };
TfDeStrategy parse_tfde_strategy(const std::string& name);
const char* to_string(TfDeStrategy strategy);

struct TfDeOptions {
  explicit TfDeOptions(int64_t features) : features_(features) {}

  /// Frequency rows F of the input (the SincGram's filters, or K when used alone).
  TORCH_ARG(int64_t, features);
  /// Bottleneck ratio r of the frequency-excitation MLP: hidden size max(1, ⌊F·r⌋).
  TORCH_ARG(double, reduction_ratio) = 1.0 / 16.0;
  /// Combination of the branch outputs; kConcat stacks them as channels.
  TORCH_ARG(TfDeStrategy, strategy) = TfDeStrategy::kMaxout;
  /// Adds a third branch that squeezes frequency and excites frames (the paper's "time" attention,
  /// absent from the published layer). Off by default for parity.
  TORCH_ARG(bool, time_excitation) = false;
  /// Odd kernel length (frames) of the time branch's 1-D convolution.
  TORCH_ARG(int64_t, time_kernel_size) = 9;
};

/// Its config keys (every option but features, which the enclosing layer sets).
const config::Fields<TfDeOptions>& tfde_option_fields();

/// Published parameter names: `_cSE.network.{0,2}.weight`, `_sSE.conv.{weight,bias}`;
/// the optional time branch adds `_tSE.conv.{weight,bias}`.
struct TfDeImpl : torch::nn::Module {
  explicit TfDeImpl(TfDeOptions options);
  void reset();
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  /// (B, 1, F, T) → (B, 1, F, T), or (B, branches, F, T) with kConcat.
  torch::Tensor forward(const torch::Tensor& input);

  /// Output channels: 1, or the number of branches with kConcat.
  int64_t output_channels() const;

  TfDeOptions options;
  torch::nn::Sequential frequency_mlp{nullptr};  ///< registered as "_cSE.network"
  torch::nn::Conv1d pointwise{nullptr};          ///< registered as "_sSE.conv"
  torch::nn::Conv1d time_conv{nullptr};          ///< registered as "_tSE.conv" (optional)
};
TORCH_MODULE(TfDe);

}  // namespace tfgram::frontends
