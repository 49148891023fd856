// Benchmarks of the front-end kinds beyond both papers (Google Benchmark, in tfgram_bench): the
// fully learnable front end (dmel_sincgram) and PCEN, each against the same computation composed of
// plain ATen ops with autograd, and against DMEL and the fixed log-mel at the same size.
// bench/kinds.sh runs them beside their plain-PyTorch equivalents (bench/peers_kinds.py).
// B = 32 × 5 s at 8 kHz, hop 80, 64 filters (as the DMEL benchmarks).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "tfgram/frontends/gaussian_sincgram.h"
#include "tfgram/frontends/pcen.h"
#include "tfgram/tfgram.h"

namespace {
using namespace tfgram;
using dsp::WindowMode;

constexpr int64_t kRate = 8000, kBatch = 32, kSamples = 40000, kHop = 80, kFilters = 64;

double lambd_of(const benchmark::State& state) {
  return dsp::lambd_for_window_ms(static_cast<double>(state.range(0)), kRate);
}

// The filterbank alone, no later stage: the part the kernel fuses.
frontends::DEGramOptions filterbank_only() {
  auto o = frontends::DEGramOptions(2, kRate).attention(std::nullopt).normalization(std::nullopt).log_compression(true);
  o.sincgram()->filters(kFilters);
  return o;
}

// The fully learnable front end's window and filterbank (λ, centres, bandwidths trained), log.
void BM_LearnableForwardBackward(benchmark::State& state) {
  frontends::GaussianSincGram layer(
      frontends::GaussianSincGramOptions(lambd_of(state), kRate, kSamples, filterbank_only()).hop_length(kHop));
  const auto x = torch::randn({kBatch, kSamples});
  for (auto _ : state) {
    layer->zero_grad();
    layer->forward(x).mean().backward();
    benchmark::DoNotOptimize(layer->lambd.grad());
  }
}

// The same composed of ATen ops: torch::stft with autograd, SincGram's matrix, matmul, log.
void BM_LearnableComposedForwardBackward(benchmark::State& state) {
  const double lambd = lambd_of(state);
  const auto shape = dsp::gaussian_spectrogram_shape(kSamples, lambd, WindowMode::kPowerOfTwo, kHop);
  frontends::SincGram sinc(frontends::SincGramOptions(shape.n_freqs, kRate).filters(kFilters));
  const auto x = torch::randn({kBatch, kSamples});
  const auto l = torch::tensor(static_cast<float>(lambd)).requires_grad_(true);
  for (auto _ : state) {
    sinc->zero_grad();
    const auto power = dsp::gaussian_power_spectrogram_autograd(x, l, WindowMode::kPowerOfTwo, kHop);
    torch::log(torch::matmul(sinc->filter_matrix().to(torch::kFloat32).t(), power) + 1e-7).mean().backward();
    benchmark::DoNotOptimize(l.grad());
    l.grad().zero_();
  }
}

// The fixed log-mel at the same size (nothing trains: forward only).
void BM_LogmelForward(benchmark::State& state) {
  frontends::DMel layer(frontends::DMelOptions(lambd_of(state), kRate).n_mels(kFilters).hop_length(kHop).log(true).trainable(false));
  const auto x = torch::randn({kBatch, kSamples});
  for (auto _ : state) benchmark::DoNotOptimize(layer->forward(x));
}

// PCEN over DMEL's mel output: (32, 1, 64, 501), every parameter trained.
torch::Tensor pcen_input() { return torch::rand({kBatch, 1, kFilters, 1 + kSamples / kHop}) * 10; }

void BM_PcenForwardBackward(benchmark::State& state) {
  frontends::Pcen pcen{frontends::PcenOptions(kFilters)};
  const auto x = pcen_input();
  for (auto _ : state) {
    pcen->zero_grad();
    pcen->forward(x).mean().backward();
    benchmark::DoNotOptimize(pcen->alpha.grad());
  }
}

// PCEN as a loop over frames of ATen ops with autograd (the portable path).
void BM_PcenComposedForwardBackward(benchmark::State& state) {
  frontends::Pcen pcen{frontends::PcenOptions(kFilters)};
  const auto x = pcen_input();
  for (auto _ : state) {
    pcen->zero_grad();
    frontends::pcen_autograd(x, pcen->effective_alpha(), pcen->effective_delta(), pcen->effective_inverse_root(),
                             pcen->effective_smooth(), pcen->options.floor())
        .mean()
        .backward();
    benchmark::DoNotOptimize(pcen->alpha.grad());
  }
}

void windows(benchmark::internal::Benchmark* b) {
  b->Arg(10)->Arg(35)->Arg(300)->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_LearnableForwardBackward)->Apply(windows);
BENCHMARK(BM_LearnableComposedForwardBackward)->Apply(windows);
BENCHMARK(BM_LogmelForward)->Apply(windows);
BENCHMARK(BM_PcenForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PcenComposedForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
