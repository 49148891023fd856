#include "tfgram/frontends/with_pcen.h"

#include <torch/torch.h>

#include "tfgram/util/check.h"

namespace tfgram::frontends {
namespace {
const WaveformFrontend& inner(const torch::nn::AnyModule& module) {
  const auto* frontend = dynamic_cast<const WaveformFrontend*>(module.ptr().get());
  util::require(frontend != nullptr, "WithPcen", "the inner module must be a frontends::WaveformFrontend");
  return *frontend;
}
}  // namespace

WithPcenImpl::WithPcenImpl(torch::nn::AnyModule spectrogram_, PcenOptions options, int64_t n_samples)
    : spectrogram(std::move(spectrogram_)) {
  register_module("spectrogram", spectrogram.ptr());
  const auto shape = inner(spectrogram).output_shape(n_samples);
  pcen = register_module("pcen", Pcen(options.channels(shape.features)));
}

torch::Tensor WithPcenImpl::forward(const torch::Tensor& audio) {
  auto x = spectrogram.forward(audio);
  if (x.dim() == 3) x = x.unsqueeze(1);
  return pcen->forward(x);
}

FeatureShape WithPcenImpl::output_shape(int64_t n_samples) const { return inner(spectrogram).output_shape(n_samples); }

void WithPcenImpl::pretty_print(std::ostream& stream) const { stream << "tfgram::WithPcen"; }

}  // namespace tfgram::frontends
