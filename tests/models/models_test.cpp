// Backbones and the Classifier: published parameter counts, shapes and gradients of every
// front end × backbone assembly on (B, N) audio, dropout only in training, optimiser groups.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>
#include <string>
#include <vector>

#include "support/close.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::models;

class Models : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(0); }
};

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

// ---- parameter counts of the published architectures ----

// torchvision's resnet18 (3-channel stem, 1000 classes) has 11,689,512 parameters. The
// one-channel stem drops 64·(3−1)·7·7 = 6,272 and a 10-class head replaces 512·1000+1000 =
// 513,000 by 512·10+10 = 5,130: 11,689,512 − 6,272 − 513,000 + 5,130 = 11,175,370.
// Layer by layer: stem conv 3,136 + bn 128; layer1 2·(2·36,864 + 2·128) = 147,968;
// layer2 (73,728 + 147,456 + 8,192 + 3·256) + (2·147,456 + 2·256) = 525,568;
// layer3 (294,912 + 589,824 + 32,768 + 3·512) + (2·589,824 + 2·512) = 2,099,712;
// layer4 (1,179,648 + 2,359,296 + 131,072 + 3·1,024) + (2·2,359,296 + 2·1,024) = 8,393,728;
// fc 5,130. Sum 11,175,370. (Checked in Python: the resnet18 golden's state dict, whose head
// has 5 classes, holds 11,172,805 = 11,175,370 − 2,565 trainable values.)
TEST_F(Models, ResNet18ParameterCountIsPublished) {
  EXPECT_EQ(parameter_count(*ResNet(ResNetOptions::resnet18(10))), 11175370);
}

// torchvision's resnet34: 21,797,672 − 6,272 − 513,000 + 5,130 = 21,283,530.
TEST_F(Models, ResNet34ParameterCountIsPublished) {
  EXPECT_EQ(parameter_count(*ResNet(ResNetOptions::resnet34(10))), 21283530);
}

// PANNs CNN6 (64 mels, 50 classes): bn over mels 2·64 = 128; conv blocks (5×5, no bias, + BN)
// 1,600 + 128, 204,800 + 256, 819,200 + 512, 3,276,800 + 1,024; fc1 512·512 + 512 = 262,656;
// fc_esc50 512·50 + 50 = 25,650. Sum 4,592,754. With AudioSet's 527 classes the same
// arithmetic gives 4,837,455, the 4.8 M the PANNs paper reports for CNN6. (The cnn6 golden,
// 10 classes, holds 4,572,234 = 4,592,754 − 20,520 trainable values.)
TEST_F(Models, Cnn6ParameterCountIsPublished) {
  EXPECT_EQ(parameter_count(*Cnn6(Cnn6Options(50, 64))), 4592754);
  EXPECT_EQ(parameter_count(*Cnn6(Cnn6Options(527, 64))), 4837455);
}

// ---- backbones on their own ----

TEST_F(Models, ResNetTakesAnyChannelCountAndSize) {
  ResNet net(ResNetOptions::resnet18(7).in_channels(2));
  const auto x = torch::randn({3, 2, 40, 33}, torch::requires_grad());
  const auto y = net->forward(x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{3, 7}));
  y.sum().backward();
  EXPECT_TRUE(x.grad().defined() && all_finite(x.grad()));
  EXPECT_TRUE(net->conv1->weight.grad().defined());
  EXPECT_THROW(net->forward(torch::randn({3, 1, 40, 33})), std::invalid_argument);
}

TEST_F(Models, ResNetUsesTorchvisionNames) {
  ResNet net(ResNetOptions::resnet18(4));
  const auto params = net->named_parameters();
  for (const char* name : {"conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer1.1.bn2.bias",
                           "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight",
                           "layer4.1.conv2.weight", "fc.weight", "fc.bias"}) {
    EXPECT_NE(params.find(name), nullptr) << name;
  }
  EXPECT_EQ(params.find("layer1.0.downsample.0.weight"), nullptr) << "no shortcut conv in layer1";
  EXPECT_NE(net->named_buffers().find("layer3.0.downsample.1.running_var"), nullptr);
}

