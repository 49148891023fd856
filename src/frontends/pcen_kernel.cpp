// The PCEN recursion on the CPU: the smoother and its reverse-time adjoint as one pass over time
// per (b, c, f) row each, the powers and logs around them as vectorised ATen ops, with the analytic
// backward; and the portable ATen loop over frames.
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "tfgram/frontends/pcen.h"
#include "tfgram/util/check.h"
#include "util/fused_cpu.h"

namespace tfgram::frontends {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The two recursions over time, one pass per (b, c, f) row each, rows spread over the threads
// (the elementwise powers and logs around them are vectorised ATen ops):
//   smooth:   M_0 = x_0,  M_t = w·x_t + (1 − w)·M_{t−1}
//   reverse:  g_{T−1} = l_{T−1},  g_t = l_t + (1 − w)·g_{t+1}   (∂L/∂M_t with everything after t)
// Both accumulate in double for float32 rows too.
template <typename Real>
void smooth_rows(const torch::Tensor& x, const std::vector<double>& w, torch::Tensor& m_out) {
  const int64_t rows = x.size(2), frames = x.size(3);
  const int64_t count = x.numel() / frames;
  const Real* in = x.data_ptr<Real>();
  Real* out = m_out.data_ptr<Real>();
  at::parallel_for(0, count, 16, [&](int64_t first, int64_t last) {
    for (int64_t row = first; row < last; ++row) {
      const double s = w[static_cast<size_t>(row % rows)];
      const Real* xs = in + row * frames;
      Real* ms = out + row * frames;
      double m = xs[0];
      ms[0] = static_cast<Real>(m);
      for (int64_t t = 1; t < frames; ++t) {
        m = s * static_cast<double>(xs[t]) + (1.0 - s) * m;
        ms[t] = static_cast<Real>(m);
      }
    }
  });
}

template <typename Real>
void reverse_rows(const torch::Tensor& local, const std::vector<double>& w, torch::Tensor& g_out) {
  const int64_t rows = local.size(2), frames = local.size(3);
  const int64_t count = local.numel() / frames;
  const Real* in = local.data_ptr<Real>();
  Real* out = g_out.data_ptr<Real>();
  at::parallel_for(0, count, 16, [&](int64_t first, int64_t last) {
    for (int64_t row = first; row < last; ++row) {
      const double keep = 1.0 - w[static_cast<size_t>(row % rows)];
      const Real* ls = in + row * frames;
      Real* gs = out + row * frames;
      double g = 0.0;
      for (int64_t t = frames - 1; t >= 0; --t) {
        g = static_cast<double>(ls[t]) + keep * g;
        gs[t] = static_cast<Real>(g);
      }
    }
  });
}

std::vector<double> values_of(const torch::Tensor& t) {
  const auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

torch::Tensor smoothed(const torch::Tensor& x, const torch::Tensor& smooth) {
  auto m = torch::empty_like(x);
  const auto w = values_of(smooth);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "pcen_smooth", [&] { smooth_rows<scalar_t>(x, w, m); });
  return m;
}

// (F) → (1, 1, F, 1) in x's dtype, for broadcasting over rows.
torch::Tensor per_row(const torch::Tensor& p, const torch::Tensor& x) { return p.detach().to(x.dtype()).view({1, 1, -1, 1}); }

struct FusedPcen : torch::autograd::Function<FusedPcen> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in, const torch::Tensor& alpha,
                               const torch::Tensor& delta, const torch::Tensor& inverse_root, const torch::Tensor& smooth,
                               double floor) {
    const auto x = x_in.contiguous();
    const auto m = smoothed(x, smooth);
    const auto a = per_row(alpha, x), d = per_row(delta, x), rho = per_row(inverse_root, x);
    const auto z = x * (m + floor).pow(-a) + d;
    ctx->save_for_backward({x, m, alpha, delta, inverse_root, smooth});
    ctx->saved_data["floor"] = floor;
    return z.pow(rho).sub_(d.pow(rho));
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &m = saved[1];
    const double floor = ctx->saved_data["floor"].toDouble();
    const auto g = grad_outputs[0].contiguous();
    const auto a = per_row(saved[2], x), d = per_row(saved[3], x), rho = per_row(saved[4], x);
    const auto w = per_row(saved[5], x);
    const auto e = m + floor;
    const auto gain = e.pow(-a);
    const auto z = x * gain + d;
    const auto z_rho = z.pow(rho);
    const auto dy_dz = rho * z_rho / z;
    const auto gz = g * dy_dz;
    const std::vector<int64_t> over_rows{0, 1, 3};
    const auto d_rho = d.pow(rho);
    auto grad_alpha = -(gz * x * gain * e.log()).sum(over_rows);
    auto grad_delta = (g * (dy_dz - rho * d.pow(rho - 1.0))).sum(over_rows);
    auto grad_root = (g * (z_rho * z.log() - d_rho * d.log())).sum(over_rows);
    // ∂L/∂M_t: its own term, then everything after t through the smoother (reverse recursion).
    const auto local = (-gz * x * a * gain / e).contiguous();
    auto gm = torch::empty_like(local);
    const auto keep = values_of(saved[5]);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "pcen_reverse", [&] { reverse_rows<scalar_t>(local, keep, gm); });
    // ∂M_t/∂x_t = w for t > 0 and 1 for t = 0 (M_0 = x_0).
    auto grad_x = gz * gain + gm * w;
    grad_x.select(3, 0).copy_(gz.select(3, 0) * gain.select(3, 0) + gm.select(3, 0));
    const int64_t frames = x.size(3);
    auto grad_w = frames > 1 ? (gm.narrow(3, 1, frames - 1) * (x.narrow(3, 1, frames - 1) - m.narrow(3, 0, frames - 1)))
                                   .sum(over_rows)
                             : torch::zeros({x.size(2)}, x.options());
    const auto like = [&](torch::Tensor t, const torch::Tensor& p) { return t.reshape(p.sizes()).to(p.options()); };
    return {grad_x, like(grad_alpha, saved[2]), like(grad_delta, saved[3]), like(grad_root, saved[4]),
            like(grad_w, saved[5]), torch::Tensor()};
  }
};

