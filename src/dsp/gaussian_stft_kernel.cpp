// The DMEL spectrogram kernel: forward without stored complex spectra, analytic backward.
//
// For one frame f (n_fft samples of the zero-padded, mean-free signal) and window w:
//   X_k = Σ_m w_m f_m e^{−2πikm/n},  S_k = |X_k|²,  optionally M = Fbᵀ S.
// With G = dL/dS (G = Fb·dL/dM when projected), the adjoint of S with respect to a_m = w_m f_m is
//   r_m = 2·Re Σ_{k=0}^{n/2} G_k X_k e^{+2πikm/n} = n·irfft(Y),  Y_k = G_k X_k, doubled at k = 0, n/2,
// so that dL/dw_m = Σ_frames f_m r_m (→ dL/dλ through ∂w/∂λ = w·(m − L/2)²/λ³) and
// dL/df_m = w_m r_m (→ dL/dx by overlap-add and the mean-removal adjoint).
// Backward therefore needs one rfft (to recompute X) and one irfft per frame, nothing saved but
// the signal itself. Work proceeds in chunks of examples to bound the temporaries.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/dsp/windows.h"
#include "tfgram/util/check.h"

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

// The window padded to n_fft and, on request, its derivative in λ (σ = |λ|), both evaluated in
// float64 — the derivative multiplies an underflowing exp by a huge (m − L/2)²/σ³ for tiny λ —
// and returned in `dtype`.
std::pair<torch::Tensor, torch::Tensor> padded_window(double sigma, const Geometry& g, bool normalize,
                                                      bool with_derivative,
                                                      const torch::TensorOptions& options) {
  const auto f64 = options.dtype(torch::kFloat64);
  const int64_t length = g.shape.window_length;
  const auto m = torch::arange(length, f64) - static_cast<double>(length) / 2.0;
  const double s = sigma + 1e-15;
  const auto u = m / s;
  auto w = torch::exp(-0.5 * u * u);
  torch::Tensor dw;
  if (with_derivative) dw = w * u * u / s;  // ∂w/∂σ = w·(m − L/2)²/σ³
  if (normalize) {
    const auto norm = torch::sqrt((w * w).sum());
    if (with_derivative) dw = dw / norm - w * (w * dw).sum() / (norm * norm * norm);
    w = w / norm;
  }
  const auto pad = [&](const torch::Tensor& t) {
    if (g.shape.n_fft == length) return t.to(options.dtype());
    return torch::constant_pad_nd(t, {g.offset, g.shape.n_fft - length - g.offset}).to(options.dtype());
  };
  return {pad(w), with_derivative ? pad(dw) : torch::Tensor()};
}

