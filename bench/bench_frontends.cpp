// Front-end benchmarks (Google Benchmark). bench/run.sh runs these beside the Python peers
// (bench/peers.py) and prints one table of times and ratios.
//
// Names follow "<workload>/<variant>/<window_ms>" so the report can pair them with the peers'.
// `tfgram_bench --peak-memory WORKLOAD` instead runs one workload once and prints the peak RSS.
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "dsp/real_fft.h"
#include "tfgram/frontends/degram.h"
#include "tfgram/frontends/dmel.h"
#include "tfgram/models/classifier.h"
#include "tfgram/tfgram.h"
#include "tfgram/train/trainer.h"

namespace {
using namespace tfgram;
using dsp::WindowMode;

constexpr int64_t kSampleRate = 8000;
constexpr int64_t kBatch = 32;
constexpr int64_t kSamples = 40000;  // 5 s at 8 kHz
constexpr int64_t kHop = 80;
constexpr int64_t kMels = 64;

frontends::DMel make_dmel(double window_ms) {
  return frontends::DMel(
      frontends::DMelOptions(dsp::lambd_for_window_ms(window_ms, kSampleRate), kSampleRate)
          .n_mels(kMels)
          .hop_length(kHop)
          .log(true));
}

// DMEL mel layer, forward only (inference).
void BM_DmelForward(benchmark::State& state) {
  auto layer = make_dmel(static_cast<double>(state.range(0)));
  const auto x = torch::randn({kBatch, kSamples});
  torch::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(layer->forward(x));
}

// DMEL mel layer, forward + backward to λ (training).
void BM_DmelForwardBackward(benchmark::State& state) {
  auto layer = make_dmel(static_cast<double>(state.range(0)));
  const auto x = torch::randn({kBatch, kSamples});
  for (auto _ : state) {
    layer->zero_grad();
    layer->forward(x).mean().backward();
    benchmark::DoNotOptimize(layer->lambd.grad());
  }
}

// The layer alone, forward + backward to λ: the backward starts from a fixed upstream gradient
// (materialised, as a backbone's is), so no loss is timed. BM_DmelForwardBackward's mean() costs
// a read of the output and, in LibTorch 1.13's backward, a full-size division (~0.6 ms at 10 ms);
// the FFT floor has neither, so the floor targets compare this one.
struct DmelLayerStep {
  explicit DmelLayerStep(double window_ms) : layer(make_dmel(window_ms)), x(torch::randn({kBatch, kSamples})) {
    torch::NoGradGuard no_grad;
    upstream = torch::randn_like(layer->forward(x));
  }
  void operator()() {
    layer->zero_grad();
    layer->forward(x).backward(upstream);
    benchmark::DoNotOptimize(layer->lambd.grad());
  }
  frontends::DMel layer;
  torch::Tensor x, upstream;
};

void BM_DmelLayerForwardBackward(benchmark::State& state) {
  DmelLayerStep step(static_cast<double>(state.range(0)));
  for (auto _ : state) step();
}

// The same with plain autograd through torch::stft (batched): shows what the kernel saves.
void BM_DmelAutogradForwardBackward(benchmark::State& state) {
  const double lambd = dsp::lambd_for_window_ms(static_cast<double>(state.range(0)), kSampleRate);
  const auto x = torch::randn({kBatch, kSamples});
  const auto l = torch::tensor(static_cast<float>(lambd)).requires_grad_(true);
  const auto shape = dsp::gaussian_spectrogram_shape(kSamples, lambd, WindowMode::kPowerOfTwo, kHop);
  const auto fb = dsp::melscale_fbanks(shape.n_freqs, 0, kSampleRate / 2.0, kMels, kSampleRate);
  for (auto _ : state) {
    const auto power = dsp::gaussian_power_spectrogram_autograd(x, l, WindowMode::kPowerOfTwo, kHop);
    torch::log(torch::matmul(fb.t(), power) + 1e-10).mean().backward();
    benchmark::DoNotOptimize(l.grad());
    l.grad().zero_();
  }
}

// `transforms` real FFTs of size n_fft on each of `frames` frames (rows of `input`), spread over
// the intra-op threads as the kernel spreads its frames, with the FFT it uses (FFTW, same plans).
// transforms = 0: one complex FFT of size n_fft per frame instead (rows f and f + 1 read as n_fft
// complex values; `input` holds one spare row).
void run_fft_floor(const torch::Tensor& input, int64_t frames, int64_t n_fft, int64_t n_freqs, int64_t transforms) {
  const dsp::detail::RealFft<float> fft(n_fft);
  const dsp::detail::ComplexFft<float> joint(n_fft);
  float* rows = input.data_ptr<float>();
  at::parallel_for(0, frames, 1, [&](int64_t first, int64_t last) {
    auto spectrum = dsp::detail::make_fft_buffer<float>(2 * n_fft);
    for (int64_t f = first; f < last; ++f) {
      if (transforms == 0) joint.forward(rows + f * n_fft, spectrum.get());
      for (int64_t i = 0; i < transforms; ++i) fft.forward(rows + f * n_fft, spectrum.get());
    }
    benchmark::DoNotOptimize(spectrum.get());
  });
}

// The FFT floor: only the real FFTs the kernel must do, over frames of the same shape. Forward:
// one r2c per frame (variant 0); forward+backward with λ trained: two (variant 1: X and X' with
// the window's derivative), backward none. Variant 2: the one c2c per frame the kernel actually
// runs with λ trained (X and X' from one complex transform), the floor of what it does.
void BM_FftFloor(benchmark::State& state) {
  const double lambd = dsp::lambd_for_window_ms(static_cast<double>(state.range(0)), kSampleRate);
  const auto shape = dsp::gaussian_spectrogram_shape(kSamples, lambd, WindowMode::kPowerOfTwo, kHop);
  const int64_t frames = kBatch * shape.n_frames;
  const auto input = torch::randn({frames + 1, shape.n_fft});  // rows stay 32-byte aligned for n_fft >= 8
  const int64_t transforms = state.range(1) == 2 ? 0 : state.range(1) == 1 ? 2 : 1;
  for (auto _ : state) run_fft_floor(input, frames, shape.n_fft, shape.n_freqs, transforms);
}

// Times `ours` and then `floor` back to back in each iteration and sets the counters layer_ms and
// floor_ms (medians, ms) and ratio (the median of the per-pair ratios). This machine's speed drifts
// by tens of percent between minutes (the same FFT floor read 3.9 and 6.4 ms on one day), so
// timing a workload and its floor in different seconds made their ratio mostly noise.
template <typename Ours, typename Floor>
void time_in_pairs(benchmark::State& state, Ours&& ours, Floor&& floor) {
  using Clock = std::chrono::steady_clock;
  const auto ms = [](Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::vector<double> ours_ms, floor_ms, ratio;
  for (auto _ : state) {
    const auto start = Clock::now();
    ours();
    const auto middle = Clock::now();
    floor();
    const auto end = Clock::now();
    ours_ms.push_back(ms(middle - start));
    floor_ms.push_back(ms(end - middle));
    ratio.push_back(ours_ms.back() / floor_ms.back());
  }
  const auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
  };
  state.counters["layer_ms"] = median(ours_ms);
  state.counters["floor_ms"] = median(floor_ms);
  state.counters["ratio"] = median(ratio);
}

// Issue #16's DMEL target in pairs: the layer's forward+backward (as BM_DmelLayerForwardBackward)
// and its FFT floor (as BM_FftFloor/<ms>/1).
void BM_DmelFloorPaired(benchmark::State& state) {
  DmelLayerStep step(static_cast<double>(state.range(0)));
  const auto shape =
      dsp::gaussian_spectrogram_shape(kSamples, step.layer->lambd_value(), WindowMode::kPowerOfTwo, kHop);
  const int64_t frames = kBatch * shape.n_frames;
  const auto input = torch::randn({frames + 1, shape.n_fft});
  time_in_pairs(state, step, [&] { run_fft_floor(input, frames, shape.n_fft, shape.n_freqs, 2); });
}

// Full mode (synthetic task): N = 128, hop 1, B = 128, forward + backward.
void BM_DspecFullForwardBackward(benchmark::State& state) {
  frontends::DifferentiableSpectrogram layer(frontends::DifferentiableSpectrogramOptions(6.38));
  const auto x = torch::randn({128, 128});
  for (auto _ : state) {
    layer->zero_grad();
    layer->forward(x).mean().backward();
    benchmark::DoNotOptimize(layer->lambd.grad());
  }
}

// DEGram front end: 16 kHz, 32 ms / 10 ms, n_fft 2048, 64 filters, TF-DE, normalisation; B = 32 × 5 s.
torch::Tensor degram_power() {
  frontends::Spectrogram spec(frontends::SpectrogramOptions::from_seconds(16000, 0.032, 0.010, 2048));
  return spec->forward(torch::randn({kBatch, 80000})).unsqueeze(1);  // (B, 1, 1025, T)
}

// One DEGram forward+backward (mean() loss) on a fixed spectrogram.
struct DegramStep {
  explicit DegramStep(const torch::Tensor& power) : degram(frontends::DEGramOptions(1025, 16000)), power(power) {}
  void operator()() {
    degram->zero_grad();
    degram->forward(power).mean().backward();
    benchmark::DoNotOptimize(degram->sincgram->bands.grad());
  }
  frontends::DEGram degram;
  torch::Tensor power;
};

// Its floor: the filterbank product out = P·W and the filter gradient Pᵀ·G, both (B·T, 1025) ×
// 64 GEMMs on the spectrogram as the layer reads it, plus one pass over that input.
struct DegramFloorStep {
  explicit DegramFloorStep(const torch::Tensor& power)
      : power(power),
        p(power.squeeze(1).transpose(1, 2).reshape({-1, power.size(2)})),  // (B·T, K) view
        w(torch::rand({power.size(2), 64})),
        g(torch::randn({p.size(0), 64})) {}
  void operator()() const {
    benchmark::DoNotOptimize(torch::mm(p, w));
    benchmark::DoNotOptimize(torch::mm(p.t(), g));
    benchmark::DoNotOptimize(power.sum());
  }
  torch::Tensor power, p, w, g;
};

void BM_DegramForwardBackward(benchmark::State& state) {
  DegramStep step(degram_power());
  for (auto _ : state) step();
}

void BM_DegramFloor(benchmark::State& state) {
  const DegramFloorStep floor(degram_power());
  for (auto _ : state) floor();
}

// The DEGram target in pairs: BM_DegramForwardBackward and BM_DegramFloor back to back.
void BM_DegramFloorPaired(benchmark::State& state) {
  const auto power = degram_power();
  DegramStep step(power);
  time_in_pairs(state, step, DegramFloorStep(power));
}

// Workload 4: training steps of whole classifiers on in-memory batches (I/O excluded on both
// sides): mel_linear on FSDD-sized input (8000 samples, 10 classes, batch 64, 2700 examples per
// epoch) and CNN6 on ESC-10-sized input (5 s at 8 kHz, 10 classes, batch 32, 320 per epoch).
struct TrainWorkload {
  models::ClassifierConfig config;
  int64_t batch;
  int64_t epoch_examples;
};

TrainWorkload train_workload(int64_t which) {
  TrainWorkload w;
  w.config.num_classes = 10;
  w.config.sample_rate = 8000;
  w.config.frontend.kind = "dmel";
  w.config.assign("frontend.dmel.lambd", dsp::lambd_for_window_ms(35, 8000));
  if (which == 0) {
    w.config.n_points = 8000;
    w.config.backbone.kind = "mel_linear";
    w.batch = 64;
    w.epoch_examples = 2700;
  } else {
    w.config.n_points = 40000;
    w.config.backbone.kind = "cnn6";
    w.batch = 32;
    w.epoch_examples = 320;
  }
  return w;
}

void run_train_steps(benchmark::State& state, int64_t steps_per_iteration) {
  const auto w = train_workload(state.range(0));
  torch::manual_seed(0);
  models::Classifier model(w.config);
  model->train();
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(model->model_parameters(), std::make_unique<torch::optim::AdamOptions>(1e-4));
  groups.emplace_back(model->frontend_parameters(), std::make_unique<torch::optim::AdamOptions>(1.0));
  torch::optim::Adam optimizer(groups, torch::optim::AdamOptions(1e-4));
  const auto x = torch::randn({w.batch, w.config.n_points}) * 0.1;
  const auto y = torch::randint(10, {w.batch});
  const int64_t steps = steps_per_iteration > 0 ? steps_per_iteration : (w.epoch_examples + w.batch - 1) / w.batch;
  for (auto _ : state) {
    for (int64_t i = 0; i < steps; ++i) {
      optimizer.zero_grad();
      train::classification_loss(*model, model->forward(x), y).backward();
      optimizer.step();
    }
  }
}

void BM_TrainStep(benchmark::State& state) { run_train_steps(state, 1); }
void BM_TrainEpoch(benchmark::State& state) { run_train_steps(state, 0); }

// Workload 5: the main job's trainable epoch (configs/dmel_time_frequency.yaml): the pulse task's
// 3500 training examples (N = 128) in batches of 128, DMEL's linear spectrogram in full mode (hop
// 1) with λ trained, the `linear` backbone, SGD. Arg 0: the whole epoch of training steps; 1: its
// FFT floor (two r2c per frame, as BM_FftFloor); 2: the model's own time, the same steps with the
// front end's output precomputed (a leaf that requires grad, so the backbone's input gradient,
// which the front end would need, is still computed).
constexpr int64_t kMainExamples = 3500;
constexpr int64_t kMainBatch = 128;

models::ClassifierConfig main_job_config() {
  models::ClassifierConfig c;
  c.num_classes = 3;
  c.sample_rate = 8000;
  c.n_points = 128;
  c.frontend.kind = "dspec";
  c.assign("frontend.dmel.mode", "full");
  c.assign("frontend.dmel.hop_length", 1);
  c.assign("frontend.dmel.lambd", 6.38);
  c.backbone.kind = "linear";
  return c;
}

void BM_MainEpoch(benchmark::State& state) {
  torch::manual_seed(0);
  models::Classifier model(main_job_config());
  model->train();
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(model->model_parameters(), std::make_unique<torch::optim::SGDOptions>(1e-3));
  groups.emplace_back(model->frontend_parameters(), std::make_unique<torch::optim::SGDOptions>(1.0));
  torch::optim::SGD optimizer(groups, torch::optim::SGDOptions(1e-3));
  const auto x = torch::randn({kMainExamples, 128});
  const auto y = torch::randint(3, {kMainExamples});
  std::vector<torch::Tensor> features;  // arg 2: the front end's output of each batch, computed once
  if (state.range(0) == 2) {
    torch::NoGradGuard no_grad;
    for (int64_t b = 0; b < kMainExamples; b += kMainBatch) {
      features.push_back(model->features(x.slice(0, b, b + kMainBatch)).contiguous());
    }
  }
  const auto shape = dsp::gaussian_spectrogram_shape(128, 6.38, WindowMode::kFull, 1);
  const int64_t frames = kMainExamples * shape.n_frames;
  const auto floor_input = state.range(0) == 1 ? torch::randn({frames, shape.n_fft}) : torch::Tensor();
  for (auto _ : state) {
    if (state.range(0) == 1) {
      run_fft_floor(floor_input, frames, shape.n_fft, shape.n_freqs, 2);
      continue;
    }
    for (int64_t b = 0, i = 0; b < kMainExamples; b += kMainBatch, ++i) {
      optimizer.zero_grad();
      const auto logits = state.range(0) == 0 ? model->forward(x.slice(0, b, b + kMainBatch))
                                              : model->backbone.forward(features[i].detach().requires_grad_(true));
      train::classification_loss(*model, logits, y.slice(0, b, b + kMainBatch)).backward();
      optimizer.step();
    }
  }
}

void window_args(benchmark::internal::Benchmark* b) {
  for (const int ms : {10, 35, 300}) b->Arg(ms);
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_DmelForward)->Apply(window_args);
BENCHMARK(BM_DmelForwardBackward)->Apply(window_args);
BENCHMARK(BM_DmelLayerForwardBackward)->Apply(window_args);
BENCHMARK(BM_DmelAutogradForwardBackward)->Apply(window_args);
// At least ten pairs even at 300 ms (a pair there takes about 0.4 s).
BENCHMARK(BM_DmelFloorPaired)->Apply(window_args)->MinTime(4);
BENCHMARK(BM_FftFloor)->ArgsProduct({{10, 35, 300}, {0, 1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DspecFullForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DegramForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DegramFloor)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DegramFloorPaired)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(4);
BENCHMARK(BM_TrainStep)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TrainEpoch)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_MainEpoch)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();

// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"), -1 if unreadable.
long status_kib(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// Memory of a forward+backward of workload 1 at `window_ms`, as in a training loop: after one
// warm-up step (thread pools, autograd engine, FFT plans, code pages), the next step's
// - heap: peak bytes in use during it minus bytes in use before it, counted by
//   libtfgram_heap_peak.so when LD_PRELOADed (bench/heap_peak.c), -1 otherwise;
// - resident set: size before it and its peak (the peak mark reset through /proc/self/clear_refs).
// bench/peers.py does the same for the Python peer.
int peak_memory(int window_ms) {
  using Reset = void (*)();
  using Report = void (*)(int64_t*, int64_t*);
  const auto reset = reinterpret_cast<Reset>(dlsym(RTLD_DEFAULT, "tfgram_heap_reset"));
  const auto report = reinterpret_cast<Report>(dlsym(RTLD_DEFAULT, "tfgram_heap_report"));
  auto layer = make_dmel(window_ms);
  const auto x = torch::randn({kBatch, kSamples});
  layer->forward(x).mean().backward();
  layer->zero_grad();
  std::ofstream("/proc/self/clear_refs") << "5";
  const long rss_before = status_kib("VmRSS");
  int64_t heap_before = -1, heap_peak = -1, unused = 0;
  if (reset != nullptr) {
    reset();
    report(&heap_before, &unused);
  }
  layer->forward(x).mean().backward();
  if (report != nullptr) report(&unused, &heap_peak);
  std::cout << "rss_before_kib " << rss_before << " rss_peak_kib " << status_kib("VmHWM") << " heap_kib "
            << (reset != nullptr ? (heap_peak - heap_before) / 1024 : -1) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  tfgram::util::prefer_passive_threads(argv);  // as the tfgram tool does
  tfgram::util::configure_allocator();
  tfgram::util::configure_threads();
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], "--peak-memory") == 0) return peak_memory(std::stoi(argv[i + 1]));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
