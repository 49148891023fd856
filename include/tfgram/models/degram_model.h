#pragma once
// DEGramModel = DEGram front end → any backbone taking (B, C, F, T), as the published
// DEGramBasedModel wraps a backbone.
#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "tfgram/frontends/degram.h"

namespace tfgram::models {

struct DEGramModelImpl : torch::nn::Module {
  DEGramModelImpl(torch::nn::AnyModule backbone, frontends::DEGramOptions options);
  torch::Tensor forward(const torch::Tensor& spectrogram);
  void pretty_print(std::ostream& stream) const override;

  frontends::DEGram frontend{nullptr};
  torch::nn::AnyModule backbone;
};
TORCH_MODULE(DEGramModel);

}  // namespace tfgram::models
