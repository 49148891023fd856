#pragma once
// ResNet-18/34 backbones with a configurable-channel stem (SPEC §1.6), torchvision's layout and
// parameter names (conv1, bn1, layer1.0.conv1, …, layer2.0.downsample.{0,1}, fc).
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <ostream>
#include <vector>

namespace tfgram::models {

/// Two 3×3 convolutions with a residual connection; a 1×1 convolution + batch norm
/// ("downsample") matches the shortcut when the stride or width changes.
struct BasicBlockImpl : torch::nn::Module {
  BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  torch::nn::Conv2d conv2{nullptr};
  torch::nn::BatchNorm2d bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};  ///< null when the shortcut is the identity
};
TORCH_MODULE(BasicBlock);

struct ResNetOptions {
  ResNetOptions(std::vector<int64_t> layers, int64_t num_classes)
      : layers_(std::move(layers)), num_classes_(num_classes) {}
  /// BasicBlock ×[2,2,2,2].
  static ResNetOptions resnet18(int64_t num_classes) { return {{2, 2, 2, 2}, num_classes}; }
  /// BasicBlock ×[3,4,6,3].
  static ResNetOptions resnet34(int64_t num_classes) { return {{3, 4, 6, 3}, num_classes}; }

  /// Blocks in each of the four stages (64, 128, 256, 512 maps).
  TORCH_ARG(std::vector<int64_t>, layers);
  /// Outputs of the linear head.
  TORCH_ARG(int64_t, num_classes);
  /// Channels of the input representation (1 for a spectrogram; 2 for TF-DE's concat strategy).
  TORCH_ARG(int64_t, in_channels) = 1;
};

/// (B, in_channels, F, T) → (B, num_classes) logits. Stem: conv 7×7/2 pad 3 → 64, BN, ReLU,
/// max-pool 3/2/1; four stages; adaptive average pool; linear head. Initialised as torchvision
/// does (Kaiming-normal fan-out convolutions, BN weight 1 bias 0, default Linear).
struct ResNetImpl : torch::nn::Module {
  explicit ResNetImpl(ResNetOptions options);
  void reset();
  void reset_parameters();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& x);
  /// The pooled (B, 512) embedding before the head.
  torch::Tensor embed(const torch::Tensor& x);

  ResNetOptions options;
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::BatchNorm2d bn1{nullptr};
  std::vector<torch::nn::Sequential> stages;  ///< registered as layer1 … layer4
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(ResNet);

}  // namespace tfgram::models
