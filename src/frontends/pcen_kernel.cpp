// The PCEN recursion: one fused pass over time per (b, c, f) row on the CPU, with its analytic
// backward, and the portable ATen loop.
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

// Per-row parameters as doubles: the recursion runs in double for float32 inputs too.
struct RowParameters {
  std::vector<double> alpha, delta, inverse_root, smooth;
  explicit RowParameters(const torch::Tensor& a, const torch::Tensor& d, const torch::Tensor& r, const torch::Tensor& w)
      : alpha(values(a)), delta(values(d)), inverse_root(values(r)), smooth(values(w)) {}
  static std::vector<double> values(const torch::Tensor& t) {
    const auto c = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
  }
};

template <typename Real>
void forward_rows(const torch::Tensor& x, const RowParameters& p, double floor, torch::Tensor& y) {
  const int64_t rows = x.size(2), frames = x.size(3);
  const int64_t count = x.numel() / std::max<int64_t>(frames, 1);
  const Real* in = x.data_ptr<Real>();
  Real* out = y.data_ptr<Real>();
  at::parallel_for(0, count, 16, [&](int64_t first, int64_t last) {
    for (int64_t row = first; row < last; ++row) {
      const int64_t f = row % rows;
      const double a = p.alpha[f], d = p.delta[f], rho = p.inverse_root[f], w = p.smooth[f];
      const double offset = std::pow(d, rho);
      const Real* xs = in + row * frames;
      Real* ys = out + row * frames;
      double m = frames > 0 ? static_cast<double>(xs[0]) : 0.0;
      for (int64_t t = 0; t < frames; ++t) {
        const double xt = xs[t];
        if (t > 0) m = w * xt + (1.0 - w) * m;
        const double z = xt * std::pow(floor + m, -a) + d;
        ys[t] = static_cast<Real>(std::pow(z, rho) - offset);
      }
    }
  });
}

// Gradients of one row, by the reverse-time recursion of the smoother: ∂M_{t+1}/∂M_t = 1 − w,
// ∂M_t/∂x_t = w (t > 0), M_0 = x_0. Per-row parameter sums go to `sums` (a, δ, ρ, w).
template <typename Real>
void backward_rows(const torch::Tensor& x, const torch::Tensor& grad, const RowParameters& p, double floor,
                   torch::Tensor& grad_x, std::vector<double>& sums) {
  const int64_t rows = x.size(2), frames = x.size(3);
  const int64_t count = x.numel() / std::max<int64_t>(frames, 1);
  const Real* in = x.data_ptr<Real>();
  const Real* g = grad.data_ptr<Real>();
  Real* gx = grad_x.data_ptr<Real>();
  sums.assign(static_cast<size_t>(count) * 4, 0.0);
  at::parallel_for(0, count, 16, [&](int64_t first, int64_t last) {
    std::vector<double> smoothed(static_cast<size_t>(frames));
    for (int64_t row = first; row < last; ++row) {
      const int64_t f = row % rows;
      const double a = p.alpha[f], d = p.delta[f], rho = p.inverse_root[f], w = p.smooth[f];
      const double d_rho = std::pow(d, rho);
      const double d_rho_1 = std::pow(d, rho - 1.0);
      const double log_d = std::log(d);
      const Real* xs = in + row * frames;
      const Real* gs = g + row * frames;
      Real* gxs = gx + row * frames;
      double m = frames > 0 ? static_cast<double>(xs[0]) : 0.0;
      for (int64_t t = 0; t < frames; ++t) {
        if (t > 0) m = w * static_cast<double>(xs[t]) + (1.0 - w) * m;
        smoothed[static_cast<size_t>(t)] = m;
      }
      double ga = 0, gd = 0, gr = 0, gw = 0, carry = 0;
      for (int64_t t = frames - 1; t >= 0; --t) {
        const double xt = xs[t], gt = gs[t];
        const double e = floor + smoothed[static_cast<size_t>(t)];
        const double gain = std::pow(e, -a);
        const double z = xt * gain + d;
        const double z_rho = std::pow(z, rho);
        const double dy_dz = rho * z_rho / z;
        const double gz = gt * dy_dz;
        ga -= gz * xt * gain * std::log(e);
        gd += gt * (dy_dz - rho * d_rho_1);
        gr += gt * (z_rho * std::log(z) - d_rho * log_d);
        const double gm = -gz * xt * a * gain / e + carry;  // ∂L/∂M_t, everything after t included
        if (t > 0) {
          gxs[t] = static_cast<Real>(gz * gain + gm * w);
          gw += gm * (xt - smoothed[static_cast<size_t>(t - 1)]);
          carry = gm * (1.0 - w);
        } else {
          gxs[t] = static_cast<Real>(gz * gain + gm);
        }
      }
      double* s = &sums[static_cast<size_t>(row) * 4];
      s[0] = ga;
      s[1] = gd;
      s[2] = gr;
      s[3] = gw;
    }
  });
}

// Sums the per-row parameter gradients over batch and channels: (rows·B·C, 4) → four (F) tensors.
tensor_list parameter_gradients(const std::vector<double>& sums, int64_t rows, const torch::Tensor& like) {
  const auto all = torch::from_blob(const_cast<double*>(sums.data()), {static_cast<int64_t>(sums.size() / 4), 4},
                                    torch::kFloat64);
  const auto per_row = all.view({-1, rows, 4}).sum(0);  // (F, 4)
  tensor_list out;
  for (int64_t k = 0; k < 4; ++k) out.push_back(per_row.select(1, k).to(like.options()));
  return out;
}

struct FusedPcen : torch::autograd::Function<FusedPcen> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in, const torch::Tensor& alpha,
                               const torch::Tensor& delta, const torch::Tensor& inverse_root, const torch::Tensor& smooth,
                               double floor) {
    const auto x = x_in.contiguous();
    auto y = torch::empty_like(x);
    const RowParameters p(alpha, delta, inverse_root, smooth);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "pcen_forward", [&] { forward_rows<scalar_t>(x, p, floor, y); });
    ctx->save_for_backward({x, alpha, delta, inverse_root, smooth});
    ctx->saved_data["floor"] = floor;
    return y;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const double floor = ctx->saved_data["floor"].toDouble();
    const auto grad = grad_outputs[0].contiguous();
    auto grad_x = torch::empty_like(x);
    const RowParameters p(saved[1], saved[2], saved[3], saved[4]);
    std::vector<double> sums;
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "pcen_backward",
                               [&] { backward_rows<scalar_t>(x, grad, p, floor, grad_x, sums); });
    auto params = parameter_gradients(sums, x.size(2), saved[1]);
    return {grad_x, params[0], params[1], params[2], params[3], torch::Tensor()};
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
