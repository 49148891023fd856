// Published-name weights: the name maps of each classifier layout, round trips through a
// torch.save-format file, clear errors, dtype conversion, and (when /usr/bin/python3 has torch)
// that Python's torch.load reads our files and we read Python's.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <unistd.h>

#include "support/close.h"
#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::models;
namespace fs = std::filesystem;

class PublishedWeights : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::manual_seed(0);
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("tfgram_weights_" + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

ClassifierConfig config(const std::string& frontend, const std::string& backbone) {
  ClassifierConfig c;
  c.num_classes = 4;
  c.n_points = 2000;
  c.frontend.kind = frontend;
  c.backbone.kind = backbone;
  c.assign("frontend.dmel.n_mels", 16);
  c.assign("frontend.stft.n_fft", 256);
  return c;
}

std::set<std::string> keys(const std::vector<std::pair<std::string, torch::Tensor>>& state) {
  std::set<std::string> out;
  for (const auto& item : state) out.insert(item.first);
  return out;
}

TEST_F(PublishedWeights, SmallDmelNetsAreFlatBesideSpectrogramLayer) {
  Classifier model(config("dmel", "mel_conv"));
  // MelConvNet's own state_dict names.
  EXPECT_EQ(keys(published_state_dict(*model, model->published_names())),
            (std::set<std::string>{"spectrogram_layer.lambd", "conv1.weight", "conv1.bias",
                                   "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}));
  const auto names = model->published_names();
  EXPECT_EQ(names.to_ours("fc1.weight"), "backbone.fc1.weight");
  EXPECT_EQ(names.to_ours("spectrogram_layer.lambd"), "spectrogram_layer.lambd");
}

TEST_F(PublishedWeights, Cnn6SitsUnderSpectrogramModel) {
  Classifier model(config("dmel", "cnn6"));
  const auto names = keys(published_state_dict(*model, model->published_names()));
  EXPECT_TRUE(names.count("spectrogram_layer.lambd"));
  EXPECT_TRUE(names.count("spectrogram_model.bn1.running_mean"));
  EXPECT_TRUE(names.count("spectrogram_model.conv_block4.conv1.weight"));
  EXPECT_TRUE(names.count("spectrogram_model.fc_esc50.bias"));
}

TEST_F(PublishedWeights, DEGramModelKeepsItsLayersAtTopLevel) {
  Classifier model(config("degram", "resnet18"));
  const auto names = keys(published_state_dict(*model, model->published_names()));
  EXPECT_TRUE(names.count("sincgram.freq_centers"));
  EXPECT_TRUE(names.count("sincgram.bands"));
  EXPECT_TRUE(names.count("de._cSE.network.0.weight"));
  EXPECT_TRUE(names.count("de._sSE.conv.bias"));
  EXPECT_TRUE(names.count("backbone.layer4.1.bn2.weight"));
  for (const auto& name : names) {
    EXPECT_EQ(name.find("window"), std::string::npos) << "the fixed Hann window is not published";
    EXPECT_EQ(name.find("spectrogram_layer"), std::string::npos) << name;
  }
}

TEST_F(PublishedWeights, RoundTripThroughAFile) {
  for (const auto& [frontend, backbone] : std::vector<std::pair<std::string, std::string>>{
           {"dmel", "mel_conv"}, {"dmel", "cnn6"}, {"degram", "resnet18"}, {"spectrogram", "mel_mlp"}}) {
    SCOPED_TRACE(frontend + " + " + backbone);
    torch::manual_seed(1);
    Classifier source(config(frontend, backbone));
    {
      // Non-default batch-norm statistics, so buffers are exercised too.
      torch::NoGradGuard no_grad;
      for (auto& buffer : source->named_buffers()) {
        if (buffer.key().find("running_") != std::string::npos) buffer.value().uniform_(0.5, 1.5);
      }
    }
    save_published_weights(*source, path("weights.pt"), source->published_names());
    torch::manual_seed(2);
    Classifier target(config(frontend, backbone));
    const auto report = load_published_weights(*target, path("weights.pt"), target->published_names());
    EXPECT_TRUE(report.missing.empty() && report.unexpected.empty());
    source->eval();
    target->eval();
    torch::NoGradGuard no_grad;
    const auto audio = torch::randn({2, 2000});
    EXPECT_TRUE(torch::equal(source->forward(audio), target->forward(audio)));
  }
}

TEST_F(PublishedWeights, HalfPrecisionIsConvertedToTheModuleDtype) {
  ResNet model(ResNetOptions::resnet18(3));
  auto state = published_state_dict(*model);
  std::map<std::string, torch::Tensor> half;
  for (auto& [name, tensor] : state) {
    if (name.find("num_batches_tracked") != std::string::npos) continue;  // published files omit it
    half.emplace(name, (tensor.is_floating_point() ? tensor * 0.5 : tensor).to(torch::kHalf));
  }
  load_published_weights(*model, half);
  EXPECT_EQ(model->fc->weight.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(model->fc->weight, half.at("fc.weight").to(torch::kFloat32)));
}

TEST_F(PublishedWeights, ErrorsListEveryProblemAndChangeNothing) {
  LinearNet model(DMelNetOptions::linear(1, 4, 5, 3));
  const auto before = model->fc->weight.clone();
  auto expect_error = [&](const std::map<std::string, torch::Tensor>& file,
                          const std::vector<std::string>& words) {
    try {
      load_published_weights(*model, file);
      ADD_FAILURE() << "no error";
    } catch (const std::runtime_error& error) {
      for (const auto& word : words) {
        EXPECT_NE(std::string(error.what()).find(word), std::string::npos)
            << "'" << word << "' not in: " << error.what();
      }
    }
    EXPECT_TRUE(torch::equal(model->fc->weight, before)) << "nothing is copied on error";
  };
  const auto weight = torch::zeros({3, 20});
  const auto bias = torch::zeros({3});
  expect_error({{"fc.weight", weight}}, {"missing", "fc.bias"});
  expect_error({{"fc.weight", weight}, {"fc.bias", bias}, {"fc2.bias", bias}},
               {"unexpected", "fc2.bias"});
  expect_error({{"fc.weight", torch::zeros({3, 21})}, {"fc.bias", bias}},
               {"shape mismatch", "fc.weight", "[3, 21]"});
  EXPECT_THROW(load_published_weights(*model, path("absent.pt")), std::runtime_error);

  PublishedLoadOptions lenient;
  lenient.strict = false;
  const auto report = load_published_weights(*model, {{"fc.weight", weight}, {"extra", bias}}, {}, lenient);
  EXPECT_EQ(report.loaded, (std::vector<std::string>{"fc.weight"}));
  EXPECT_EQ(report.missing, (std::vector<std::string>{"fc.bias"}));
  EXPECT_EQ(report.unexpected, (std::vector<std::string>{"extra"}));
  EXPECT_TRUE(torch::equal(model->fc->weight, weight));
}

TEST_F(PublishedWeights, PrefixSelectsTheWeights) {
  LinearNet model(DMelNetOptions::linear(1, 2, 2, 2));
  PublishedLoadOptions options;
  options.prefix = "state_dict/";
  const auto report = load_published_weights(
      *model,
      {{"state_dict/fc.weight", torch::ones({2, 4})}, {"state_dict/fc.bias", torch::ones({2})},
       {"input", torch::zeros({3})}},
      {}, options);
  EXPECT_EQ(report.loaded.size(), 2u);
  EXPECT_TRUE(model->fc->bias.eq(1).all().item<bool>());
}

bool python_has_torch() {
  return std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0;
}

// Python reads our file and writes every value back doubled (so it really read them) as a plain
// dict, which we read. A bare module.state_dict() (an OrderedDict with _metadata) is beyond
// LibTorch's unpickler: that must fail with advice on how to save a readable file.
TEST_F(PublishedWeights, PythonTorchLoadReadsOurFilesAndWeReadPythons) {
  if (!python_has_torch()) GTEST_SKIP() << "/usr/bin/python3 has no torch module";
  Classifier model(config("dmel", "cnn6"));
  const auto names = model->published_names();
  save_published_weights(*model, path("ours.pt"), names);

  const auto script = path("check.py");
  std::ofstream(script) << R"PY(
import collections, sys, torch
d = torch.load(sys.argv[1])
assert type(d) is dict, type(d)
assert all(isinstance(v, torch.Tensor) for v in d.values())
assert d["spectrogram_model.fc1.weight"].shape == (512, 512)
assert d["spectrogram_model.bn1.num_batches_tracked"].dtype == torch.int64
doubled = {k: v * 2 for k, v in d.items()}
torch.save(doubled, sys.argv[2])
state = collections.OrderedDict(doubled)
state._metadata = collections.OrderedDict({"": {"version": 1}})
torch.save(state, sys.argv[3])
print(len(d))
)PY";
  const std::string command = "/usr/bin/python3 " + script + " " + path("ours.pt") + " " +
                              path("plain.pt") + " " + path("ordered.pt") + " > " + path("out.txt") + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream out(path("out.txt"));
  const std::string printed((std::istreambuf_iterator<char>(out)), std::istreambuf_iterator<char>());
  ASSERT_EQ(status, 0) << printed;
  const auto state = published_state_dict(*model, names);
  EXPECT_EQ(std::stoul(printed), state.size());

  const auto back = read_tensor_dict(path("plain.pt"));
  ASSERT_EQ(back.size(), state.size());
  for (const auto& [name, tensor] : state) {
    ASSERT_TRUE(back.count(name)) << name;
    EXPECT_TRUE(torch::equal(back.at(name), tensor * 2)) << name;
  }
  Classifier reloaded(config("dmel", "cnn6"));
  load_published_weights(*reloaded, path("plain.pt"), reloaded->published_names());
  EXPECT_TRUE(torch::equal(reloaded->named_parameters()["backbone.fc1.weight"],
                           model->named_parameters()["backbone.fc1.weight"] * 2));

  try {
    read_tensor_dict(path("ordered.pt"));
    ADD_FAILURE() << "LibTorch 1.13 was expected to reject an OrderedDict file";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("dict(model.state_dict())"), std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace tfgram::testing
