#include "tfgram/models/dmel_nets.h"

#include <torch/torch.h>

#include <cmath>

#include "tfgram/util/check.h"

namespace tfgram::models {
namespace nn = torch::nn;

namespace {
void check_options(const DMelNetOptions& o, const char* where) {
  util::require(o.channels() >= 1 && o.features() >= 1 && o.frames() >= 1, where,
                "input shape (C, F, T) must be positive, got (", o.channels(), ", ", o.features(),
                ", ", o.frames(), ")");
  util::require(o.num_classes() >= 1, where, "num_classes must be >= 1, got ", o.num_classes());
  util::require(o.hidden() >= 1, where, "hidden must be >= 1, got ", o.hidden());
  util::require(o.kernel_size() >= 1 && o.kernel_size() % 2 == 1, where,
                "kernel_size must be odd and >= 1, got ", o.kernel_size());
  util::require(std::isfinite(o.dropout()) && o.dropout() >= 0 && o.dropout() < 1, where,
                "dropout must lie in [0, 1), got ", o.dropout());
}

// A flattened head only fits the shape it was built for; say so instead of a matmul error.
void check_input(const torch::Tensor& x, const DMelNetOptions& o, const char* where) {
  util::require(x.dim() == 4 && x.size(1) == o.channels() && x.size(2) == o.features() &&
                    x.size(3) == o.frames(),
                where, "input must be (B, ", o.channels(), ", ", o.features(), ", ", o.frames(),
                ") — the shape the head was built for — got ", x.sizes());
}

void print(std::ostream& stream, const char* name, const DMelNetOptions& o) {
  stream << "tfgram::" << name << "(input=(" << o.channels() << ", " << o.features() << ", "
         << o.frames() << "), num_classes=" << o.num_classes() << ", hidden=" << o.hidden()
         << ", dropout=" << o.dropout() << ")";
}
}  // namespace

LinearNetImpl::LinearNetImpl(DMelNetOptions options_) : options(std::move(options_)) { reset(); }

void LinearNetImpl::reset() {
  check_options(options, "LinearNet");
  fc = register_module("fc", nn::Linear(options.flat_size(), options.num_classes()));
}

void LinearNetImpl::pretty_print(std::ostream& stream) const { print(stream, "LinearNet", options); }

torch::Tensor LinearNetImpl::forward(const torch::Tensor& x) {
  check_input(x, options, "LinearNet");
  return fc->forward(torch::dropout(x.flatten(1), options.dropout(), is_training()));
}

MlpNetImpl::MlpNetImpl(DMelNetOptions options_) : options(std::move(options_)) { reset(); }

void MlpNetImpl::reset() {
  check_options(options, "MlpNet");
  fc1 = register_module("fc1", nn::Linear(options.flat_size(), options.hidden()));
  fc2 = register_module("fc2", nn::Linear(options.hidden(), options.num_classes()));
}

void MlpNetImpl::pretty_print(std::ostream& stream) const { print(stream, "MlpNet", options); }

torch::Tensor MlpNetImpl::forward(const torch::Tensor& x) {
  check_input(x, options, "MlpNet");
  const auto h = torch::relu(fc1->forward(x.flatten(1)));
  return fc2->forward(torch::dropout(h, options.dropout(), is_training()));
}

ConvNetImpl::ConvNetImpl(DMelNetOptions options_) : options(std::move(options_)) { reset(); }

void ConvNetImpl::reset() {
  check_options(options, "ConvNet");
  conv1 = register_module(
      "conv1", nn::Conv2d(nn::Conv2dOptions(options.channels(), options.hidden(),
                                            options.kernel_size())
                              .padding(options.kernel_size() / 2)));
  fc1 = register_module(
      "fc1", nn::Linear(options.hidden() * options.features() * options.frames(), options.hidden()));
  fc2 = register_module("fc2", nn::Linear(options.hidden(), options.num_classes()));
}

void ConvNetImpl::pretty_print(std::ostream& stream) const { print(stream, "ConvNet", options); }

torch::Tensor ConvNetImpl::forward(const torch::Tensor& x) {
  check_input(x, options, "ConvNet");
  auto h = torch::relu(conv1->forward(x));
  h = torch::dropout(h.flatten(1), options.dropout(), is_training());
  h = torch::relu(fc1->forward(h));
  return fc2->forward(h);
}

}  // namespace tfgram::models
