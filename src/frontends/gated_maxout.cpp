#include "gated_maxout.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "util/fused_cpu.h"

namespace tfgram::frontends::detail {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Calls body(b, f, t) for every element of x (B, 1, F, T), examples spread over the threads,
// memory walked in order (util/fused_cpu.h).
template <typename Body>
void for_each_element(const torch::Tensor& x, const Body& body) {
  at::parallel_for(0, x.size(0), 1, [&](int64_t first, int64_t last) {
    for (int64_t b = first; b < last; ++b) {
      util::detail::for_each_in_example(x, [&](int64_t, int64_t f, int64_t t) { body(b, f, t); });
    }
  });
}

using util::detail::Strided4;

template <typename Real>
void forward_cpu(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& s, torch::Tensor& out) {
  const Strided4<Real> xs(x), os(out);
  const Real* ap = a.data_ptr<Real>();
  const Real* sp = s.data_ptr<Real>();
  const int64_t rows = x.size(2);
  for_each_element(x, [&](int64_t b, int64_t f, int64_t t) {
    const Real v = xs(b, 0, f, t);
    const Real p = v * ap[b * rows + f];
    const Real q = v * sp[b * rows + f];
    // torch::maximum propagates NaN.
    os(b, 0, f, t) = (std::isnan(p) || std::isnan(q)) ? std::numeric_limits<Real>::quiet_NaN() : (p >= q ? p : q);
  });
}

template <typename Real>
void backward_cpu(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& s, const torch::Tensor& grad,
                  torch::Tensor& dx, torch::Tensor& da, torch::Tensor& ds) {
  const Strided4<Real> xs(x), gs(grad), dxs(dx);
  const Real* ap = a.data_ptr<Real>();
  const Real* sp = s.data_ptr<Real>();
  Real* dap = da.data_ptr<Real>();  // zero-initialised; (b, f) only touched by b's thread
  Real* dsp = ds.data_ptr<Real>();
  const int64_t rows = x.size(2);
  for_each_element(x, [&](int64_t b, int64_t f, int64_t t) {
    const int64_t i = b * rows + f;
    const Real v = xs(b, 0, f, t);
    const Real g = gs(b, 0, f, t);
    const Real p = v * ap[i];
    const Real q = v * sp[i];
    // The branch that won takes the gradient; a tie splits it, as torch::maximum's backward does.
    const Real wa = p > q ? Real(1) : (p < q ? Real(0) : Real(0.5));
    const Real ws = 1 - wa;
    dxs(b, 0, f, t) = g * (wa * ap[i] + ws * sp[i]);
    dap[i] += wa * g * v;
    dsp[i] += ws * g * v;
  });
}

struct GatedMaxout : torch::autograd::Function<GatedMaxout> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& a,
                               const torch::Tensor& s) {
    auto out = torch::empty_like(x);  // keeps x's memory order when it is dense
    if (x.scalar_type() == torch::kFloat64) {
      forward_cpu<double>(x, a, s, out);
    } else {
      forward_cpu<float>(x, a, s, out);
    }
    ctx->save_for_backward({x, a, s});
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& a = saved[1];
    const auto& s = saved[2];
    const auto& grad = grad_outputs[0];
    auto dx = torch::empty_like(x);
    auto da = torch::zeros_like(a);
    auto ds = torch::zeros_like(s);
    if (x.scalar_type() == torch::kFloat64) {
      backward_cpu<double>(x, a, s, grad, dx, da, ds);
    } else {
      backward_cpu<float>(x, a, s, grad, dx, da, ds);
    }
    return {dx, da, ds};
  }
};

}  // namespace

torch::Tensor gated_maxout(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& s) {
  const auto gate_a = a.reshape({x.size(0), x.size(2)});
  const auto gate_s = s.reshape({x.size(0), x.size(2)});
  if (!util::detail::fused_cpu_supports(x) || gate_a.scalar_type() != x.scalar_type() ||
      gate_s.scalar_type() != x.scalar_type()) {
    return torch::maximum(x * gate_a.unsqueeze(1).unsqueeze(-1), x * gate_s.unsqueeze(1).unsqueeze(-1));
  }
  return GatedMaxout::apply(x, gate_a.contiguous(), gate_s.contiguous());
}

}  // namespace tfgram::frontends::detail
