// Golden checkers for the DEGram side: mel filterbank, linear spectrogram, SincGram, TF-DE,
// normalisation and the whole front end. Configuration comes from each file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/close.h"
#include "support/golden_checkers.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::frontends;

// Loads every `w_<path with . → _>` tensor of the file into the module's parameters of that path
// and fails on a parameter without a value or a value without a parameter.
void load_prefixed_weights(torch::nn::Module& module, const Golden& golden, const std::string& prefix) {
  auto values = golden.with_prefix(prefix);
  torch::NoGradGuard no_grad;
  for (auto& item : module.named_parameters()) {
    std::string key = item.key();
    for (auto& c : key) c = c == '.' ? '_' : c;
    const auto found = values.find(key);
    ASSERT_NE(found, values.end()) << golden.path() << " has no value for parameter " << item.key()
                                   << " (key " << prefix << key << ")";
    ASSERT_EQ(item.value().sizes(), found->second.sizes()) << "parameter " << item.key();
    item.value().copy_(found->second);
    values.erase(found);
  }
  for (const auto& [key, value] : values) ADD_FAILURE() << "unused golden weight " << prefix << key;
}

const bool melscale = register_golden_checker("melscale_fbanks", [](const Golden& g, const std::string&) {
  const auto fb = dsp::melscale_fbanks(g.integer("n_freqs"), g.real("f_min"), g.real("f_max"),
                                       g.integer("n_mels"), g.integer("sample_rate"));
  EXPECT_TRUE(close_f32(fb, g.at("fbanks")));
});

const bool spectrogram = register_golden_checker("spectrogram", [](const Golden& g, const std::string&) {
  Spectrogram spec(SpectrogramOptions::from_seconds(g.integer("sample_rate"), g.real("win_sec"),
                                                    g.real("hop_sec"), g.integer("n_fft")));
  EXPECT_TRUE(close_f32(spec->forward(g.at("waveform")), g.at("output")));
});

const bool sincgram = register_golden_checker("sincgram", [](const Golden& g, const std::string&) {
  auto options = SincGramOptions(g.integer("num_spectrogram_bins"), g.integer("sample_rate"))
                     .filters(g.integer("filters"))
                     .order(g.integer("order"))
                     .f_min(g.real("lower_edge_hertz"))
                     .f_max(g.real("upper_edge_hertz"))
                     .eps(g.real("eps"));
  SincGram layer(options);
  EXPECT_TRUE(close_f64(layer->freq_centers, g.at("init_freq_centers"))) << "mel init: centres";
  EXPECT_TRUE(close_f64(layer->bands, g.at("init_bands"))) << "mel init: bandwidths";
  {
    torch::NoGradGuard no_grad;
    layer->freq_centers.copy_(g.at("freq_centers"));
    layer->bands.copy_(g.at("bands"));
  }
  EXPECT_TRUE(close_f64(layer->filter_matrix(), g.at("weights"))) << "filter matrix";
  const auto out = layer->forward(g.at("input"));
  EXPECT_TRUE(close_f32(out, g.at("output")));
  (out * g.at("upstream_grad")).sum().backward();
  EXPECT_TRUE(close_f64_gradient(layer->freq_centers.grad(), g.at("grad_freq_centers"))) << "d/d centres";
  EXPECT_TRUE(close_f64_gradient(layer->bands.grad(), g.at("grad_bands"))) << "d/d bands";
});

const bool tfde = register_golden_checker("tfde", [](const Golden& g, const std::string& variant) {
  const auto strategy = parse_tfde_strategy(variant);
  if (g.has("strategy_maxout")) {
    ASSERT_EQ(g.integer("strategy_maxout") != 0, strategy == TfDeStrategy::kMaxout)
        << "file name and strategy_maxout disagree in " << g.path();
  }
  const auto input = g.at("input").clone().requires_grad_(true);
  const int64_t features = input.size(2);
  const int64_t hidden = g.at("w__cSE_network_0_weight").size(0);
  TfDe layer(TfDeOptions(features)
                 .reduction_ratio(static_cast<double>(hidden) / static_cast<double>(features))
                 .strategy(strategy));
  load_prefixed_weights(*layer, g, "w_");
  const auto out = layer->forward(input);
  EXPECT_TRUE(close_f32(out, g.at("output")));
  (out * g.at("upstream_grad")).sum().backward();
  EXPECT_TRUE(close_f32(input.grad(), g.at("grad_input"))) << "d/d input";
});

const bool normalization = register_golden_checker("normalization", [](const Golden& g, const std::string&) {
  for (const bool std_norm : {false, true}) {
    for (const bool freq_norm : {false, true}) {
      const std::string key = std::string("output_std") + (std_norm ? "1" : "0") + "_freq" +
                              (freq_norm ? "1" : "0");
      SpectrogramNorm norm(SpectrogramNormOptions().std_norm(std_norm).freq_norm(freq_norm));
      EXPECT_TRUE(close_f32(norm->forward(g.at("input")), g.at(key))) << key;
    }
  }
});

const bool degram_frontend = register_golden_checker("degram_frontend", [](const Golden& g, const std::string&) {
  // The reference front end: SincGram → TF-DE (maxout) → normalisation (std, per frequency);
  // optional keys override those defaults when a golden set carries them.
  auto options = DEGramOptions(g.integer("num_spectrogram_bins"), g.integer("sample_rate"))
                     .log_compression(false);  // the PyTorch release has no log before attention
  options.sincgram()->filters(g.integer("filters")).order(g.integer("order"));
  if (g.has("log_compression")) options.log_compression(g.integer("log_compression") != 0);
  if (g.has("eps")) options.sincgram()->eps(g.real("eps"));
  if (g.has("std_norm")) options.normalization()->std_norm(g.integer("std_norm") != 0);
  if (g.has("freq_norm")) options.normalization()->freq_norm(g.integer("freq_norm") != 0);
  if (g.has("w_de__cSE_network_0_weight")) {
    options.attention()->reduction_ratio(static_cast<double>(g.at("w_de__cSE_network_0_weight").size(0)) /
                                         static_cast<double>(options.sincgram()->filters()));
  }
  DEGram frontend(options);
  load_prefixed_weights(*frontend, g, "w_");
  const auto out = frontend->forward(g.at("input"));
  EXPECT_TRUE(close_f32(out, g.at("output")));
});

}  // namespace
}  // namespace tfgram::testing
