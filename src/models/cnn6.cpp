#include "tfgram/models/cnn6.h"

#include <torch/torch.h>

#include <cmath>

#include "tfgram/util/check.h"

namespace tfgram::models {
namespace nn = torch::nn;

namespace {
void xavier_with_zero_bias(torch::Tensor& weight, torch::Tensor& bias) {
  nn::init::xavier_uniform_(weight);
  if (bias.defined()) nn::init::zeros_(bias);
}

void unit_batch_norm(nn::BatchNorm2d& bn) {
  nn::init::ones_(bn->weight);
  nn::init::zeros_(bn->bias);
}
}  // namespace

ConvBlock5x5Impl::ConvBlock5x5Impl(int64_t in_channels, int64_t out_channels) {
  conv1 = register_module(
      "conv1", nn::Conv2d(nn::Conv2dOptions(in_channels, out_channels, 5).padding(2).bias(false)));
  bn1 = register_module("bn1", nn::BatchNorm2d(out_channels));
  reset_parameters();
}

void ConvBlock5x5Impl::reset_parameters() {
  torch::NoGradGuard no_grad;
  xavier_with_zero_bias(conv1->weight, conv1->bias);
  unit_batch_norm(bn1);
}

torch::Tensor ConvBlock5x5Impl::forward(const torch::Tensor& x) {
  return torch::avg_pool2d(torch::relu(bn1->forward(conv1->forward(x))), {2, 2});
}

Cnn6Impl::Cnn6Impl(Cnn6Options options_) : options(std::move(options_)) { reset(); }

void Cnn6Impl::reset() {
  constexpr const char* where = "Cnn6";
  util::require(options.num_classes() >= 1, where, "num_classes must be >= 1, got ",
                options.num_classes());
  util::require(options.n_mels() >= 16, where,
                "n_mels must be >= 16 (four 2×2 pools), got ", options.n_mels());
  util::require(options.in_channels() >= 1, where, "in_channels must be >= 1, got ",
                options.in_channels());
  for (const double p : {options.block_dropout(), options.head_dropout()}) {
    util::require(std::isfinite(p) && p >= 0 && p < 1, where, "dropout must lie in [0, 1), got ", p);
  }
  bn1 = register_module("bn1", nn::BatchNorm2d(options.n_mels()));
  conv_block1 = register_module("conv_block1", ConvBlock5x5(options.in_channels(), 64));
  conv_block2 = register_module("conv_block2", ConvBlock5x5(64, 128));
  conv_block3 = register_module("conv_block3", ConvBlock5x5(128, 256));
  conv_block4 = register_module("conv_block4", ConvBlock5x5(256, 512));
  fc1 = register_module("fc1", nn::Linear(512, 512));
  fc_esc50 = register_module("fc_esc50", nn::Linear(512, options.num_classes()));
  reset_parameters();
}

void Cnn6Impl::reset_parameters() {
  torch::NoGradGuard no_grad;
  unit_batch_norm(bn1);
  for (auto* block : {&conv_block1, &conv_block2, &conv_block3, &conv_block4}) {
    (*block)->reset_parameters();
  }
  xavier_with_zero_bias(fc1->weight, fc1->bias);
  xavier_with_zero_bias(fc_esc50->weight, fc_esc50->bias);
}

void Cnn6Impl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::Cnn6(n_mels=" << options.n_mels() << ", in_channels=" << options.in_channels()
         << ", num_classes=" << options.num_classes() << ")";
}

torch::Tensor Cnn6Impl::embed(const torch::Tensor& input) {
  util::require(input.dim() == 4 && input.size(1) == options.in_channels() &&
                    input.size(3) == options.n_mels(),
                "Cnn6", "input must be (B, ", options.in_channels(), ", T, n_mels=", options.n_mels(),
                "), got shape ", input.sizes());
  util::require(input.size(2) >= 16, "Cnn6", "need >= 16 frames for four 2×2 pools, got ",
                input.size(2));
  // Batch norm with the mel bins as channels.
  auto x = bn1->forward(input.transpose(1, 3)).transpose(1, 3);
  const bool training = is_training();
  for (auto* block : {&conv_block1, &conv_block2, &conv_block3, &conv_block4}) {
    x = torch::dropout((*block)->forward(x), options.block_dropout(), training);
  }
  x = x.mean(3);                                      // (B, 512, T')
  x = std::get<0>(x.max(2)) + x.mean(2);              // (B, 512)
  x = torch::dropout(x, options.head_dropout(), training);
  return torch::relu(fc1->forward(x));
}

torch::Tensor Cnn6Impl::forward(const torch::Tensor& x) { return fc_esc50->forward(embed(x)); }

}  // namespace tfgram::models
