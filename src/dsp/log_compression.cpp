#include "tfgram/dsp/log_compression.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>

#include "tfgram/util/check.h"
#include "util/cpu_clones.h"
#include "util/fused_cpu.h"
#include "vector_log.h"

namespace tfgram::dsp {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Chunks of a few L1-sized blocks per task.
constexpr int64_t kGrain = int64_t{1} << 14;

// Elementwise, so any dense layout is one flat array: a SincGram output is a (B, C, F, T) view of
// (B, C, T, F) memory. empty_like keeps that layout for the result.
bool fused(const torch::Tensor& x) {
  return util::detail::fused_cpu_supports(x) && x.is_non_overlapping_and_dense();
}

template <typename Real>
TFGRAM_CPU_CLONES void divide_by_offset_input(const Real* g, const Real* x, Real offset, Real* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = g[i] / (x[i] + offset);
}

template <typename Real>
void forward_cpu(const torch::Tensor& x, double offset, torch::Tensor& out) {
  const Real* xs = x.data_ptr<Real>();
  Real* os = out.data_ptr<Real>();
  at::parallel_for(0, x.numel(), kGrain, [&](int64_t first, int64_t last) {
    std::copy(xs + first, xs + last, os + first);
    detail::log_with_offset(os + first, nullptr, last - first, static_cast<Real>(offset));
  });
}

template <typename Real>
void backward_cpu(const torch::Tensor& grad, const torch::Tensor& x, double offset, torch::Tensor& out) {
  const Real* gs = grad.data_ptr<Real>();
  const Real* xs = x.data_ptr<Real>();
  Real* os = out.data_ptr<Real>();
  at::parallel_for(0, x.numel(), kGrain, [&](int64_t first, int64_t last) {
    divide_by_offset_input(gs + first, xs + first, static_cast<Real>(offset), os + first, last - first);
  });
}

struct LogCompression : torch::autograd::Function<LogCompression> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, double offset) {
    ctx->save_for_backward({x});
    ctx->saved_data["offset"] = offset;
    if (!fused(x)) return torch::log(x + offset);
    auto out = torch::empty_like(x);
    if (x.scalar_type() == torch::kFloat64) {
      forward_cpu<double>(x, offset, out);
    } else {
      forward_cpu<float>(x, offset, out);
    }
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto x = ctx->get_saved_variables()[0];
    const double offset = ctx->saved_data["offset"].toDouble();
    const auto& upstream = grad_outputs[0];
    torch::Tensor grad_x;
    if (fused(x) && upstream.scalar_type() == x.scalar_type()) {
      // The flat loop needs the gradient in the input's layout.
      const auto grad = upstream.strides() == x.strides() ? upstream : torch::empty_like(x).copy_(upstream);
      grad_x = torch::empty_like(x);
      if (x.scalar_type() == torch::kFloat64) {
        backward_cpu<double>(grad, x, offset, grad_x);
      } else {
        backward_cpu<float>(grad, x, offset, grad_x);
      }
    } else {
      grad_x = upstream / (x + offset);
    }
    return {grad_x, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor log_compression(const torch::Tensor& x, double offset) {
  util::require(x.is_floating_point(), "log compression", "input must be floating point, got ", x.scalar_type());
  util::require(std::isfinite(offset) && offset >= 0, "log compression", "offset must be finite and >= 0, got ",
                offset);
  return LogCompression::apply(x, offset);
}

}  // namespace tfgram::dsp
