// Golden checkers for the DMEL side: Gaussian window, differentiable spectrogram (both modes) and
// the batched mel layer. Configuration comes from each file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/close.h"
#include "support/golden_checkers.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::frontends;

const bool window = register_golden_checker("gaussian_window", [](const Golden& g, const std::string&) {
  for (const bool normalized : {false, true}) {
    GaussianWindow layer(GaussianWindowOptions(g.integer("window_length"), g.real("lambd"))
                             .normalized(normalized));
    EXPECT_TRUE(close_f32(layer->forward(), g.at(normalized ? "window_normalized" : "window")))
        << (normalized ? "normalized" : "plain");
  }
});

void check_dspec(const Golden& g, dsp::WindowMode mode) {
  const int64_t hop = g.has("hop_length") ? g.integer("hop_length") : 1;
  DifferentiableSpectrogram layer(
      DifferentiableSpectrogramOptions(g.real("lambd")).mode(mode).hop_length(hop));
  const auto out = layer->forward(g.at("signal"));
  EXPECT_TRUE(close_f32(out, g.at("output")));
  (out * g.at("upstream_grad")).sum().backward();
  EXPECT_TRUE(close_f32(layer->lambd.grad(), g.at("grad_lambd"))) << "d/d lambda";
}

const bool dspec = register_golden_checker("dspec", [](const Golden& g, const std::string& variant) {
  // dspec_full: L = N; dspec_optimized: the reference's power-of-two ("optimized") mode.
  check_dspec(g, dsp::parse_window_mode(variant));
});

const bool dmel_layer = register_golden_checker("dmel_layer", [](const Golden& g, const std::string&) {
  DMel layer(DMelOptions(g.real("lambd"), g.integer("sample_rate"))
                 .n_mels(g.integer("n_mels"))
                 .hop_length(g.integer("hop_length")));
  const auto out = layer->forward(g.at("input"));
  EXPECT_TRUE(close_f32(out, g.at("output")));
  torch::log(out + 1e-10).mean().backward();
  EXPECT_TRUE(close_f32(layer->lambd.grad(), g.at("grad_lambd_of_mean_log"))) << "d/d lambda";
});

}  // namespace
}  // namespace tfgram::testing
