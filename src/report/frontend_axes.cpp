#include "tfgram/report/frontend_axes.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "tfgram/dsp/mel.h"
#include "tfgram/frontends/differentiable_spectrogram.h"
#include "tfgram/frontends/dmel.h"
#include "tfgram/frontends/gaussian_sincgram.h"
#include "tfgram/frontends/sincgram.h"
#include "tfgram/frontends/spectrogram.h"
#include "tfgram/frontends/waveform_degram.h"
#include "tfgram/frontends/with_pcen.h"
#include "tfgram/models/classifier.h"
#include "tfgram/util/check.h"

namespace tfgram::report {
namespace {

std::string fixed(double v, int decimals) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, v);
  return text;
}

// |λ| of a DMEL-family module (its own `lambd` parameter), as ClassifierImpl::lambd() reads it.
std::optional<double> module_lambd(const torch::nn::Module& frontend) {
  for (const auto& item : frontend.named_parameters(/*recurse=*/false)) {
    if (item.key() == "lambd") return std::abs(item.value().item<double>());
  }
  return std::nullopt;
}

// Bin k of a one-sided spectrum with `rows` bins: k/(rows − 1) of the Nyquist frequency.
std::vector<double> linear_bins(int64_t rows, double nyquist) {
  std::vector<double> v(static_cast<size_t>(rows));
  for (int64_t k = 0; k < rows; ++k) v[static_cast<size_t>(k)] = rows > 1 ? nyquist * k / (rows - 1) : 0.0;
  return v;
}

int64_t effective_hop(const frontends::SpectrogramOptions& o) {
  if (o.hop_length() > 0) return o.hop_length();
  return (o.win_length() > 0 ? o.win_length() : o.n_fft()) / 4;
}

}  // namespace

