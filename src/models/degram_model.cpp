#include "tfgram/models/degram_model.h"

#include <torch/torch.h>

#include "tfgram/util/check.h"

namespace tfgram::models {

DEGramModelImpl::DEGramModelImpl(torch::nn::AnyModule backbone_, frontends::DEGramOptions options)
    : backbone(std::move(backbone_)) {
  frontend = register_module("frontend", frontends::DEGram(std::move(options)));
  util::require(!backbone.is_empty(), "DEGramModel", "a backbone module is required");
  register_module("backbone", backbone.ptr());
}

torch::Tensor DEGramModelImpl::forward(const torch::Tensor& spectrogram) {
  return backbone.forward(frontend->forward(spectrogram));
}

void DEGramModelImpl::pretty_print(std::ostream& stream) const { stream << "tfgram::DEGramModel"; }

}  // namespace tfgram::models