void check_inputs(const torch::Tensor& x, const torch::Tensor& alpha, const torch::Tensor& delta,
                  const torch::Tensor& inverse_root, const torch::Tensor& smooth) {
  util::require(x.dim() == 4, "PCEN", "input must be (B, C, F, T), got shape ", x.sizes());
  util::require(x.is_floating_point(), "PCEN", "input must be floating point, got ", x.scalar_type());
  util::require(x.size(3) >= 1, "PCEN", "input must hold at least one frame, got shape ", x.sizes());
  for (const auto* p : {&alpha, &delta, &inverse_root, &smooth}) {
    util::require(p->dim() == 1 && p->size(0) == x.size(2), "PCEN", "parameters must be (F) = (", x.size(2),
                  "), got shape ", p->sizes());
  }
}

}  // namespace

torch::Tensor pcen_autograd(const torch::Tensor& x, const torch::Tensor& alpha, const torch::Tensor& delta,
                            const torch::Tensor& inverse_root, const torch::Tensor& smooth, double floor) {
  check_inputs(x, alpha, delta, inverse_root, smooth);
  const auto per_row = [&](const torch::Tensor& p) { return p.to(x.dtype()).view({1, 1, -1}); };
  const auto w = per_row(smooth);
  std::vector<torch::Tensor> frames;
  auto m = x.select(3, 0);
  frames.push_back(m);
  for (int64_t t = 1; t < x.size(3); ++t) {
    m = w * x.select(3, t) + (1 - w) * m;
    frames.push_back(m);
  }
  const auto smoothed = torch::stack(frames, 3);
  const auto as4 = [&](const torch::Tensor& p) { return p.to(x.dtype()).view({1, 1, -1, 1}); };
  const auto z = x * torch::pow(floor + smoothed, -as4(alpha)) + as4(delta);
  return torch::pow(z, as4(inverse_root)) - torch::pow(as4(delta), as4(inverse_root));
}

torch::Tensor pcen(const torch::Tensor& x, const torch::Tensor& alpha, const torch::Tensor& delta,
                   const torch::Tensor& inverse_root, const torch::Tensor& smooth, double floor) {
  check_inputs(x, alpha, delta, inverse_root, smooth);
  if (!util::detail::fused_cpu_supports(x)) {
    return pcen_autograd(x, alpha, delta, inverse_root, smooth, floor);
  }
  return FusedPcen::apply(x, alpha, delta, inverse_root, smooth, floor);
}

}  // namespace tfgram::frontends
