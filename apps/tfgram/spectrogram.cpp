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
#include "tfgram/data/audio_file.h"
#include "tfgram/data/errors.h"
#include "tfgram/data/resample.h"
#include "tfgram/frontends/dmel.h"
#include "tfgram/models/classifier.h"
#include "tfgram/models/classifier_config.h"
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

// Mono samples at `sample_rate`, cut to `seconds` when > 0. File problems are input errors (exit 2).
torch::Tensor load_audio(const SpectrogramArgs& args, int64_t sample_rate) {
  data::AudioClip clip;
  try {
    clip = data::read_audio(args.file);
  } catch (const data::FileError& error) {
    throw std::invalid_argument(error.what());
  }
  auto samples = torch::from_blob(clip.samples.data(), {static_cast<int64_t>(clip.samples.size())},
                                  torch::kFloat32)
                     .clone();
  if (clip.sample_rate != sample_rate) {
    samples = data::resample(samples, static_cast<double>(clip.sample_rate), static_cast<double>(sample_rate));
  }
  if (args.seconds > 0.0) {
    const auto keep = static_cast<int64_t>(std::llround(args.seconds * static_cast<double>(sample_rate)));
    samples = samples.slice(0, 0, std::min(keep, samples.size(0)));
  }
  if (samples.size(0) < 2) {
    throw std::invalid_argument("audio file '" + args.file + "': fewer than 2 samples at " +
                                std::to_string(sample_rate) + " Hz");
  }
  return samples.unsqueeze(0);  // (1, N)
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
  config.num_classes = 1;  // required by Validate(); no classifier is built
  // Never built: resnet18 takes any feature shape, so Validate() judges the front end alone.
  config.backbone.kind = "resnet18";
  config.sample_rate = args.sample_rate;
  config.frontend.kind = args.frontend;
  config.frontend.dmel.lambd = frontends::DMelOptions::lambd_for_window_ms(args.window_ms, args.sample_rate);
  // Linear power spans decades; its log is what shows structure (a --set can turn it off).
  if (args.frontend == "spectrogram" || args.frontend == "dspec") config.frontend.log = true;
  for (const auto& assignment : args.sets) {
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw std::invalid_argument("--set: expected key=value, got '" + assignment + "'");
    }
    config.set(assignment.substr(0, equals), assignment.substr(equals + 1));
  }

  const auto audio = load_audio(args, config.sample_rate);
  config.n_points = audio.size(1);
  config.Validate();
  options.Validate();  // before the front end runs: bad sizes or percentiles exit 2

  torch::manual_seed(args.seed);  // degram's attention weights are drawn at random
  auto parts = kind.build(config);
  torch::NoGradGuard no_grad;
  auto features = parts.module.forward(audio);
  if (parts.log) features = torch::log(features + 1e-10);  // as Classifier::features does
  // (1, F, T) or (1, C, F, T) → the first channel (F, T).
  features = features[0];
  const int64_t channels = features.dim() == 3 ? features.size(0) : 1;
  if (features.dim() == 3) features = features[0];
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
      command.add_option("--frontend", args->frontend,
                         "front end: dmel, logmel (DMEL log-mel), dspec, spectrogram (log Hann power), "
                         "degram (SincGram + TF-DE + normalisation at initialisation)")
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