TEST_F(Models, Cnn6InitialisationAndShape) {
  Cnn6 net(Cnn6Options(5, 32));
  EXPECT_TRUE(net->bn1->weight.eq(1).all().item<bool>());
  EXPECT_TRUE(net->bn1->bias.eq(0).all().item<bool>());
  EXPECT_TRUE(net->fc1->bias.eq(0).all().item<bool>());
  EXPECT_FALSE(net->conv_block1->conv1->bias.defined()) << "published convolutions have no bias";
  // Xavier-uniform bound sqrt(6 / (fan_in + fan_out)) for fc1 (512 → 512).
  EXPECT_LE(net->fc1->weight.abs().max().item<double>(), std::sqrt(6.0 / 1024.0));
  const auto x = torch::randn({2, 1, 40, 32}, torch::requires_grad());
  net->eval();
  const auto y = net->forward(x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{2, 5}));
  y.sum().backward();
  EXPECT_TRUE(all_finite(x.grad()));
  EXPECT_THROW(net->forward(torch::randn({2, 1, 40, 64})), std::invalid_argument) << "mel bins";
}

// ---- the classifier: every front end with backbones it supports ----

struct Assembly {
  std::string name;
  ClassifierConfig config;
  std::vector<int64_t> feature_shape;  // (C, F, T)
  bool learnable_frontend;
};

// Test names and failure messages show the case's name, not a byte dump of the struct.
void PrintTo(const Assembly& a, std::ostream* out) { *out << a.name; }

ClassifierConfig base(const std::string& frontend, const std::string& backbone, int64_t n_points) {
  ClassifierConfig c;
  c.num_classes = 3;
  c.sample_rate = 8000;
  c.n_points = n_points;
  c.frontend.kind = frontend;
  c.backbone.kind = backbone;
  c.assign("frontend.dmel.n_mels", 32);
  c.assign("frontend.stft.n_fft", 256);
  return c;
}

std::vector<Assembly> assemblies() {
  std::vector<Assembly> list;
  // DMEL (λ for 35 ms → 512-sample window), 32 mels, 4000 samples, hop 80 → 51 frames.
  for (const char* backbone : {"linear", "mel_linear", "mel_mlp", "mel_conv", "cnn6", "resnet18",
                               "resnet34"}) {
    list.push_back({std::string("dmel_") + backbone, base("dmel", backbone, 4000), {1, 32, 51}, true});
  }
  list.push_back({"logmel_mel_linear", base("logmel", "mel_linear", 4000), {1, 32, 51}, false});
  {
    auto c = base("dspec", "linear", 64);  // the synthetic task's model: full mode, hop 1
    c.assign("frontend.dmel.mode", "full");
    c.assign("frontend.dmel.hop_length", 1);
    c.assign("frontend.dmel.lambd", 6.38);
    list.push_back({"dspec_linear", c, {1, 65, 65}, true});
  }
  list.push_back({"spectrogram_mel_mlp", base("spectrogram", "mel_mlp", 2000), {1, 129, 26}, false});
  list.push_back({"degram_resnet18", base("degram", "resnet18", 4000), {1, 64, 51}, true});
  list.push_back({"degram_cnn6", base("degram", "cnn6", 4000), {1, 64, 51}, true});
  {
    auto c = base("degram", "resnet18", 4000);
    c.assign("frontend.degram.attention.strategy", "concat");
    list.push_back({"degram_concat_resnet18", c, {2, 64, 51}, true});
  }
  return list;
}

class ClassifierAssembly : public ::testing::TestWithParam<Assembly> {
 protected:
  void SetUp() override { torch::manual_seed(0); }
};

