// The DMEL spectrogram kernel: no stored complex spectra, an analytic λ-gradient.
//
// For one frame f (n_fft samples of the zero-padded, mean-free signal) and window w:
//   X_k = Σ_m w_m f_m e^{−2πikm/n},  S_k = |X_k|²,  optionally M = Fbᵀ S.
// λ: with X'_k the same transform with ∂w/∂σ (σ = |λ|), ∂S_k/∂σ = 2·Re(conj(X_k)·X'_k). When λ
// is trained, forward computes ∂out/∂σ beside out (on CPU X and X' come from one complex FFT per
// frame, gaussian_stft_cpu) and keeps only that output-sized tensor, so
// dL/dλ = sign(λ)·Σ dL/dout ⊙ ∂out/∂σ needs no transform at all. A dense (learnable) filterbank
// recomputes the spectra in backward for its own gradient anyway; there ∂S/∂σ is recomputed beside
// S instead and dL/dλ taken from the same GEMM (fused_filterbank_backward).
// Input: with G = dL/dS (G = Fb·dL/dM when projected), the adjoint of S with respect to a_m = w_m f_m
// is r_m = 2·Re Σ_{k=0}^{n/2} G_k X_k e^{+2πikm/n} (an inverse real FFT with the end bins doubled),
// dL/df_m = w_m r_m, then overlap-add and the mean-removal adjoint. That path recomputes X, so
// nothing but the signal is saved for it either.
//
// On CPU (float32/float64) a fused per-frame loop over FFTW does all of this (gaussian_stft_cpu);
// any other device or dtype takes the portable ATen path below, which runs unchanged on CUDA.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/dsp/windows.h"
#include "tfgram/util/check.h"
#include "force_generic_kernel.h"
#include "gaussian_stft_cpu.h"
#include "tfgram_build_config.h"
#include "util/fused_cpu.h"

