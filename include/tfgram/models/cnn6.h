#pragma once
// PANNs CNN6 as the DMEL release uses it (SPEC §2.4), with the published parameter names:
// bn1 (batch norm over mel bins), conv_block{1..4}.{conv1,bn1}, fc1, fc_esc50.
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <ostream>

namespace tfgram::models {

/// Conv 5×5 (stride 1, padding 2, no bias) → BN → ReLU → 2×2 average pool.
struct ConvBlock5x5Impl : torch::nn::Module {
  ConvBlock5x5Impl(int64_t in_channels, int64_t out_channels);
  void reset_parameters();
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
};
TORCH_MODULE(ConvBlock5x5);

struct Cnn6Options {
  Cnn6Options(int64_t num_classes, int64_t n_mels) : num_classes_(num_classes), n_mels_(n_mels) {}

  /// Outputs of the final linear layer (published: fc_esc50).
  TORCH_ARG(int64_t, num_classes);
  /// Mel bins of the input; the first batch norm normalises each bin.
  TORCH_ARG(int64_t, n_mels);
  /// Channels of the input (1 for a spectrogram).
  TORCH_ARG(int64_t, in_channels) = 1;
  /// Dropout after each convolutional block (training only).
  TORCH_ARG(double, block_dropout) = 0.2;
  /// Dropout before fc1 (training only).
  TORCH_ARG(double, head_dropout) = 0.5;
};

/// (B, C, T, n_mels) log-mel → (B, num_classes) **logits** (the published model returns their
/// sigmoid; train it with sigmoid + binary cross-entropy). Forward: BN over mel bins → four
/// blocks (64, 128, 256, 512 maps), each followed by dropout → mean over mel → max + mean over
/// time → dropout → fc1 + ReLU → fc_esc50. The published code also computes a dropped-out
/// embedding after fc1 but feeds the un-dropped activations to the last layer; so do we.
/// Initialisation: Xavier-uniform weights, zero biases, BN weight 1 bias 0.
struct Cnn6Impl : torch::nn::Module {
  explicit Cnn6Impl(Cnn6Options options);
  void reset();
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& x);
  /// The (B, 512) embedding after fc1 + ReLU.
  torch::Tensor embed(const torch::Tensor& x);

  Cnn6Options options;
  torch::nn::BatchNorm2d bn1{nullptr};
  ConvBlock5x5 conv_block1{nullptr};
  ConvBlock5x5 conv_block2{nullptr};
  ConvBlock5x5 conv_block3{nullptr};
  ConvBlock5x5 conv_block4{nullptr};
  torch::nn::Linear fc1{nullptr};
  torch::nn::Linear fc_esc50{nullptr};
};
TORCH_MODULE(Cnn6);

}  // namespace tfgram::models