// |X|² of a complex spectrum as re² + im²: a reduction over view_as_real's last axis of size 2
// is several times slower in ATen.
torch::Tensor power_of(const torch::Tensor& spectrum) {
  const auto parts = torch::view_as_real(spectrum);
  return parts.select(-1, 0).square() + parts.select(-1, 1).square();
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

struct GaussianSpectrogramKernel : torch::autograd::Function<GaussianSpectrogramKernel> {
  // x (B, N); lambd 0-d; filterbank (K, M) or empty (autograd inputs must be defined tensors).
  // Returns (B, M or K, T).
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& lambd,
                               const torch::Tensor& filterbank, int64_t mode, int64_t hop,
                               bool normalize) {
    const double sigma = std::abs(lambd.item<double>());
    Geometry g{gaussian_spectrogram_shape(x.size(1), sigma, static_cast<WindowMode>(mode), hop), hop, 0};
    g.offset = (g.shape.n_fft - g.shape.window_length) / 2;
    const auto window = padded_window(sigma, g, normalize, false, x.options()).first;
    const auto centred = x - x.mean(1, /*keepdim=*/true);
    const int64_t batch = x.size(0);
    const auto fb = filterbank.numel() > 0 ? filterbank.to(x.dtype()) : torch::Tensor();
    // The chunks only do FFT work; the filterbank product runs once over the whole batch, because
    // many small BLAS calls between OpenMP-parallel ops make OpenBLAS and OpenMP threads spin
    // against each other (2-3x slower on 2 cores).
    auto power = torch::empty({batch, g.shape.n_frames, g.shape.n_freqs}, x.options());
    for_each_chunk(batch, chunk_size(batch, g, x), [&](int64_t begin, int64_t end) {
      const auto frames = frames_of(centred.slice(0, begin, end), g) * window;  // (b, T, n_fft)
      power.slice(0, begin, end).copy_(power_of(torch::fft::rfft(frames)));     // (b, T, K)
    });
    const auto out = (fb.defined() ? torch::matmul(power, fb) : power).transpose(1, 2).contiguous();
    ctx->save_for_backward({x, lambd, filterbank});
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
    const auto mode = static_cast<WindowMode>(ctx->saved_data["mode"].toInt());
    const int64_t hop = ctx->saved_data["hop"].toInt();
    const bool normalize = ctx->saved_data["normalize"].toBool();
    const bool want_x = ctx->needs_input_grad(0);
    const bool want_lambd = ctx->needs_input_grad(1);

    const double value = lambd.item<double>();
    const double sigma = std::abs(value);
    Geometry g{gaussian_spectrogram_shape(x.size(1), sigma, mode, hop), hop, 0};
    g.offset = (g.shape.n_fft - g.shape.window_length) / 2;
    const auto [window, dwindow] = padded_window(sigma, g, normalize, want_lambd, x.options());
    const auto centred = x - x.mean(1, /*keepdim=*/true);
    const auto grad = grad_outputs[0];  // (B, M or K, T)
    const auto fb = filterbank.numel() > 0 ? filterbank.to(x.dtype()) : torch::Tensor();
    const int64_t batch = x.size(0);
    // dL/dS for the whole batch in one product (see forward), (B, T, K).
    auto g_power_all = grad.transpose(1, 2);
    if (fb.defined()) g_power_all = torch::matmul(g_power_all, fb.t());
    const int64_t n_fft = g.shape.n_fft;
    const int64_t chunk = chunk_size(batch, g, x);
    const int64_t chunks = (batch + chunk - 1) / chunk;

    // Endpoint bins k = 0 and n/2 appear once in the one-sided sum; irfft counts interior bins twice.
    auto bin_weight = torch::ones({g.shape.n_freqs}, x.options());
    bin_weight[0] = 2.0;
    bin_weight[-1] = 2.0;
    bin_weight = bin_weight * static_cast<double>(n_fft);

    auto grad_window_parts = torch::zeros({chunks, n_fft}, x.options());
    auto grad_frames_x = want_x ? torch::empty({batch, g.shape.n_frames, n_fft}, x.options()) : torch::Tensor();
    for_each_chunk(batch, chunk, [&](int64_t begin, int64_t end) {
      const auto frames = frames_of(centred.slice(0, begin, end), g);  // (b, T, n_fft) view
      const auto spectrum = torch::fft::rfft(frames * window);         // (b, T, K)
      const auto g_power = g_power_all.slice(0, begin, end);          // (b, T, K)
      const auto r = torch::fft::irfft(spectrum * (g_power * bin_weight), n_fft);  // (b, T, n_fft)
      if (want_lambd) grad_window_parts[begin / chunk].copy_((frames * r).sum(std::vector<int64_t>{0, 1}));
      if (want_x) grad_frames_x.slice(0, begin, end).copy_(r * window);
    });

    torch::Tensor grad_x;
    torch::Tensor grad_lambd;
    if (want_lambd) {
      const double sign = value < 0 ? -1.0 : 1.0;  // the layer uses |λ|
      grad_lambd = ((grad_window_parts.sum(0) * dwindow).sum() * sign).to(lambd.dtype()).reshape(lambd.sizes());
    }
    if (want_x) {
      // Overlap-add the frame gradients into the padded signal, drop the padding, then apply the
      // adjoint of mean removal.
      const int64_t half = n_fft / 2;
      const auto padded = at::unfold_backward(grad_frames_x, {batch, x.size(1) + 2 * half}, 1, n_fft, hop);
      const auto g_centred = padded.slice(1, half, half + x.size(1));
      grad_x = g_centred - g_centred.mean(1, /*keepdim=*/true);
    }
    return {grad_x, grad_lambd, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

torch::Tensor run_kernel(const torch::Tensor& x, const torch::Tensor& lambd, const torch::Tensor& filterbank,
                         WindowMode mode, int64_t hop_length, bool normalize_window) {
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
  auto out = GaussianSpectrogramKernel::apply(batch.contiguous(), lambd, filterbank,
                                              static_cast<int64_t>(mode), hop_length, normalize_window);
  return single ? out.squeeze(0) : out;
}

}  // namespace

torch::Tensor gaussian_power_spectrogram(const torch::Tensor& x, const torch::Tensor& lambd,
                                         WindowMode mode, int64_t hop_length, bool normalize_window) {
  return run_kernel(x, lambd, torch::empty({0}, x.options()), mode, hop_length, normalize_window);
}

torch::Tensor gaussian_filterbank_spectrogram(const torch::Tensor& x, const torch::Tensor& lambd,
                                              const torch::Tensor& filterbank, WindowMode mode,
                                              int64_t hop_length, bool normalize_window) {
  util::require(filterbank.defined() && filterbank.numel() > 0, "gaussian spectrogram",
                "a (K, M) filterbank is required");
  return run_kernel(x, lambd, filterbank, mode, hop_length, normalize_window);
}

}  // namespace tfgram::dsp
