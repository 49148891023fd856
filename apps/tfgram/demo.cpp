// `tfgram demo`: DEGram and DMEL representations of a generated chirp, with parameter summaries.
#include <torch/torch.h>

#include <cmath>
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "tfgram/tfgram.h"

namespace tfgram::cli {
namespace {

torch::Tensor chirp(int64_t sample_rate, double seconds, double f0, double f1) {
  const auto n = static_cast<int64_t>(seconds * static_cast<double>(sample_rate));
  const auto t = torch::arange(n, torch::kFloat64) / static_cast<double>(sample_rate);
  // Linear chirp: phase = 2π(f0·t + (f1−f0)·t²/(2·T)).
  const auto phase = 2.0 * M_PI * (f0 * t + (f1 - f0) * t * t / (2.0 * seconds));
  return torch::sin(phase).to(torch::kFloat32).unsqueeze(0);
}

void print_stats(const char* name, const torch::Tensor& values) {
  const auto v = values.to(torch::kFloat64);
  std::cout << "  " << std::left << std::setw(28) << name << " min " << std::setw(10)
            << v.min().item<double>() << " max " << std::setw(10) << v.max().item<double>()
            << " mean " << v.mean().item<double>() << "\n";
}

struct DemoArgs {
  double seconds = 1.0;
  uint64_t seed = 0;
};

int run_demo(const DemoArgs& args) {
  torch::manual_seed(args.seed);
  std::cout << "tfgram demo: " << args.seconds << " s linear chirp 100 Hz → Nyquist\n\n";

  // DEGram over a 16 kHz linear power spectrogram (the paper's 32 ms / 10 ms, n_fft 2048).
  {
    const int64_t sr = 16000;
    const auto wave = chirp(sr, args.seconds, 100.0, sr / 2.0);
    frontends::Spectrogram spec(frontends::SpectrogramOptions::from_seconds(sr, 0.032, 0.010, 2048));
    frontends::DEGram degram(frontends::DEGramOptions(2048 / 2 + 1, sr));
    const auto power = spec->forward(wave).unsqueeze(1);
    const auto out = degram->forward(power);
    out.sum().backward();
    std::cout << "DEGram (SincGram → TF-DE maxout → normalisation)\n"
              << "  waveform " << wave.sizes() << " → spectrogram " << power.sizes() << " → DEGram "
              << out.sizes() << "\n";
    print_stats("centre frequencies (Hz)", degram->sincgram->center_hz());
    print_stats("bandwidths (Hz)", degram->sincgram->bandwidth_hz());
    print_stats("output", out.detach());
    print_stats("|d sum / d centres|", degram->sincgram->freq_centers.grad().abs());
  }
  std::cout << "\n";
  // DMEL at 8 kHz with a 35 ms Gaussian window.
  {
    const int64_t sr = 8000;
    const auto wave = chirp(sr, args.seconds, 100.0, sr / 2.0);
    frontends::DMel dmel(frontends::DMelOptions(dsp::lambd_for_window_ms(35.0, sr), sr)
                             .n_mels(64)
                             .hop_length(80)
                             .log(true));
    const auto out = dmel->forward(wave);
    out.mean().backward();
    std::cout << "DMEL (Gaussian window, power-of-two mode, 64 mels, hop 80)\n"
              << "  waveform " << wave.sizes() << " → log-mel " << out.sizes() << "\n"
              << "  lambda " << dmel->lambd_value() << " samples = " << 1000.0 * dmel->window_seconds()
              << " ms window, d mean / d lambda = " << dmel->lambd.grad().item<double>() << "\n";
    print_stats("log-mel", out.detach());
  }
  return 0;
}

const bool registered = register_command(
    "demo", "DEGram and DMEL of a generated chirp: shapes and learned-parameter summaries",
    [](CLI::App& command) -> std::function<int()> {
      auto args = std::make_shared<DemoArgs>();
      command.add_option("--seconds", args->seconds, "chirp duration")->check(CLI::Range(0.1, 60.0));
      command.add_option("--seed", args->seed, "random seed");
      return [args] { return run_demo(*args); };
    });

}  // namespace
}  // namespace tfgram::cli
