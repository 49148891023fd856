// `tfgram spectrogram FILE --frontend KIND -o out.png`: one front end's representation of an
// audio file, at its initial parameters, drawn by gnuplot with a time axis in seconds, a
// frequency axis in Hz (mel-spaced for mel and SincGram outputs, low frequencies at the bottom),
// a title naming the front end and its window, and a colour bar (dB).
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.h"
#include "tfgram/data/errors.h"
#include "tfgram/data/load_clip.h"
#include "tfgram/dsp/gaussian_spectrogram.h"
#include "tfgram/models/frontend_kind.h"
#include "tfgram/train/run_config.h"
#include "tfgram/report/frontend_axes.h"
#include "tfgram/report/tf_image.h"

namespace tfgram::cli {
namespace {

struct SpectrogramArgs {
  std::string file;
  std::string frontend = "dmel";
  std::string output;
  int64_t sample_rate = 8000;
  double seconds = 0.0;
  double window_ms = 35.0;
  std::vector<std::string> sets;
  int64_t width = 900;
  int64_t height = 500;
  double dynamic_range = 80.0;
  double low_percentile = 1.0;
  double high_percentile = 99.5;
  std::string colormap = "viridis";
  uint64_t seed = 0;
};

// Mono samples at `sample_rate`, cut to `seconds` when > 0: (1, N). File problems are input
// errors (exit 2).
torch::Tensor load_audio(const SpectrogramArgs& args, int64_t sample_rate) {
  torch::Tensor samples;
  try {
    samples = data::load_clip(args.file, sample_rate);
  } catch (const data::FileError& error) {
    throw std::invalid_argument(error.what());
  }
  if (args.seconds > 0.0) {
    const auto keep = static_cast<int64_t>(std::llround(args.seconds * static_cast<double>(sample_rate)));
    samples = samples.slice(0, 0, std::min(keep, samples.size(0)));
  }
  if (samples.size(0) < 2) {
    throw std::invalid_argument("audio file '" + args.file + "': fewer than 2 samples at " +
                                std::to_string(sample_rate) + " Hz");
  }
  return samples.unsqueeze(0);
}

int run_spectrogram(const SpectrogramArgs& args) {
  const auto& kind = models::frontend_kind(args.frontend, "--frontend");  // unknown kind → exit 2
  report::TfImageOptions options;
  options.colormap = report::parse_colormap(args.colormap);
  options.low_percentile = args.low_percentile;
  options.high_percentile = args.high_percentile;
  options.width = args.width;
  options.height = args.height;

  models::ClassifierConfig config;
  config.sample_rate = args.sample_rate;
  config.frontend.kind = args.frontend;
  config.assign("frontend.dmel.lambd", dsp::lambd_for_window_ms(args.window_ms, args.sample_rate));
  // Linear power spans decades; its log is what shows structure (a --set can turn it off).
  if (!kind.log_by_default && !kind.no_log_reason) config.frontend.log = true;
  for (const auto& assignment : args.sets) {
    const auto [key, value] = train::split_assignment(assignment);
    config.set(key, value);
  }

  const auto audio = load_audio(args, config.sample_rate);
  config.n_points = audio.size(1);
  options.Validate();  // before the front end runs: bad sizes or percentiles exit 2

  torch::manual_seed(args.seed);  // degram's attention weights are drawn at random
  auto parts = models::build_frontend(config);  // bad keys or a too-short file exit 2
  torch::NoGradGuard no_grad;
  // (1, C, F, T) → the first channel (F, T).
  auto features = models::frontend_features(parts.module, parts.log, audio)[0];
  const int64_t channels = features.size(0);
  features = features[0];
  const int64_t rows = features.size(0);
  const int64_t frames = features.size(1);

  const auto axes = report::frontend_axes(config, *parts.module.ptr(), rows);
  options.time = axes.time;
  options.frequency = axes.frequency;
  options.values = axes.values;
  options.colour_label = axes.colour_label;
  if (axes.values != report::TfValues::kLinear && args.dynamic_range > 0.0) options.dynamic_range = args.dynamic_range;
  options.title = axes.name + ", " + axes.window + "\n" + std::filesystem::path(args.file).filename().string() +
                  " at " + std::to_string(config.sample_rate) + " Hz" +
                  (channels > 1 ? ", channel 1 of " + std::to_string(channels) : "");
  report::plot_tf_images({{features, "", std::nullopt}}, options, args.output);
  std::cout << "wrote " << args.output << " (" << options.width_for(1) << " × " << options.height
            << " px): " << args.frontend << ", " << rows << " rows × " << frames << " frames of " << args.file
            << " at " << config.sample_rate << " Hz\n";
  return 0;
}

const bool registered = register_command(
    "spectrogram", "draw a front end's representation of an audio file as a PNG (axes in s and Hz, colour bar)",
    [](CLI::App& command) -> std::function<int()> {
      auto args = std::make_shared<SpectrogramArgs>();
      command.add_option("FILE", args->file, "audio file (WAV, FLAC, Ogg); mixed to mono")->required();
      std::string kinds;
      for (const auto& name : models::frontend_kinds()) {
        kinds += "\n  " + name + ": " + models::frontend_kind(name).description;
      }
      command.add_option("--frontend", args->frontend, "front end (at its initial parameters):" + kinds)
          ->capture_default_str();
      command.add_option("-o,--output", args->output, "PNG file to write")->required();
      command.add_option("--sample-rate", args->sample_rate, "resample to this rate (Hz)")
          ->capture_default_str()
          ->check(CLI::Range(int64_t{1000}, int64_t{384000}));
      command.add_option("--seconds", args->seconds, "keep only the first SECONDS (0 = all)")
          ->check(CLI::NonNegativeNumber);
      command.add_option("--window-ms", args->window_ms, "Gaussian window length 6λ/sr in ms (dmel, logmel, dspec)")
          ->capture_default_str()
          ->check(CLI::Range(0.1, 10000.0));
      command.add_option("--set", args->sets,
                         "override a model config key, e.g. --set frontend.dmel.n_mels=128 (repeatable)")
          ->allow_extra_args(false);
      command.add_option("--width", args->width, "image width in pixels")
          ->capture_default_str()
          ->check(CLI::Range(int64_t{64}, int64_t{8192}));
      command.add_option("--height", args->height, "image height in pixels")
          ->capture_default_str()
          ->check(CLI::Range(int64_t{64}, int64_t{8192}));
      command.add_option("--dynamic-range", args->dynamic_range,
                         "dB shown below the brightest value (0 = percentiles only; dB outputs)")
          ->capture_default_str()
          ->check(CLI::NonNegativeNumber);
      command.add_option("--low-percentile", args->low_percentile,
                         "values below this percentile get the darkest colour")
          ->capture_default_str()
          ->check(CLI::Range(0.0, 100.0));
      command.add_option("--high-percentile", args->high_percentile,
                         "values above this percentile get the brightest colour")
          ->capture_default_str()
          ->check(CLI::Range(0.0, 100.0));
      command.add_option("--colormap", args->colormap, "viridis or gray")->capture_default_str();
      command.add_option("--seed", args->seed, "random seed (degram's attention weights)");
      return [args] { return run_spectrogram(*args); };
    });

}  // namespace
}  // namespace tfgram::cli
