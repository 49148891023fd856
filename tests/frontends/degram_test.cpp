#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

#include "support/close.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::frontends;

class DEGramTest : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(5); }
};

std::vector<std::string> parameter_names(torch::nn::Module& module) {
  std::vector<std::string> names;
  for (const auto& item : module.named_parameters()) names.push_back(item.key());
  return names;
}

// Options with `filters` SincGram filters (the stages' options are nested).
DEGramOptions with_filters(int64_t n_freqs, int64_t sample_rate, int64_t filters) {
  DEGramOptions options(n_freqs, sample_rate);
  options.sincgram()->filters(filters);
  return options;
}

TEST_F(DEGramTest, PublishedParameterNames) {
  DEGram frontend(DEGramOptions(257, 8000));
  EXPECT_EQ(parameter_names(*frontend),
            (std::vector<std::string>{"sincgram.freq_centers", "sincgram.bands",
                                      "de._cSE.network.0.weight", "de._cSE.network.2.weight",
                                      "de._sSE.conv.weight", "de._sSE.conv.bias"}));
}

TEST_F(DEGramTest, AttentionIsSizedFromItsInput) {
  DEGram with_sincgram(with_filters(257, 8000, 40));
  EXPECT_EQ(with_sincgram->de->options.features(), 40);
  EXPECT_EQ(with_sincgram->forward(torch::rand({2, 1, 257, 9})).sizes(),
            (std::vector<int64_t>{2, 1, 40, 9}));
  DEGram attention_only(DEGramOptions(257, 8000).sincgram(std::nullopt));
  EXPECT_EQ(attention_only->de->options.features(), 257);
  EXPECT_EQ(attention_only->forward(torch::rand({2, 1, 257, 9})).sizes(),
            (std::vector<int64_t>{2, 1, 257, 9}));
}

TEST_F(DEGramTest, ConcatStacksBranchesAsChannels) {
  TfDe two(TfDeOptions(64).strategy(TfDeStrategy::kConcat));
  EXPECT_EQ(two->forward(torch::rand({3, 1, 64, 7})).sizes(), (std::vector<int64_t>{3, 2, 64, 7}));
  TfDe three(TfDeOptions(64).strategy(TfDeStrategy::kConcat).time_excitation(true));
  EXPECT_EQ(three->forward(torch::rand({3, 1, 64, 7})).sizes(), (std::vector<int64_t>{3, 3, 64, 7}));
  EXPECT_EQ(three->output_channels(), 3);
}

TEST_F(DEGramTest, TimeExcitationGatesFrames) {
  TfDe layer(TfDeOptions(16).time_excitation(true).strategy(TfDeStrategy::kMultiply));
  const auto names = parameter_names(*layer);
  EXPECT_NE(std::find(names.begin(), names.end(), "_tSE.conv.weight"), names.end());
  // With only the time branch active (others forced to gate 1), frames are scaled independently.
  const auto x = torch::rand({1, 1, 16, 12}, torch::requires_grad());
  const auto out = layer->forward(x);
  out.sum().backward();
  EXPECT_TRUE(all_finite(x.grad()));
  // Published behaviour (no time branch) leaves the per-frequency gate constant over time:
  TfDe published(TfDeOptions(16));
  const auto ones = torch::ones({1, 1, 16, 5});
  const auto y = published->forward(ones);
  EXPECT_TRUE(torch::allclose(y.select(3, 0), y.select(3, 4)));
}

TEST_F(DEGramTest, MaxoutPicksTheLargerBranch) {
  TfDe maxout(TfDeOptions(32));
  TfDe add(TfDeOptions(32).strategy(TfDeStrategy::kAdd));
  {
    torch::NoGradGuard no_grad;
    auto source = maxout->named_parameters();
    for (auto& item : add->named_parameters()) item.value().copy_(source[item.key()]);
  }
  const auto x = torch::rand({2, 1, 32, 6});
  const auto m = maxout->forward(x);
  const auto a = add->forward(x);
  // For non-negative input: max(u, v) <= u + v and >= (u + v)/2.
  EXPECT_TRUE((m <= a + 1e-6).all().item<bool>());
  EXPECT_TRUE((m >= a / 2 - 1e-6).all().item<bool>());
}

TEST_F(DEGramTest, NormalisationStatistics) {
  const auto x = torch::rand({2, 1, 10, 20}) * 5 + 3;
  SpectrogramNorm per_freq(SpectrogramNormOptions().freq_norm(true));
  const auto y = per_freq->forward(x);
  EXPECT_LT(y.mean({1, 3}).abs().max().item<double>(), 1e-5);
  EXPECT_NEAR(y.std({1, 3}, /*unbiased=*/true).mean().item<double>(), 1.0, 1e-4);
  SpectrogramNorm whole(SpectrogramNormOptions().freq_norm(false));
  const auto z = whole->forward(x);
  EXPECT_NEAR(z[0].std().item<double>(), 1.0, 1e-4);
  SpectrogramNorm centre_only(SpectrogramNormOptions().std_norm(false).freq_norm(false));
  EXPECT_TRUE(all_close(centre_only->forward(x)[0], x[0] - x[0].mean(), 1e-5, 1e-5));
}

