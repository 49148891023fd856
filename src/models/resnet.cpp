#include "tfgram/models/resnet.h"

#include <torch/torch.h>

#include "tfgram/util/check.h"

namespace tfgram::models {
namespace nn = torch::nn;

namespace {
nn::Conv2d conv(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t padding) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
}
}  // namespace

BasicBlockImpl::BasicBlockImpl(int64_t in_planes, int64_t planes, int64_t stride) {
  conv1 = register_module("conv1", conv(in_planes, planes, 3, stride, 1));
  bn1 = register_module("bn1", nn::BatchNorm2d(planes));
  conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1));
  bn2 = register_module("bn2", nn::BatchNorm2d(planes));
  if (stride != 1 || in_planes != planes) {
    downsample = register_module(
        "downsample", nn::Sequential(conv(in_planes, planes, 1, stride, 0), nn::BatchNorm2d(planes)));
  }
}

torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  auto out = torch::relu(bn1->forward(conv1->forward(x)));
  out = bn2->forward(conv2->forward(out));
  const auto shortcut = downsample ? downsample->forward(x) : x;
  return torch::relu(out + shortcut);
}

ResNetImpl::ResNetImpl(ResNetOptions options_) : options(std::move(options_)) { reset(); }

void ResNetImpl::reset() {
  constexpr const char* where = "ResNet";
  util::require(options.layers().size() == 4, where, "layers must list 4 stage depths, got ",
                options.layers().size());
  for (const auto depth : options.layers()) {
    util::require(depth >= 1, where, "every stage needs >= 1 block, got ", depth);
  }
  util::require(options.num_classes() >= 1, where, "num_classes must be >= 1, got ",
                options.num_classes());
  util::require(options.in_channels() >= 1, where, "in_channels must be >= 1, got ",
                options.in_channels());

  conv1 = register_module("conv1", conv(options.in_channels(), 64, 7, 2, 3));
  bn1 = register_module("bn1", nn::BatchNorm2d(64));
  stages.clear();
  int64_t in_planes = 64;
  const int64_t widths[4] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage) {
    nn::Sequential blocks;
    for (int64_t b = 0; b < options.layers()[stage]; ++b) {
      const int64_t stride = (stage > 0 && b == 0) ? 2 : 1;
      blocks->push_back(BasicBlock(in_planes, widths[stage], stride));
      in_planes = widths[stage];
    }
    stages.push_back(register_module("layer" + std::to_string(stage + 1), blocks));
  }
  fc = register_module("fc", nn::Linear(512, options.num_classes()));
  reset_parameters();
}

void ResNetImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  for (auto& module : modules(/*include_self=*/false)) {
    if (auto* c = module->as<nn::Conv2d>()) {
      nn::init::kaiming_normal_(c->weight, 0.0, torch::kFanOut, torch::kReLU);
    } else if (auto* bn = module->as<nn::BatchNorm2d>()) {
      nn::init::ones_(bn->weight);
      nn::init::zeros_(bn->bias);
    }
  }
}

void ResNetImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::ResNet(layers=[";
  for (size_t i = 0; i < options.layers().size(); ++i) {
    stream << (i ? "," : "") << options.layers()[i];
  }
  stream << "], in_channels=" << options.in_channels() << ", num_classes=" << options.num_classes()
         << ")";
}

torch::Tensor ResNetImpl::embed(const torch::Tensor& x) {
  util::require(x.dim() == 4 && x.size(1) == options.in_channels(), "ResNet", "input must be (B, ",
                options.in_channels(), ", F, T), got shape ", x.sizes());
  auto h = torch::relu(bn1->forward(conv1->forward(x)));
  h = torch::max_pool2d(h, /*kernel_size=*/3, /*stride=*/2, /*padding=*/1);
  for (auto& stage : stages) h = stage->forward(h);
  return torch::adaptive_avg_pool2d(h, {1, 1}).flatten(1);
}

torch::Tensor ResNetImpl::forward(const torch::Tensor& x) { return fc->forward(embed(x)); }

}  // namespace tfgram::models
