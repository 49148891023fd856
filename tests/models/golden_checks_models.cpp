// Golden checkers for the models: the published weights (`state_dict/<published name>`) load
// through the published-name loader and reproduce the published outputs in evaluation mode.
// Configuration comes from each file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/close.h"
#include "support/golden_checkers.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::models;

// Reads the file again through the library's own reader: the weights are the keys under
// "state_dict/"; the other keys (input, output, config) are ignored by the prefix.
void load_golden_weights(torch::nn::Module& model, const Golden& g,
                         const PublishedNameMap& names = {}) {
  PublishedLoadOptions options;
  options.prefix = "state_dict/";
  const auto report = load_published_weights(model, g.path(), names, options);
  EXPECT_EQ(report.loaded.size(), g.with_prefix("state_dict/").size()) << "every weight is used";
}

const bool cnn6 = register_golden_checker("cnn6", [](const Golden& g, const std::string&) {
  const auto& input = g.at("input");  // (B, 1, T, n_mels), as the backbone receives it
  Cnn6 model(Cnn6Options(g.integer("classes"), g.integer("n_mels")).in_channels(input.size(1)));
  load_golden_weights(*model, g);
  model->eval();
  torch::NoGradGuard no_grad;
  // The published CNN6 returns sigmoid probabilities; ours returns the logits.
  EXPECT_TRUE(close_f32(torch::sigmoid(model->forward(input)), g.at("output")));
});

const bool resnet18 = register_golden_checker("resnet18", [](const Golden& g, const std::string&) {
  const auto& input = g.at("input");  // (B, C, F, T)
  ResNet model(ResNetOptions::resnet18(g.integer("classes")).in_channels(input.size(1)));
  load_golden_weights(*model, g);
  model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(close_f32(model->forward(input), g.at("output")));
});

// DMEL classifiers: the whole model, front end included, from (B, N) audio.
void check_dmel_classifier(const Golden& g, ClassifierConfig config) {
  const auto& input = g.at("input");
  config.num_classes = g.integer("classes");
  config.n_points = g.integer("n_points");
  ASSERT_EQ(input.size(1), config.n_points) << "input length and n_points disagree in " << g.path();
  config.assign("frontend.dmel.hop_length", g.integer("hop_length"));
  // Only sets the shape rules; the loader overwrites λ with the file's value.
  config.assign("frontend.dmel.lambd", g.at("state_dict/spectrogram_layer.lambd").item<double>());
  Classifier model(config);
  load_golden_weights(*model, g, model->published_names());
  EXPECT_FLOAT_EQ(*train::LearnedValues{model->learned_values()}.scalar("lambd"), std::abs(config.frontend.section<frontends::DMelOptions>("dmel").lambd()));
  model->eval();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(close_f32(model->forward(input), g.at("output")));
}

const bool linear_net = register_golden_checker("linear_net", [](const Golden& g, const std::string&) {
  ClassifierConfig config;
  config.frontend.kind = "dspec";  // differentiable linear spectrogram, full mode, no log
  config.assign("frontend.dmel.mode", "full");
  config.backbone.kind = "linear";
  check_dmel_classifier(g, config);
});

const bool mel_conv_net = register_golden_checker("mel_conv_net", [](const Golden& g, const std::string&) {
  ClassifierConfig config;
  config.sample_rate = g.integer("sample_rate");
  config.frontend.kind = "dmel";  // power-of-two mode, log(M + 1e-10)
  config.assign("frontend.dmel.mode", "pow2");
  config.assign("frontend.dmel.n_mels", g.integer("n_mels"));
  config.backbone.kind = "mel_conv";
  check_dmel_classifier(g, config);
});

}  // namespace
}  // namespace tfgram::testing
