// The DEGram kernels as `tfgram::` operators: the SincGram filter matrix and product, TF-DE's
// fused maxout, the normalisation. CompositeImplicitAutograd for the reason given in dmel_ops.cpp.
#include <torch/library.h>
#include <torch/torch.h>

#include "frontends/gated_maxout.h"
#include "tfgram/frontends/sincgram.h"
#include "tfgram/frontends/spectrogram_norm.h"

namespace tfgram::ops {
namespace {

torch::Tensor sincgram(const torch::Tensor& spectrogram, const torch::Tensor& freq_centers, const torch::Tensor& bands,
                       int64_t order, double eps) {
  TORCH_CHECK(spectrogram.dim() == 4, "tfgram::sincgram: spectrogram must be (B, C, K, T), got ",
              spectrogram.sizes());
  return frontends::apply_filter_matrix(
      spectrogram, frontends::sincgram_filter_matrix(freq_centers, bands, spectrogram.size(2), order, eps));
}

torch::Tensor spectrogram_norm(const torch::Tensor& input, bool std_norm, bool freq_norm, double eps) {
  return frontends::spectrogram_norm(input,
                                     frontends::SpectrogramNormOptions().std_norm(std_norm).freq_norm(freq_norm).eps(eps));
}

}  // namespace

TORCH_LIBRARY_FRAGMENT(tfgram, m) {
  m.def("sincgram_filter_matrix(Tensor freq_centers, Tensor bands, int n_freqs, int order, float eps, "
        "int grid_bins=0) -> Tensor");
  m.def("apply_filter_matrix(Tensor spectrogram, Tensor weights) -> Tensor");
  m.def("sincgram(Tensor spectrogram, Tensor freq_centers, Tensor bands, int order, float eps) -> Tensor");
  m.def("gated_maxout(Tensor x, Tensor a, Tensor s) -> Tensor");
  m.def("spectrogram_norm(Tensor input, bool std_norm=True, bool freq_norm=True, float eps=1e-7) -> Tensor");
}

TORCH_LIBRARY_IMPL(tfgram, CompositeImplicitAutograd, m) {
  m.impl("sincgram_filter_matrix", frontends::sincgram_filter_matrix);
  m.impl("apply_filter_matrix", frontends::apply_filter_matrix);
  m.impl("sincgram", sincgram);
  m.impl("gated_maxout", frontends::detail::gated_maxout);
  m.impl("spectrogram_norm", spectrogram_norm);
}

}  // namespace tfgram::ops
