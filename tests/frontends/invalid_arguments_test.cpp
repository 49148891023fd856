// Bad arguments throw std::invalid_argument whose message names the parameter and what is accepted.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::frontends;

#define EXPECT_INVALID(statement, ...)                                                    \
  do {                                                                                    \
    try {                                                                                 \
      statement;                                                                          \
      ADD_FAILURE() << "no exception from: " #statement;                                  \
    } catch (const std::invalid_argument& error) {                                        \
      const std::string message = error.what();                                           \
      for (const std::string fragment : {__VA_ARGS__}) {                                  \
        EXPECT_NE(message.find(fragment), std::string::npos)                              \
            << "message '" << message << "' lacks '" << fragment << "'";                  \
      }                                                                                   \
    } catch (const std::exception& error) {                                               \
      ADD_FAILURE() << "wrong exception type from " #statement ": " << error.what();      \
    }                                                                                     \
  } while (0)

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(InvalidArguments, SincGram) {
  EXPECT_INVALID(SincGram(SincGramOptions(257, 16000).filters(0)), "filters", ">= 1", "got 0");
  EXPECT_INVALID(SincGram(SincGramOptions(1, 16000)), "n_freqs", ">= 2");
  EXPECT_INVALID(SincGram(SincGramOptions(257, 16000).order(0)), "order", ">= 1");
  EXPECT_INVALID(SincGram(SincGramOptions(257, 0)), "sample_rate", "> 0");
  EXPECT_INVALID(SincGram(SincGramOptions(257, 16000).f_max(9000.0)), "f_max", "sample_rate/2");
  EXPECT_INVALID(SincGram(SincGramOptions(257, 16000).eps(kNaN)), "eps");
  SincGram layer(SincGramOptions(257, 16000));
  EXPECT_INVALID(layer->forward(torch::rand({257, 10})), "SincGram", "(B, C, K, T)", "rank 2");
  EXPECT_INVALID(layer->forward(torch::rand({1, 1, 256, 10})), "256", "n_freqs = 257");
  EXPECT_INVALID(parse_sincgram_init("uniform"), "mel", "random", "uniform");
}

TEST(InvalidArguments, TfDeAndNorm) {
  EXPECT_INVALID(TfDe(TfDeOptions(0)), "features", ">= 1");
  EXPECT_INVALID(TfDe(TfDeOptions(64).reduction_ratio(0.0)), "reduction_ratio", "(0, 1]");
  EXPECT_INVALID(TfDe(TfDeOptions(64).time_kernel_size(4)), "time_kernel_size", "odd");
  TfDe layer(TfDeOptions(64));
  EXPECT_INVALID(layer->forward(torch::rand({2, 2, 64, 5})), "(B, 1, F, T)");
  EXPECT_INVALID(layer->forward(torch::rand({2, 1, 63, 5})), "63", "features = 64");
  EXPECT_INVALID(parse_tfde_strategy("mean"), "maxout", "concat", "mean");
  SpectrogramNorm norm;
  EXPECT_INVALID(norm->forward(torch::rand({2, 5})), "SpectrogramNorm", "(B, C, F, T)");
  EXPECT_INVALID(norm->forward(torch::rand({2, 1, 4, 1})), "at least 2");
}

TEST(InvalidArguments, DEGram) {
  EXPECT_INVALID(DEGram(DEGramOptions(257, 16000).sincgram(std::nullopt).attention(std::nullopt)), "sincgram",
                 "attention");
  EXPECT_INVALID(DEGram(DEGramOptions(1, 16000)), "n_freqs", ">= 2");
  DEGram frontend(DEGramOptions(257, 16000));
  EXPECT_INVALID(frontend->forward(torch::rand({2, 257, 10})), "(B, 1, K, T)");
}

TEST(InvalidArguments, Spectrogram) {
  EXPECT_INVALID(Spectrogram(SpectrogramOptions(1)), "n_fft", ">= 2");
  EXPECT_INVALID(Spectrogram(SpectrogramOptions(512).win_length(1024)), "win_length", "[1, n_fft=512]");
  EXPECT_INVALID(Spectrogram(SpectrogramOptions(512).hop_length(-1)), "hop_length", ">= 1");
  EXPECT_INVALID(SpectrogramOptions::from_seconds(16000, 0.0, 0.01, 512), "win_sec");
  Spectrogram spec(SpectrogramOptions(512));
  EXPECT_INVALID(spec->forward(torch::rand({100})), "n_fft/2 = 256", "got 100");
  EXPECT_INVALID(spec->forward(torch::rand({1, 1, 1000})), "(N) or (B, N)", "rank 3");
}

TEST(InvalidArguments, GaussianLayers) {
  EXPECT_INVALID(DMel(DMelOptions(kNaN, 8000)), "lambd", "finite");
  EXPECT_INVALID(DMel(DMelOptions(kInf, 8000)), "lambd", "finite");
  EXPECT_INVALID(DMel(DMelOptions(0.0, 8000)), "lambd", "non-zero");
  EXPECT_INVALID(DMel(DMelOptions(10.0, 8000).hop_length(0)), "hop_length", ">= 1");
  EXPECT_INVALID(DMel(DMelOptions(10.0, 8000).n_mels(0)), "n_mels", ">= 1");
  EXPECT_INVALID(DMel(DMelOptions(10.0, 8000).f_max(5000.0)), "f_max", "sample_rate/2");
  EXPECT_INVALID(DifferentiableSpectrogram(DifferentiableSpectrogramOptions(5.0).hop_length(0)),
                 "hop_length", ">= 1");
  EXPECT_INVALID(GaussianWindow(GaussianWindowOptions(0, 5.0)), "window_length", ">= 1");
  EXPECT_INVALID(GaussianWindow(GaussianWindowOptions(16, kNaN)), "lambd");
  DMel layer(DMelOptions(10.0, 8000));
  EXPECT_INVALID(layer->forward(torch::rand({100})), "(B, N)", "rank 1");
  EXPECT_INVALID(layer->forward(torch::rand({2, 1})), "at least 2 samples", "got 1");
  {
    torch::NoGradGuard no_grad;
    layer->lambd.fill_(std::numeric_limits<float>::quiet_NaN());  // a diverged training step
  }
  EXPECT_INVALID(layer->forward(torch::rand({2, 100})), "lambd", "finite");
  EXPECT_INVALID(dsp::parse_window_mode("half"), "full", "pow2", "half");
  EXPECT_INVALID(dsp::melscale_fbanks(1, 0, 4000, 10, 8000), "n_freqs", ">= 2");
  EXPECT_INVALID(dsp::melscale_fbanks(257, 0, 4000, 0, 8000), "n_mels", ">= 1");
}

}  // namespace
}  // namespace tfgram::testing