TEST_P(ClassifierAssembly, ShapesAndGradients) {
  const auto& a = GetParam();
  Classifier model(a.config);
  const auto audio = torch::randn({2, a.config.n_points});
  const auto features = model->features(audio);
  EXPECT_EQ(features.sizes().vec(), (std::vector<int64_t>{2, a.feature_shape[0], a.feature_shape[1],
                                                          a.feature_shape[2]}));
  EXPECT_EQ(model->feature_shape().features, a.feature_shape[1]);
  const auto logits = model->forward(audio);
  ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{2, 3}));
  ASSERT_TRUE(all_finite(logits));

  logits.pow(2).sum().backward();
  EXPECT_FALSE(model->model_parameters().empty());
  for (const auto& p : model->model_parameters()) {
    ASSERT_TRUE(p.grad().defined()) << "a backbone parameter got no gradient";
    EXPECT_TRUE(all_finite(p.grad()));
  }
  if (a.learnable_frontend) {
    ASSERT_FALSE(model->frontend_parameters().empty());
    bool nonzero = false;
    for (const auto& p : model->frontend_parameters()) {
      ASSERT_TRUE(p.grad().defined()) << "a front-end parameter got no gradient";
      EXPECT_TRUE(all_finite(p.grad()));
      nonzero = nonzero || p.grad().abs().sum().item<double>() > 0;
    }
    EXPECT_TRUE(nonzero) << "the front end must learn";
  } else {
    for (const auto& p : model->frontend_parameters()) {
      EXPECT_FALSE(p.requires_grad()) << "a fixed front end must not train";
    }
  }
  // The two optimiser groups partition the parameters.
  EXPECT_EQ(model->frontend_parameters().size() + model->model_parameters().size(),
            model->parameters().size());
  const bool sigmoid = a.config.backbone.kind == "cnn6";
  EXPECT_EQ(model->output_activation(), sigmoid ? OutputActivation::kSigmoid : OutputActivation::kSoftmax);
  const auto probabilities = model->probabilities(logits.detach());
  if (!sigmoid) EXPECT_TRUE(close_f32(probabilities.sum(-1), torch::ones({2})));
}

INSTANTIATE_TEST_SUITE_P(Kinds, ClassifierAssembly, ::testing::ValuesIn(assemblies()),
                         [](const ::testing::TestParamInfo<Assembly>& info) { return info.param.name; });

// ---- dropout: active in training, off in evaluation ----

TEST_F(Models, DropoutOnlyInTraining) {
  for (const char* backbone : {"mel_linear", "mel_mlp", "cnn6"}) {
    SCOPED_TRACE(backbone);
    Classifier model(base("dmel", backbone, 4000));
    const auto audio = torch::randn({2, 4000});
    torch::NoGradGuard no_grad;
    model->eval();
    EXPECT_TRUE(torch::equal(model->forward(audio), model->forward(audio)))
        << "evaluation must be deterministic (the reference leaves mel_linear's dropout on)";
    model->train();
    EXPECT_FALSE(torch::equal(model->forward(audio), model->forward(audio)))
        << "training applies dropout";
  }
}

// ---- λ and the optimiser groups ----

TEST_F(Models, LambdaIsTheFrontendGroup) {
  auto config = base("dmel", "mel_conv", 4000);
  config.assign("frontend.dmel.lambd", 0.035 * 8000 / 6);
  Classifier model(config);
  ASSERT_EQ(model->frontend_parameters().size(), 1u);
  EXPECT_TRUE(model->frontend_parameters()[0].is_same(model->named_parameters()["spectrogram_layer.lambd"]));
  const train::LearnedValues learned{model->learned_values()};
  EXPECT_NEAR(*learned.scalar("lambd"), 0.035 * 8000 / 6, 1e-4);
  EXPECT_NEAR(*learned.scalar("window_ms"), 35.0, 1e-3);
  config.frontend.trainable = false;
  EXPECT_FALSE(Classifier(config)->frontend_parameters()[0].requires_grad());
  const train::LearnedValues degram{Classifier(base("degram", "resnet18", 4000))->learned_values()};
  EXPECT_FALSE(degram.scalar("lambd").has_value());
  EXPECT_EQ(degram.vector("center_hz").size(), 64u);
}

TEST_F(Models, ClassifierRejectsBadInput) {
  Classifier model(base("dmel", "mel_linear", 4000));
  EXPECT_THROW(model->forward(torch::randn({4000})), std::invalid_argument);
  EXPECT_THROW(model->forward(torch::randn({2, 3000})), std::invalid_argument)
      << "a flattening head is built for n_points";
}

TEST_F(Models, ClassifierFollowsInputDtype) {
  Classifier model(base("dmel", "mel_conv", 4000));
  model->to(torch::kFloat64);
  model->eval();
  const auto out = model->forward(torch::randn({2, 4000}, torch::kFloat64));
  EXPECT_EQ(out.scalar_type(), torch::kFloat64);
}

}  // namespace
}  // namespace tfgram::testing