namespace tfgram::dsp {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;
using torch::indexing::Slice;

struct Geometry {
  SpectrogramShape shape;
  int64_t hop;
  int64_t offset;  // where the window starts inside n_fft (zero-padded centred)
};

// The window padded to n_fft and, on request, its derivative in λ (σ = |λ|), evaluated in
// float64 and returned in `dtype`.
std::pair<torch::Tensor, torch::Tensor> padded_window(double sigma, const Geometry& g, bool normalize,
                                                      bool with_derivative,
                                                      const torch::TensorOptions& options) {
  const int64_t length = g.shape.window_length;
  const auto values = gaussian_window_values(sigma, length, normalize, with_derivative, options.device());
  const auto pad = [&](const torch::Tensor& t) {
    if (g.shape.n_fft == length) return t.to(options.dtype());
    return torch::constant_pad_nd(t, {g.offset, g.shape.n_fft - length - g.offset}).to(options.dtype());
  };
  return {pad(values.window), with_derivative ? pad(values.derivative) : torch::Tensor()};
}

// (b, N) mean-free signal → (b, T, n_fft) frames: a strided view of the zero-padded signal.
torch::Tensor frames_of(const torch::Tensor& centred, const Geometry& g) {
  const int64_t half = g.shape.n_fft / 2;
  return torch::constant_pad_nd(centred, {half, half}).unfold(1, g.shape.n_fft, g.hop);
}

// Examples per chunk: the windowed frames of a chunk (~1 MiB) and what is computed from them stay
// in the caches from one op to the next, which beats running each op over the whole batch. Ops
// are parallel inside; a parallel loop over chunks made OpenMP and OpenBLAS threads fight.
int64_t chunk_size(int64_t batch, const Geometry& g, const torch::Tensor& x) {
  if (!x.device().is_cpu()) return batch;  // one launch sequence on accelerators
  const int64_t frame_bytes = g.shape.n_frames * g.shape.n_fft * static_cast<int64_t>(x.element_size());
  const int64_t budget = int64_t{1} << 20;
  return std::clamp<int64_t>(budget / std::max<int64_t>(frame_bytes, 1), 1, batch);
}

template <typename Body>
void for_each_chunk(int64_t batch, int64_t chunk, const Body& body) {
  for (int64_t begin = 0; begin < batch; begin += chunk) body(begin, std::min(batch, begin + chunk));
}

// Without FFTW (TFGRAM_WITH_FFTW=OFF) only the ATen path exists.
bool use_fused(const torch::Tensor& x) {
  return TFGRAM_HAVE_FFTW && !detail::ForceGenericKernel::active() && util::detail::fused_cpu_supports(x);
}

detail::FrameLayout layout_of(const Geometry& g) {
  return {g.shape.n_fft, g.shape.n_freqs, g.shape.n_frames, g.hop, g.offset, g.offset + g.shape.window_length};
}

// The portable path: batched ATen ops over chunks of examples. Returns out and, when `dwindow` is
// defined, ∂out/∂σ.
std::pair<torch::Tensor, torch::Tensor> generic_forward(const torch::Tensor& x, const torch::Tensor& window,
                                                        const torch::Tensor& dwindow, const torch::Tensor& fb,
                                                        const Geometry& g) {
  const auto centred = x - x.mean(1, /*keepdim=*/true);
  const int64_t batch = x.size(0);
  const bool derivative = dwindow.defined();
  auto power = torch::empty({batch, g.shape.n_frames, g.shape.n_freqs}, x.options());
  auto d_power = derivative ? torch::empty_like(power) : torch::Tensor();
  for_each_chunk(batch, chunk_size(batch, g, x), [&](int64_t begin, int64_t end) {
    const auto frames = frames_of(centred.slice(0, begin, end), g);  // (b, T, n_fft) view
    const auto parts = torch::view_as_real(torch::fft::rfft(frames * window));
    const auto re = parts.select(-1, 0);
    const auto im = parts.select(-1, 1);
    power.slice(0, begin, end).copy_(re.square() + im.square());
    if (derivative) {
      const auto d_parts = torch::view_as_real(torch::fft::rfft(frames * dwindow));
      d_power.slice(0, begin, end).copy_(2 * (re * d_parts.select(-1, 0) + im * d_parts.select(-1, 1)));
    }
  });
  // One filterbank product over the whole batch: small BLAS calls between OpenMP-parallel ops
  // make OpenBLAS and OpenMP threads spin against each other.
  const auto project = [&](const torch::Tensor& p) {
    return (fb.defined() ? torch::matmul(p, fb) : p).transpose(1, 2).contiguous();
  };
  return {project(power), derivative ? project(d_power) : torch::Tensor()};
}

torch::Tensor generic_input_grad(const torch::Tensor& x, const torch::Tensor& window, const torch::Tensor& fb,
                                 const Geometry& g, const torch::Tensor& grad) {
  const auto centred = x - x.mean(1, /*keepdim=*/true);
  const int64_t batch = x.size(0);
  const int64_t n_fft = g.shape.n_fft;
  // dL/dS for the whole batch in one product, (B, T, K).
  auto g_power_all = grad.transpose(1, 2);
  if (fb.defined()) g_power_all = torch::matmul(g_power_all, fb.t());
  // Endpoint bins appear once in the one-sided sum; irfft counts interior bins twice and divides by n.
  auto bin_weight = torch::ones({g.shape.n_freqs}, x.options());
  bin_weight[0] = 2.0;
  if (n_fft % 2 == 0) bin_weight[-1] = 2.0;
  bin_weight = bin_weight * static_cast<double>(n_fft);
  auto grad_frames = torch::empty({batch, g.shape.n_frames, n_fft}, x.options());
  for_each_chunk(batch, chunk_size(batch, g, x), [&](int64_t begin, int64_t end) {
    const auto spectrum = torch::fft::rfft(frames_of(centred.slice(0, begin, end), g) * window);
    const auto r = torch::fft::irfft(spectrum * (g_power_all.slice(0, begin, end) * bin_weight), n_fft);
    grad_frames.slice(0, begin, end).copy_(r * window);
  });
  // Overlap-add the frame gradients into the padded signal, drop the padding, then apply the
  // adjoint of mean removal.
  const int64_t half = n_fft / 2;
  const auto padded = at::unfold_backward(grad_frames, {batch, x.size(1) + 2 * half}, 1, n_fft, g.hop);
  const auto g_centred = padded.slice(1, half, half + x.size(1));
  return g_centred - g_centred.mean(1, /*keepdim=*/true);
}

// dL/dfilterbank (K, M) for grad (B, M, T): Σ power ⊗ grad over chunks of examples, so the power
// spectrogram of one chunk at a time exists.
torch::Tensor generic_filterbank_grad(const torch::Tensor& x, const torch::Tensor& window, const Geometry& g,
                                      const torch::Tensor& grad) {
  const auto centred = x - x.mean(1, /*keepdim=*/true);
  const int64_t batch = x.size(0);
  auto result = torch::zeros({g.shape.n_freqs, grad.size(1)}, x.options());
  for_each_chunk(batch, chunk_size(batch, g, x), [&](int64_t begin, int64_t end) {
    const auto parts = torch::view_as_real(torch::fft::rfft(frames_of(centred.slice(0, begin, end), g) * window));
    const auto power = (parts.select(-1, 0).square() + parts.select(-1, 1).square()).reshape({-1, g.shape.n_freqs});
    result.addmm_(power.t(), grad.slice(0, begin, end).transpose(1, 2).reshape({-1, grad.size(1)}));
  });
  return result;
}

// A filterbank with few zeros (a learnable SincGram has none) is applied by GEMMs over chunks of
// examples on the fused path: the FFTW loop writes one chunk's power into a chunk-sized buffer and
// BLAS projects it. Only one chunk's power exists at a time and no spectrum is kept for backward;
// the sparse per-frame projection would cost K·M multiply-adds per frame.
bool is_dense(const torch::Tensor& fb) { return fb.numel() > 0 && 2 * fb.ne(0).sum().item<int64_t>() > fb.numel(); }

// Examples per chunk of `columns` values per frame.
int64_t dense_chunk(int64_t batch, const Geometry& g, const torch::Tensor& x, int64_t columns) {
  const int64_t bytes = g.shape.n_frames * columns * static_cast<int64_t>(x.element_size());
  return std::clamp<int64_t>((int64_t{8} << 20) / std::max<int64_t>(bytes, 1), 1, batch);
}

// out = P·Fb, then with log_offset >= 0 log(out + c) in place and, when `reciprocal` is asked for,
// 1/(out + c) beside it (what every gradient through the log needs). λ's derivative is not
// computed here: the backward recomputes P and ∂P/∂σ in one pass and gets the filterbank and λ
// gradients from one GEMM (fused_filterbank_backward), so forward needs one real FFT and one GEMM.
std::pair<torch::Tensor, torch::Tensor> dense_fused_forward(const torch::Tensor& x, const torch::Tensor& window,
                                                            const torch::Tensor& fb, const Geometry& g,
                                                            double log_offset, bool reciprocal) {
  const int64_t batch = x.size(0), frames = g.shape.n_frames, rows = fb.size(1);
  // (B, T, M) memory returned as a (B, M, T) view: the GEMMs write it in place, and the stages
  // after a filterbank (PCEN, TF-DE, normalisation) are written for this frame-major layout.
  auto out = torch::empty({batch, frames, rows}, x.options());
  auto inverse = log_offset >= 0 && reciprocal ? torch::empty_like(out) : torch::Tensor();
  const int64_t chunk = dense_chunk(batch, g, x, g.shape.n_freqs);
  auto power = torch::empty({chunk * frames, g.shape.n_freqs}, x.options());
  torch::Tensor none;
  for_each_chunk(batch, chunk, [&](int64_t begin, int64_t end) {
    auto p = power.narrow(0, 0, (end - begin) * frames);
    detail::fused_cpu_power(x, window, torch::Tensor(), layout_of(g), begin, end, p, none);
    auto o = out.slice(0, begin, end).view({-1, rows});
    torch::mm_out(o, p, fb);
    if (log_offset >= 0) {
      auto r = inverse.defined() ? inverse.slice(0, begin, end).view({-1, rows}) : torch::Tensor();
      detail::fused_cpu_log(o, r, log_offset);
    }
  });
  return {out.transpose(1, 2), inverse.defined() ? inverse.transpose(1, 2) : torch::Tensor()};
}

// For G = grad ⊙ scale (scale undefined: 1), the gradient with respect to P·Fb, (B, M, T):
// dL/dFb = Pᵀ·G and, with `dwindow`, dL/dσ = Σ Fb ⊙ (∂P/∂σ)ᵀ·G (as Σ G ⊙ (∂P/∂σ)·Fb). Each chunk's
// P and ∂P/∂σ are recomputed side by side as one (rows, 2K) matrix, so both gradients come from one
// GEMM and no output-sized ∂out/∂σ is ever stored; the chunk's G is formed in frame-major order
// beside them. Returns (dL/dFb, dL/dσ as a 0-d float64 tensor, undefined without `dwindow`).
std::pair<torch::Tensor, torch::Tensor> fused_filterbank_backward(const torch::Tensor& x,
                                                                  const torch::Tensor& window,
                                                                  const torch::Tensor& dwindow,
                                                                  const torch::Tensor& fb, const Geometry& g,
                                                                  const torch::Tensor& grad,
                                                                  const torch::Tensor& scale) {
  const int64_t batch = x.size(0), frames = g.shape.n_frames, rows = grad.size(1), bins = g.shape.n_freqs;
  const bool derivative = dwindow.defined();
  const int64_t columns = derivative ? 2 * bins : bins;
  // Gᵀ·[P ∂P/∂σ], (M, columns): with the chunk's G as the transposed operand OpenBLAS ran this
  // at 10 ms in 3.5 instead of 5.7 ms ([P ∂P/∂σ]ᵀ·G; at 300 ms both took the same).
  auto result = torch::zeros({rows, columns}, x.options());
  const int64_t chunk = dense_chunk(batch, g, x, columns + rows);
  auto both = torch::empty({chunk * frames, columns}, x.options());
  auto g_chunk = torch::empty({chunk, frames, rows}, x.options());
  for_each_chunk(batch, chunk, [&](int64_t begin, int64_t end) {
    auto pd = both.narrow(0, 0, (end - begin) * frames);
    auto p = pd.narrow(1, 0, bins);
    auto dp = derivative ? pd.narrow(1, bins, bins) : torch::Tensor();
    detail::fused_cpu_power(x, window, dwindow, layout_of(g), begin, end, p, dp);
    auto gc = g_chunk.narrow(0, 0, end - begin);
    auto gc_view = gc.transpose(1, 2);
    detail::fused_cpu_frame_major(grad.slice(0, begin, end), scale.defined() ? scale.slice(0, begin, end) : scale,
                                  gc_view);
    result.addmm_(gc.view({-1, rows}).t(), pd);
  });
  const auto grad_fb = result.narrow(1, 0, bins).t();
  torch::Tensor grad_sigma;
  if (derivative) {
    grad_sigma = (fb.to(torch::kFloat64) * result.narrow(1, bins, bins).t().to(torch::kFloat64)).sum();
  }
  return {grad_fb, grad_sigma};
}

Geometry geometry_of(const torch::Tensor& x, double sigma, WindowMode mode, int64_t hop) {
  Geometry g{gaussian_spectrogram_shape(x.size(1), sigma, mode, hop), hop, 0};
  g.offset = (g.shape.n_fft - g.shape.window_length) / 2;
  return g;
}

struct GaussianSpectrogramKernel : torch::autograd::Function<GaussianSpectrogramKernel> {
  // x (B, N); lambd 0-d; filterbank (K, M) or empty (autograd inputs must be defined tensors).
  // `lambd_grad`: λ will need a gradient, so ∂out/∂σ is computed now (except for a dense filterbank,
  // whose backward recomputes it); `input_grad`: x will; `filterbank_grad`: the filterbank will (a
  // learnable one, e.g. SincGram's). `log_offset` >= 0: the result is log(out + log_offset), taken
  // in place. Returns (B, M or K, T).
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& lambd,
                               const torch::Tensor& filterbank, int64_t mode, int64_t hop,
                               bool normalize, bool lambd_grad, bool input_grad, bool filterbank_grad,
                               double log_offset) {
    const double sigma = std::abs(lambd.item<double>());
    const auto g = geometry_of(x, sigma, static_cast<WindowMode>(mode), hop);
    const bool dense = use_fused(x) && is_dense(filterbank);
    const auto [window, dwindow] = padded_window(sigma, g, normalize, lambd_grad && !dense, x.options());
    const auto fb = filterbank.to(x.dtype());  // (K, M), or empty: no projection
    const bool log = log_offset >= 0;
    const bool any_grad = lambd_grad || input_grad || filterbank_grad;
    torch::Tensor out;
    torch::Tensor d_out;
    // What the gradients through the log need: 1/(out + c) itself on the dense path, else the
    // result, whose exp(−result) it is.
    torch::Tensor log_scale;
    if (dense) {
      std::tie(out, log_scale) = dense_fused_forward(x, window, fb, g, log_offset, any_grad);
    } else if (use_fused(x)) {
      // The log, when asked for, is taken tile by tile inside.
      detail::fused_cpu_forward(x, window, dwindow, fb, layout_of(g), log_offset, out, d_out);
    } else {
      std::tie(out, d_out) = generic_forward(x, window, dwindow, fb.numel() > 0 ? fb : torch::Tensor(), g);
      if (log) {
        // In place: the log costs no extra (B, R, T) tensors. ∂log(out + c)/∂σ = (∂out/∂σ)/(out + c).
        out.add_(log_offset);
        if (d_out.defined()) d_out.div_(out);
        out.log_();
      }
    }
    if (!dense && log && (input_grad || filterbank_grad)) log_scale = out;
    const auto none = torch::empty({0}, x.options());
    ctx->save_for_backward({x, lambd, filterbank, lambd_grad && !dense ? d_out : none,
                            log_scale.defined() ? log_scale : none});
    ctx->saved_data["log"] = log;
    ctx->saved_data["dense"] = dense;
    ctx->saved_data["mode"] = mode;
    ctx->saved_data["hop"] = hop;
    ctx->saved_data["normalize"] = normalize;
    return out;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& lambd = saved[1];
    const auto& filterbank = saved[2];
    const auto& d_out = saved[3];
    const auto& log_scale = saved[4];
    const auto mode = static_cast<WindowMode>(ctx->saved_data["mode"].toInt());
    const int64_t hop = ctx->saved_data["hop"].toInt();
    const bool normalize = ctx->saved_data["normalize"].toBool();
    const bool log = ctx->saved_data["log"].toBool();
    const auto& grad = grad_outputs[0];  // (B, M or K, T)
    const double sigma = std::abs(lambd.item<double>());
    const double sign = lambd.item<double>() < 0 ? -1.0 : 1.0;  // the layer uses |λ|
    const auto g = geometry_of(x, sigma, mode, hop);
    const bool want_lambd = ctx->needs_input_grad(1);
    const bool want_fb = ctx->needs_input_grad(2) && filterbank.numel() > 0;
    torch::Tensor grad_x;
    torch::Tensor grad_lambd;
    torch::Tensor grad_fb;
    const torch::Tensor none;

    if (ctx->saved_data["dense"].toBool()) {
      // dL/d(P·Fb) = grad / (out + c) through the log: formed chunk by chunk inside
      // fused_filterbank_backward, or once here when the input's gradient needs all of it as well.
      const auto scale = log ? log_scale : torch::Tensor();
      const auto [window, dwindow] = padded_window(sigma, g, normalize, want_lambd, x.options());
      const auto fb = filterbank.to(x.dtype());
      torch::Tensor grad_out;
      if (ctx->needs_input_grad(0)) {
        grad_out = torch::empty({grad.size(0), grad.size(2), grad.size(1)}, x.options()).transpose(1, 2);
        detail::fused_cpu_frame_major(grad, scale, grad_out);
        grad_x = detail::fused_cpu_input_grad(x, window, fb, layout_of(g), grad_out);
      }
      if (want_lambd || want_fb) {
        const auto [fb_part, sigma_part] =
            grad_out.defined() ? fused_filterbank_backward(x, window, dwindow, fb, g, grad_out, none)
                               : fused_filterbank_backward(x, window, dwindow, fb, g, grad, scale);
        if (want_fb) grad_fb = fb_part.to(filterbank.dtype());
        if (want_lambd) grad_lambd = torch::full(lambd.sizes(), sigma_part.item<double>() * sign, lambd.options());
      }
      return {grad_x, grad_lambd, grad_fb, none, none, none, none, none, none, none};
    }

    if (want_lambd) {
      if (d_out.numel() == 0) {
        throw std::logic_error("gaussian spectrogram: a gradient for lambd was requested, but lambd did not "
                               "require grad when the forward pass ran");
      }
      if (d_out.dim() == 4) {
        // The fused loop's tiles, whichever path this backward takes: one float64-accumulated pass
        // instead of a (B, R, T) product and its sum.
        grad_lambd = torch::full(lambd.sizes(), detail::fused_cpu_tile_dot(grad, d_out) * sign, lambd.options());
      } else {
        grad_lambd = ((grad * d_out).sum() * sign).to(lambd.dtype()).reshape(lambd.sizes());
      }
    }
    if (ctx->needs_input_grad(0) || want_fb) {
      const auto window = padded_window(sigma, g, normalize, false, x.options()).first;
      const auto grad_out = log ? grad * torch::exp(-log_scale) : grad;
      if (ctx->needs_input_grad(0)) {
        const auto fb = filterbank.to(x.dtype());  // (K, M), or empty: no projection
        grad_x = use_fused(x) ? detail::fused_cpu_input_grad(x, window, fb, layout_of(g), grad_out)
                              : generic_input_grad(x, window, fb.numel() > 0 ? fb : torch::Tensor(), g, grad_out);
      }
      if (want_fb) {
        // A sparse filterbank that trains: the same recompute and GEMM, without λ's part.
        grad_fb = (use_fused(x) ? fused_filterbank_backward(x, window, none, filterbank, g, grad_out, none).first
                                : generic_filterbank_grad(x, window, g, grad_out))
                      .to(filterbank.dtype());
      }
    }
    return {grad_x, grad_lambd, grad_fb, none, none, none, none, none, none, none};
  }
};

