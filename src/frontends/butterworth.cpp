#include "butterworth.h"

#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "dsp/force_generic_kernel.h"
#include "util/cpu_clones.h"
#include "util/fused_cpu.h"

namespace tfgram::frontends::detail {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// The algebra, with p = y^(2n) and W = (1 + p)^(-1/2):
//   ∂W/∂y = −n·y^(2n−1)·W³ = −n·W·r/y   with r = p/(1 + p) ∈ [0, 1]
//   ∂W/∂c = n·W·(r/y)/d,  ∂W/∂d = n·W·r/d   (y = (x − c)/d)
// r and r/y are formed so that nothing overflows: for |y| ≤ 1, y^(2n−1) ≤ 1 and r/y = y^(2n−1)/(1 + p);
// for |y| > 1, r = 1/(1 + 1/p) and r/y follows, both → 0 or 1/y when p overflows to inf, where W = 0.

// One row k of the matrix at a time, into buffers the length of a row, so that every loop over the
// filters is a plain elementwise loop the compiler vectorises (for each x86-64 level, see
// util/cpu_clones.h): y^(2n) by repeated squaring (exact integer powers, no log/exp), and both forms
// of r and r/y computed and one selected (the other may be inf or NaN, never used).
TFGRAM_CPU_CLONES void evaluate_row(double x, int64_t n, bool derivatives, size_t filters, const double* c,
                                    const double* inv_d, double* y, double* p, double* w, double* r,
                                    double* r_over_y) {
  double* base = r;  // r is free until the end: it holds y², y⁴, ... meanwhile
  for (size_t f = 0; f < filters; ++f) {
    y[f] = (x - c[f]) * inv_d[f];
    base[f] = y[f] * y[f];
    p[f] = 1.0;
  }
  for (int64_t e = n; e > 0; e >>= 1) {
    if (e & 1) {
      for (size_t f = 0; f < filters; ++f) p[f] *= base[f];
    }
    if (e > 1) {
      for (size_t f = 0; f < filters; ++f) base[f] *= base[f];
    }
  }
  if (!derivatives) {
    for (size_t f = 0; f < filters; ++f) w[f] = std::sqrt(1.0 / (1.0 + p[f]));
    return;
  }
  for (size_t f = 0; f < filters; ++f) {
    const double q = 1.0 / (1.0 + p[f]);
    const double r_small = p[f] * q, r_large = 1.0 / (1.0 + 1.0 / p[f]);
    const double ry_small = p[f] / y[f] * q, ry_large = r_large / y[f];
    const bool small = std::abs(y[f]) <= 1.0;
    w[f] = std::sqrt(q);
    r[f] = small ? r_small : r_large;
    r_over_y[f] = y[f] == 0.0 ? 0.0 : (small ? ry_small : ry_large);
  }
}

struct Row {
  std::vector<double> c, inv_d;              // per filter
  std::vector<double> y, p, w, r, r_over_y;  // per filter, for the current row

  Row(const torch::Tensor& centres, const torch::Tensor& denominators)
      : c(centres.size(1)), inv_d(c.size()), y(c.size()), p(c.size()), w(c.size()), r(c.size()), r_over_y(c.size()) {
    const auto cd = centres.to(torch::kFloat64).contiguous(), dd = denominators.to(torch::kFloat64).contiguous();
    for (size_t f = 0; f < c.size(); ++f) {
      c[f] = cd.data_ptr<double>()[f];
      inv_d[f] = 1.0 / dd.data_ptr<double>()[f];
    }
  }

