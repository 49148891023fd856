#pragma once
// The small classifiers of the DMEL paper (SPEC §2.4) as heads over a front end's (B, C, F, T)
// output. Their parameter names are the published ones (fc; fc1, fc2; conv1, fc1, fc2); the
// Classifier puts the front end beside them as `spectrogram_layer`. Dropout is active only in
// training (the reference leaves mel_linear's dropout on at evaluation; we do not).
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <cstdint>
#include <ostream>

namespace tfgram::models {

/// Options shared by the three heads. The flattened sizes follow from the input shape, so the
/// head is built for one (channels, features, frames) — the front end's output for the
/// configured input length.
struct DMelNetOptions {
  DMelNetOptions(int64_t channels, int64_t features, int64_t frames, int64_t num_classes)
      : channels_(channels), features_(features), frames_(frames), num_classes_(num_classes) {}
  /// The published settings of each paper model.
  static DMelNetOptions linear(int64_t c, int64_t f, int64_t t, int64_t n) {
    return DMelNetOptions(c, f, t, n).dropout(0.0);
  }
  static DMelNetOptions mel_linear(int64_t c, int64_t f, int64_t t, int64_t n) {
    return DMelNetOptions(c, f, t, n).dropout(0.2);
  }
  static DMelNetOptions mel_mlp(int64_t c, int64_t f, int64_t t, int64_t n) {
    return DMelNetOptions(c, f, t, n).dropout(0.2);
  }
  static DMelNetOptions mel_conv(int64_t c, int64_t f, int64_t t, int64_t n) {
    return DMelNetOptions(c, f, t, n).dropout(0.0);
  }
  int64_t flat_size() const { return channels_ * features_ * frames_; }

  /// Input channels C.
  TORCH_ARG(int64_t, channels);
  /// Input frequency rows F (mel bands or spectrogram bins).
  TORCH_ARG(int64_t, features);
  /// Input frames T.
  TORCH_ARG(int64_t, frames);
  /// Output logits.
  TORCH_ARG(int64_t, num_classes);
  /// Width of the hidden layer (and conv maps) of mel_mlp / mel_conv.
  TORCH_ARG(int64_t, hidden) = 32;
  /// Square kernel of mel_conv's convolution ('same' padding; odd).
  TORCH_ARG(int64_t, kernel_size) = 5;
  /// Dropout probability (training only): on the flattened input of `fc` (LinearNet), after
  /// fc1's ReLU (MlpNet), on the flattened convolution maps (ConvNet; 0 as published).
  TORCH_ARG(double, dropout) = 0.0;
};

/// `linear` / `mel_linear`: dropout → flatten → Linear `fc`.
struct LinearNetImpl : torch::nn::Module {
  explicit LinearNetImpl(DMelNetOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& x);

  DMelNetOptions options;
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(LinearNet);

/// `mel_mlp`: flatten → Linear `fc1` (hidden) → ReLU → dropout → Linear `fc2`.
struct MlpNetImpl : torch::nn::Module {
  explicit MlpNetImpl(DMelNetOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& x);

  DMelNetOptions options;
  torch::nn::Linear fc1{nullptr};
  torch::nn::Linear fc2{nullptr};
};
TORCH_MODULE(MlpNet);

/// `mel_conv`: Conv2d `conv1` (C → hidden, k×k, same) → ReLU → flatten → Linear `fc1` (hidden)
/// → ReLU → Linear `fc2`.
struct ConvNetImpl : torch::nn::Module {
  explicit ConvNetImpl(DMelNetOptions options);
  void reset();
  void pretty_print(std::ostream& stream) const override;
  torch::Tensor forward(const torch::Tensor& x);

  DMelNetOptions options;
  torch::nn::Conv2d conv1{nullptr};
  torch::nn::Linear fc1{nullptr};
  torch::nn::Linear fc2{nullptr};
};
TORCH_MODULE(ConvNet);

}  // namespace tfgram::models