torch::Tensor run_kernel(const torch::Tensor& x, const torch::Tensor& lambd, const torch::Tensor& filterbank,
                         WindowMode mode, int64_t hop_length, bool normalize_window,
                         std::optional<double> log_offset) {
  constexpr const char* where = "gaussian spectrogram";
  util::require(x.dim() == 1 || x.dim() == 2, where, "input must be (N) or (B, N) samples, got rank ",
                x.dim());
  util::require(x.is_floating_point(), where, "input must be a floating-point tensor, got ",
                x.scalar_type());
  util::require(lambd.numel() == 1, where, "lambd must hold one value, got ", lambd.numel());
  // Validates λ, hop and N with messages naming them before any work is done.
  const auto shape = gaussian_spectrogram_shape(x.size(-1), lambd.detach().item<double>(), mode, hop_length);
  if (filterbank.numel() > 0) {
    util::require(filterbank.dim() == 2 && filterbank.size(0) == shape.n_freqs, where,
                  "filterbank must be (K, M) with K = ", shape.n_freqs, " bins, got shape ",
                  filterbank.sizes());
  }
  const bool single = x.dim() == 1;
  const auto batch = single ? x.unsqueeze(0) : x;
  // ∂out/∂σ costs a second transform per frame: only when a backward pass will ask for it.
  const bool lambd_grad = torch::GradMode::is_enabled() && lambd.requires_grad();
  const bool input_grad = torch::GradMode::is_enabled() && x.requires_grad();
  const bool filterbank_grad = torch::GradMode::is_enabled() && filterbank.requires_grad();
  if (log_offset) {
    util::require(std::isfinite(*log_offset) && *log_offset >= 0, where,
                  "log_offset must be a finite number >= 0, got ", *log_offset);
  }
  auto out = GaussianSpectrogramKernel::apply(batch.contiguous(), lambd, filterbank,
                                              static_cast<int64_t>(mode), hop_length, normalize_window,
                                              lambd_grad, input_grad, filterbank_grad, log_offset.value_or(-1.0));
  return single ? out.squeeze(0) : out;
}

}  // namespace