TEST_F(DEGramTest, NormalisationGradientMatchesTheComposedFormula) {
  // The analytic backward against autograd of (x − mean) / (sqrt(var + tiny) + eps), in float64,
  // with a constant (silent) row and an input in (B,C,T,F) memory order as SincGram produces it.
  auto x = (torch::rand({3, 2, 5, 7}, torch::kFloat64) * 4 - 1).transpose(2, 3).contiguous()
               .transpose(2, 3);
  {
    torch::NoGradGuard no_grad;
    x[1][0][2].fill_(0.5);
    x[1][1][2].fill_(0.5);
  }
  const auto upstream = torch::randn({3, 2, 5, 7}, torch::kFloat64);
  for (const bool freq_norm : {false, true}) {
    const std::vector<int64_t> dims = freq_norm ? std::vector<int64_t>{1, 3}
                                                : std::vector<int64_t>{1, 2, 3};
    const auto a = x.detach().clone().requires_grad_(true);
    SpectrogramNorm norm(SpectrogramNormOptions().freq_norm(freq_norm));
    const auto out = norm->forward(a);
    (out * upstream).sum().backward();

    const auto b = x.detach().clone().requires_grad_(true);
    const auto tiny = std::numeric_limits<double>::min();
    const auto reference = (b - b.mean(dims, true)) /
                           (torch::sqrt(torch::var(b, dims, /*unbiased=*/true, true) + tiny) + 1e-7);
    (reference * upstream).sum().backward();
    // The fused pass sums in another order than ATen's reductions: scale the absolute part.
    EXPECT_TRUE(close_scaled(out, reference, 1e-12, 1e-12)) << "freq_norm " << freq_norm;
    EXPECT_TRUE(close_scaled(a.grad(), b.grad(), 1e-9, 1e-12)) << "freq_norm " << freq_norm;
    EXPECT_TRUE(all_finite(a.grad()));
  }
}

TEST_F(DEGramTest, NoNaNForSilence) {
  DEGram frontend(with_filters(129, 8000, 16).log_compression(true));
  Spectrogram spec(SpectrogramOptions(256).hop_length(64));
  const auto wave = torch::zeros({2, 4000}, torch::requires_grad());
  const auto out = frontend->forward(spec->forward(wave).unsqueeze(1));
  out.sum().backward();
  EXPECT_TRUE(all_finite(out));
  EXPECT_TRUE(all_finite(wave.grad()));
  for (const auto& p : frontend->parameters()) EXPECT_TRUE(all_finite(p.grad()));
}

struct HeadImpl : torch::nn::Module {
  explicit HeadImpl(int64_t in) : fc(register_module("fc", torch::nn::Linear(in, 3))) {}
  torch::Tensor forward(const torch::Tensor& x) { return fc->forward(x.flatten(1)); }
  torch::nn::Linear fc;
};
TORCH_MODULE(Head);

TEST_F(DEGramTest, ModelWrapsAnyBackbone) {
  models::DEGramModel model(torch::nn::AnyModule(Head(16 * 9)), with_filters(65, 8000, 16));
  const auto logits = model->forward(torch::rand({4, 1, 65, 9}));
  EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{4, 3}));
  logits.sum().backward();
  EXPECT_TRUE(model->frontend->sincgram->bands.grad().defined());
  EXPECT_EQ(model->parameters().size(), 6u + 2u);
}

TEST_F(DEGramTest, Float64EndToEnd) {
  DEGram frontend(with_filters(65, 8000, 8));
  frontend->to(torch::kFloat64);
  Spectrogram spec(SpectrogramOptions(128).hop_length(32));
  const auto power = spec->forward(torch::randn({2, 1000}, torch::kFloat64));
  EXPECT_EQ(power.scalar_type(), torch::kFloat64);
  EXPECT_EQ(frontend->forward(power.unsqueeze(1)).scalar_type(), torch::kFloat64);
}

TEST_F(DEGramTest, SpectrogramFromSeconds) {
  const auto options = SpectrogramOptions::from_seconds(16000, 0.032, 0.010, 2048);
  EXPECT_EQ(options.win_length(), 512);
  EXPECT_EQ(options.hop_length(), 160);
  Spectrogram spec(options);
  EXPECT_EQ(spec->forward(torch::randn({16000})).sizes(), (std::vector<int64_t>{1025, 101}));
}

}  // namespace
}  // namespace tfgram::testing