  void evaluate(double x, int64_t n, bool derivatives) {
    evaluate_row(x, n, derivatives, c.size(), c.data(), inv_d.data(), y.data(), p.data(), w.data(), r.data(),
                 r_over_y.data());
  }
};

template <typename Real>
void forward_cpu(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& d, int64_t n,
                 torch::Tensor& out) {
  const int64_t bins = x.size(0), filters = c.size(1);
  Row row(c, d);
  const Real* xp = x.data_ptr<Real>();
  Real* op = out.data_ptr<Real>();
  for (int64_t k = 0; k < bins; ++k) {
    row.evaluate(xp[k], n, /*derivatives=*/false);
    for (int64_t f = 0; f < filters; ++f) op[k * filters + f] = static_cast<Real>(row.w[f]);
  }
}

template <typename Real>
void backward_cpu(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& d, int64_t n,
                  const torch::Tensor& g, torch::Tensor& grad_c, torch::Tensor& grad_d) {
  const int64_t bins = x.size(0), filters = c.size(1);
  Row row(c, d);
  const Real* xp = x.data_ptr<Real>();
  const util::detail::Strided2<Real> gs(g);
  std::vector<double> sum_c(filters, 0.0), sum_d(filters, 0.0);
  for (int64_t k = 0; k < bins; ++k) {
    row.evaluate(xp[k], n, /*derivatives=*/true);
    for (int64_t f = 0; f < filters; ++f) {
      const double gw = static_cast<double>(gs(k, f)) * row.w[f];
      sum_c[f] += gw * row.r_over_y[f];
      sum_d[f] += gw * row.r[f];
    }
  }
  Real* gc = grad_c.data_ptr<Real>();
  Real* gd = grad_d.data_ptr<Real>();
  for (int64_t f = 0; f < filters; ++f) {
    gc[f] = static_cast<Real>(static_cast<double>(n) * sum_c[f] * row.inv_d[f]);
    gd[f] = static_cast<Real>(static_cast<double>(n) * sum_d[f] * row.inv_d[f]);
  }
}

bool fused(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& d) {
  return !dsp::detail::ForceGenericKernel::active() && util::detail::fused_cpu_supports(x) &&
         c.device() == x.device() && d.device() == x.device() && c.scalar_type() == x.scalar_type() &&
         d.scalar_type() == x.scalar_type() && x.is_contiguous() && c.is_contiguous() && d.is_contiguous();
}

// The same algebra in ATen ops, for any device. Both branches of each `where` are evaluated; the
// one not taken may hold inf or NaN, which `where` discards.
struct Generic {
  torch::Tensor w, r, r_over_y;
};

Generic generic(const torch::Tensor& y, int64_t n) {
  const auto p = torch::pow(y * y, n);
  const auto small = y.abs() <= 1.0;
  const auto q = 1.0 / (1.0 + p);
  const auto r = torch::where(small, p * q, 1.0 / (1.0 + 1.0 / p));
  const auto r_over_y = torch::where(small, torch::where(y == 0, torch::zeros_like(y), p / y * q), r / y);
  return {torch::rsqrt(1.0 + p), r, r_over_y};
}

struct ButterworthResponse : torch::autograd::Function<ButterworthResponse> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& c,
                               const torch::Tensor& d, int64_t order) {
    ctx->save_for_backward({x, c, d});
    ctx->saved_data["order"] = order;
    if (fused(x, c, d)) {
      auto out = torch::empty({x.size(0), c.size(1)}, x.options());
      if (x.scalar_type() == torch::kFloat64) {
        forward_cpu<double>(x, c, d, order, out);
      } else {
        forward_cpu<float>(x, c, d, order, out);
      }
      return out;
    }
    return torch::rsqrt(1.0 + torch::pow(((x - c) / d).square(), order));
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto &x = saved[0], &c = saved[1], &d = saved[2];
    const auto n = ctx->saved_data["order"].toInt();
    const auto& g = grad_outputs[0];
    if (fused(x, c, d) && g.device() == x.device() && g.scalar_type() == x.scalar_type()) {
      auto grad_c = torch::empty_like(c), grad_d = torch::empty_like(d);
      if (x.scalar_type() == torch::kFloat64) {
        backward_cpu<double>(x, c, d, n, g, grad_c, grad_d);
      } else {
        backward_cpu<float>(x, c, d, n, g, grad_c, grad_d);
      }
      return {torch::Tensor(), grad_c, grad_d, torch::Tensor()};
    }
    const auto parts = generic((x - c) / d, n);
    const auto gw = g * parts.w * static_cast<double>(n) / d;
    return {torch::Tensor(), (gw * parts.r_over_y).sum(0, /*keepdim=*/true), (gw * parts.r).sum(0, /*keepdim=*/true),
            torch::Tensor()};
  }
};

}  // namespace

torch::Tensor butterworth_response(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& d,
                                   int64_t order) {
  return ButterworthResponse::apply(x, c, d, order);
}

}  // namespace tfgram::frontends::detail