namespace detail {
#if !TFGRAM_HAVE_FFTW
// Built without FFTW: use_fused() is false, so the fused loop is never called.
void fused_cpu_forward(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&, const torch::Tensor&,
                       const FrameLayout&, double, torch::Tensor&, torch::Tensor&) {
  TORCH_CHECK(false, "tfgram was built without FFTW (TFGRAM_WITH_FFTW=OFF): no fused CPU kernel");
}
double fused_cpu_tile_dot(const torch::Tensor&, const torch::Tensor&) {
  TORCH_CHECK(false, "tfgram was built without FFTW (TFGRAM_WITH_FFTW=OFF): no fused CPU kernel");
}
torch::Tensor fused_cpu_input_grad(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&,
                                   const FrameLayout&, const torch::Tensor&) {
  TORCH_CHECK(false, "tfgram was built without FFTW (TFGRAM_WITH_FFTW=OFF): no fused CPU kernel");
}
void fused_cpu_power(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&, const FrameLayout&, int64_t,
                     int64_t, torch::Tensor&, torch::Tensor&) {
  TORCH_CHECK(false, "tfgram was built without FFTW (TFGRAM_WITH_FFTW=OFF): no fused CPU kernel");
}
void fused_cpu_log(torch::Tensor&, torch::Tensor&, double) {
  TORCH_CHECK(false, "tfgram was built without FFTW (TFGRAM_WITH_FFTW=OFF): no fused CPU kernel");
}
void fused_cpu_frame_major(const torch::Tensor&, const torch::Tensor&, torch::Tensor&) {
  TORCH_CHECK(false, "tfgram was built without FFTW (TFGRAM_WITH_FFTW=OFF): no fused CPU kernel");
}
#endif
}  // namespace detail

torch::Tensor gaussian_power_spectrogram(const torch::Tensor& x, const torch::Tensor& lambd,
                                         WindowMode mode, int64_t hop_length, bool normalize_window) {
  return run_kernel(x, lambd, torch::empty({0}, x.options()), mode, hop_length, normalize_window, std::nullopt);
}

torch::Tensor gaussian_filterbank_spectrogram(const torch::Tensor& x, const torch::Tensor& lambd,
                                              const torch::Tensor& filterbank, WindowMode mode,
                                              int64_t hop_length, bool normalize_window,
                                              std::optional<double> log_offset) {
  util::require(filterbank.defined() && filterbank.numel() > 0, "gaussian spectrogram",
                "a (K, M) filterbank is required");
  return run_kernel(x, lambd, filterbank, mode, hop_length, normalize_window, log_offset);
}

}  // namespace tfgram::dsp