FrontendAxes frontend_axes(const models::ClassifierConfig& config, const torch::nn::Module& frontend, int64_t rows,
                           TfUnits units) {
  const std::string& kind = config.frontend.kind;
  const std::string where = "frontend_axes(" + kind + ")";
  util::require(rows >= 1, where.c_str(), "rows must be >= 1, got ", rows);
  const bool samples = units == TfUnits::kSamples;
  const double sr = static_cast<double>(config.sample_rate);
  // Hz → the axis unit; samples → the time unit.
  const double frequency_scale = samples ? 1.0 / sr : 1.0;
  const auto seconds_or_samples = [&](double n) { return samples ? n : n / sr; };
  const auto duration = [&](double n) {
    return samples ? fixed(n, n < 10 ? 2 : 1) + " samples" : fixed(1000.0 * n / sr, 1) + " ms";
  };

  FrontendAxes axes;
  axes.time.label = samples ? "time (samples)" : "time (s)";
  axes.frequency.label = samples ? "frequency (cycles/sample)" : "frequency (Hz)";
  const auto power_or_log = [&](bool log) {
    axes.values = log ? TfValues::kLogPower : TfValues::kPower;
    axes.colour_label = "dB";
  };

  // By the module's type: the module holds its options and its current parameters.
  if (const auto* staged = frontend.as<frontends::WithPcenImpl>()) {
    axes = frontend_axes(config, *staged->spectrogram.ptr(), rows, units);
    axes.name += " → PCEN";
    axes.values = TfValues::kLinear;
    axes.colour_label = "PCEN output";
    return axes;
  }
  const auto* dmel = frontend.as<frontends::DMelImpl>();
  const auto* dspec = frontend.as<frontends::DifferentiableSpectrogramImpl>();
  if (dmel != nullptr || dspec != nullptr) {
    const double lambd = module_lambd(frontend).value_or(0.0);
    const int64_t hop = dmel != nullptr ? dmel->options.hop_length() : dspec->options.hop_length();
    axes.time.step = seconds_or_samples(static_cast<double>(hop));
    axes.window = "window 6λ = " + duration(6.0 * lambd) + " (λ = " + fixed(lambd, 2) + ")";
    power_or_log(config.frontend_log());
    if (dspec != nullptr) {
      axes.name = "differentiable spectrogram (" + std::string(dsp::to_string(dspec->options.mode())) + " mode)";
      axes.frequency.values = linear_bins(rows, sr / 2 * frequency_scale);
      return axes;
    }
    const auto& d = dmel->options;
    util::require(rows == d.n_mels(), where.c_str(), "expected ", d.n_mels(), " mel rows, got ", rows);
    axes.name = std::string(dmel->lambd.requires_grad() ? "DMEL" : "log-mel") + " (" + std::to_string(d.n_mels()) +
                " mel bands" + (config.frontend_log() ? ", log" : "") + ")";
    // Band m's triangle peaks at the (m + 1)-th of n_mels + 2 points evenly spaced in mel.
    const double low = dsp::hz_to_mel(d.f_min());
    const double high = dsp::hz_to_mel(d.f_max().value_or(sr / 2));
    for (int64_t m = 0; m < rows; ++m) {
      axes.frequency.values.push_back(dsp::mel_to_hz(low + (high - low) * (m + 1) / (rows + 1)) * frequency_scale);
    }
    return axes;
  }

  if (const auto* learnable = frontend.as<frontends::GaussianSincGramImpl>()) {
    const double lambd = module_lambd(frontend).value_or(0.0);
    const auto& g = learnable->degram->options;
    axes.time.step = seconds_or_samples(static_cast<double>(learnable->options.hop_length()));
    axes.window = "window 6λ = " + duration(6.0 * lambd) + " (λ = " + fixed(lambd, 2) + ")";
    const auto centres = learnable->degram->sincgram->center_hz().to(torch::kCPU, torch::kFloat64).contiguous();
    util::require(centres.numel() == rows, where.c_str(), "expected ", centres.numel(), " SincGram rows, got ", rows);
    for (int64_t f = 0; f < rows; ++f) axes.frequency.values.push_back(centres[f].item<double>() * frequency_scale);
    axes.name = "learnable window + " + std::to_string(g.sincgram()->filters()) + " SincGram filters" +
                (g.pcen() ? ", PCEN" : g.log_compression() ? ", log" : "") +
                (g.attention() ? std::string(", TF-DE ") + frontends::to_string(g.attention()->strategy()) : "") +
                (g.normalization() ? ", normalised" : "");
    if (g.normalization() || g.pcen()) {
      axes.values = TfValues::kLinear;
      axes.colour_label = g.normalization() ? "normalised value" : "PCEN output";
    } else {
      power_or_log(g.log_compression());
    }
    return axes;
  }

  const auto* spectrogram = frontend.as<frontends::SpectrogramImpl>();
  const auto* degram = frontend.as<frontends::WaveformDEGramImpl>();
  if (spectrogram != nullptr || degram != nullptr) {
    const auto& stft = spectrogram != nullptr ? spectrogram->options : degram->stft->options;
    const frontends::SincGramImpl* sincgram = degram != nullptr ? degram->degram->sincgram.get() : nullptr;
    const int64_t window = stft.win_length() > 0 ? stft.win_length() : stft.n_fft();
    axes.time.step = seconds_or_samples(static_cast<double>(effective_hop(stft)));
    axes.window = "Hann window " + duration(static_cast<double>(window)) + ", hop " +
                  duration(static_cast<double>(effective_hop(stft)));
    if (sincgram != nullptr) {
      const auto centres = sincgram->center_hz().to(torch::kCPU, torch::kFloat64).contiguous();
      util::require(centres.numel() == rows, where.c_str(), "expected ", centres.numel(), " SincGram rows, got ", rows);
      for (int64_t f = 0; f < rows; ++f) axes.frequency.values.push_back(centres[f].item<double>() * frequency_scale);
    } else {
      axes.frequency.values = linear_bins(rows, sr / 2 * frequency_scale);
    }
    if (spectrogram != nullptr) {
      axes.name = "Hann power spectrogram" + std::string(config.frontend_log() ? " (log)" : "");
      power_or_log(config.frontend_log());
    } else {
      const auto& g = degram->degram->options;
      axes.name = std::string(g.attention() ? "DEGram" : "SincGram") + " (" +
                  (g.sincgram() ? std::to_string(g.sincgram()->filters()) + " SincGram filters, order " +
                                      std::to_string(g.sincgram()->order())
                                : std::string("linear bins")) +
                  (g.attention() ? std::string(", TF-DE ") + frontends::to_string(g.attention()->strategy()) : "") +
                  (g.normalization() ? ", normalised" : "") + ")";
      if (g.normalization()) {
        axes.values = TfValues::kLinear;
        axes.colour_label = "normalised value";
      } else {
        power_or_log(g.log_compression());
      }
    }
    return axes;
  }
  throw std::invalid_argument(where + ": no axes known for the modules of front-end kind '" + kind + "'");
}

}  // namespace tfgram::report
