// ClassifierConfig: JSON round trip, partial files, set() by dotted key, and every bad value
// rejected with std::invalid_argument naming its key.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "tfgram/tfgram.h"

namespace tfgram::testing {
namespace {
using namespace tfgram::models;

ClassifierConfig valid() {
  ClassifierConfig c;
  c.num_classes = 10;
  return c;
}

// Runs `call`, expecting std::invalid_argument whose message names `key`.
::testing::AssertionResult throws_naming(const std::function<void()>& call, const std::string& key) {
  try {
    call();
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    if (message.find(key) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "message does not name '" << key << "': " << message;
  } catch (const std::exception& error) {
    return ::testing::AssertionFailure() << "wrong exception type: " << error.what();
  }
  return ::testing::AssertionFailure() << "no exception; expected one naming '" << key << "'";
}

TEST(ClassifierConfig, DefaultsValidateOnceClassesAreSet) {
  EXPECT_TRUE(throws_naming([] { ClassifierConfig().Validate(); }, "num_classes"));
  EXPECT_NO_THROW(valid().Validate());
  EXPECT_TRUE(valid().frontend_trainable());
  EXPECT_TRUE(valid().frontend_log()) << "dmel applies log by default";
}

TEST(ClassifierConfig, JsonRoundTrip) {
  auto c = valid();
  c.sample_rate = 16000;
  c.n_points = 12345;
  c.frontend.kind = "degram";
  c.frontend.trainable = false;
  c.assign("frontend.dmel.lambd", 0.3 * 16000 / 6);  // not exactly representable in few digits
  c.assign("frontend.dmel.f_max", 7000.5);
  c.assign("frontend.stft.n_fft", 512);
  c.assign("frontend.degram.attention.reduction_ratio", 1.0 / 3.0);
  c.assign("frontend.degram.attention.strategy", "concat");
  c.assign("frontend.degram.sincgram.f_max", 6000.0);
  c.backbone.kind = "resnet34";
  const auto text = c.to_json();
  const auto back = ClassifierConfig::from_json(text);
  EXPECT_EQ(back, c);
  EXPECT_EQ(back.to_json(), text);
  EXPECT_EQ(back.frontend.section<frontends::DMelOptions>("dmel").lambd(), c.frontend.section<frontends::DMelOptions>("dmel").lambd()) << "doubles survive exactly";
  EXPECT_FALSE(back.frontend.log.has_value()) << "unset stays unset (null)";
  EXPECT_NE(text.find("\"log\": null"), std::string::npos) << text;
  EXPECT_EQ(c.ToString(), text);
}

TEST(ClassifierConfig, PartialJsonKeepsDefaults) {
  const auto c = ClassifierConfig::from_json(
      R"({"num_classes": 50, "backbone": {"kind": "cnn6"}, "frontend": {"dmel": {"hop_length": 40}}})");
  EXPECT_EQ(c.num_classes, 50);
  EXPECT_EQ(c.backbone.kind, "cnn6");
  EXPECT_EQ(c.frontend.section<frontends::DMelOptions>("dmel").hop_length(), 40);
  EXPECT_EQ(c.frontend.section<frontends::DMelOptions>("dmel").n_mels(), 64);
  EXPECT_EQ(c.frontend.kind, "dmel");
  EXPECT_NO_THROW(c.Validate());
}

TEST(ClassifierConfig, JsonErrorsNameTheKey) {
  EXPECT_TRUE(throws_naming([] { ClassifierConfig::from_json(R"({"n_points": "many"})"); }, "n_points"));
  EXPECT_TRUE(throws_naming([] { ClassifierConfig::from_json(R"({"n_points": 8000.5})"); }, "n_points"));
  EXPECT_TRUE(throws_naming(
      [] { ClassifierConfig::from_json(R"({"frontend": {"dmel": {"lambda": 3}}})"); },
      "frontend.dmel.lambda"));
  EXPECT_TRUE(throws_naming([] { ClassifierConfig::from_json(R"({"frontend": 3})"); }, "frontend"));
  EXPECT_TRUE(throws_naming(
      [] { ClassifierConfig::from_json(R"({"frontend": {"log": "yes"}})"); }, "frontend.log"));
  EXPECT_TRUE(throws_naming([] { ClassifierConfig::from_json("{not json"); }, "invalid JSON"));
}

TEST(ClassifierConfig, SetByDottedKey) {
  auto c = valid();
  c.set("frontend.dmel.lambd", "12.5");
  EXPECT_EQ(c.frontend.section<frontends::DMelOptions>("dmel").lambd(), 12.5);
  c.set("backbone.kind", "cnn6");  // a bare word is a string
  EXPECT_EQ(c.backbone.kind, "cnn6");
  c.set("frontend.dmel.f_max", "3000");
  ASSERT_TRUE(c.frontend.section<frontends::DMelOptions>("dmel").f_max().has_value());
  EXPECT_EQ(*c.frontend.section<frontends::DMelOptions>("dmel").f_max(), 3000.0);
  c.set("frontend.dmel.f_max", "null");
  EXPECT_FALSE(c.frontend.section<frontends::DMelOptions>("dmel").f_max().has_value());
  c.set("frontend.trainable", "false");
  EXPECT_FALSE(c.frontend_trainable());

  const auto before = c;
  EXPECT_TRUE(throws_naming([&] { c.set("frontend.nope", "1"); }, "frontend.nope"));
  EXPECT_TRUE(throws_naming([&] { c.set("n_points", "\"x\""); }, "n_points"));
  EXPECT_TRUE(throws_naming([&] { c.set("frontend.dmel", "1"); }, "frontend.dmel"));
  EXPECT_EQ(c, before) << "a failed set leaves the config unchanged";
}

struct BadValue {
  std::string key;
  std::function<void(ClassifierConfig&)> change;
};

TEST(ClassifierConfig, BadValuesNameTheirKey) {
  const std::vector<BadValue> cases = {
      {"num_classes", [](ClassifierConfig& c) { c.num_classes = 0; }},
      {"sample_rate", [](ClassifierConfig& c) { c.sample_rate = -8000; }},
      {"n_points", [](ClassifierConfig& c) { c.n_points = 1; }},
      {"frontend.kind", [](ClassifierConfig& c) { c.frontend.kind = "mfcc"; }},
      {"backbone.kind", [](ClassifierConfig& c) { c.backbone.kind = "vgg"; }},
      {"frontend.dmel.lambd", [](ClassifierConfig& c) { c.assign("frontend.dmel.lambd", 0.0); }},
      {"frontend.dmel.lambd", [](ClassifierConfig& c) { c.assign("frontend.dmel.lambd", std::nan("")); }},
      {"frontend.dmel.mode", [](ClassifierConfig& c) { c.assign("frontend.dmel.mode", "half"); }},
      {"frontend.dmel.hop_length", [](ClassifierConfig& c) { c.assign("frontend.dmel.hop_length", 0); }},
      {"frontend.dmel.n_mels", [](ClassifierConfig& c) { c.assign("frontend.dmel.n_mels", 0); }},
      {"frontend.dmel.f_max", [](ClassifierConfig& c) { c.assign("frontend.dmel.f_max", 5000.0); }},
      {"frontend.dmel.f_min", [](ClassifierConfig& c) { c.assign("frontend.dmel.f_min", -1); }},
      {"frontend.trainable", [](ClassifierConfig& c) {
         c.frontend.kind = "logmel";
         c.frontend.trainable = true;
       }},
      {"frontend.trainable", [](ClassifierConfig& c) {
         c.frontend.kind = "spectrogram";
         c.frontend.trainable = true;
       }},
      {"frontend.log", [](ClassifierConfig& c) {
         c.frontend.kind = "degram";
         c.frontend.log = true;
       }},
      {"frontend.stft.n_fft", [](ClassifierConfig& c) {
         c.frontend.kind = "spectrogram";
         c.assign("frontend.stft.n_fft", 1);
       }},
      {"frontend.stft.win_sec", [](ClassifierConfig& c) {
         c.frontend.kind = "spectrogram";
         c.assign("frontend.stft.win_sec", 1.0);  // 8000 samples > n_fft 2048
       }},
      {"frontend.stft.hop_sec", [](ClassifierConfig& c) {
         c.frontend.kind = "degram";
         c.assign("frontend.stft.hop_sec", 1e-5);
       }},
      {"n_points", [](ClassifierConfig& c) {
         c.frontend.kind = "degram";
         c.n_points = 1000;  // reflect padding needs > n_fft/2 = 1024
       }},
      {"frontend.degram.attention.strategy", [](ClassifierConfig& c) {
         c.frontend.kind = "degram";
         c.assign("frontend.degram.attention.strategy", "average");
       }},
      {"frontend.degram.sincgram.init", [](ClassifierConfig& c) {
         c.frontend.kind = "degram";
         c.assign("frontend.degram.sincgram.init", "linear");
       }},
      {"frontend.degram.attention.reduction_ratio", [](ClassifierConfig& c) {
         c.frontend.kind = "degram";
         c.assign("frontend.degram.attention.reduction_ratio", 2);
       }},
      {"frontend.degram.sincgram.filters", [](ClassifierConfig& c) {
         c.frontend.kind = "degram";
         c.assign("frontend.degram.sincgram.filters", 0);
       }},
      {"frontend.degram.sincgram", [](ClassifierConfig& c) {
         c.frontend.kind = "degram";
         c.assign("frontend.degram.sincgram", false);
         c.assign("frontend.degram.attention", false);
       }},
      {"frontend.degram.sincgram.f_max", [](ClassifierConfig& c) {
         c.frontend.kind = "degram";
         c.assign("frontend.degram.sincgram.f_max", 9000.0);
       }},
      {"backbone.kind", [](ClassifierConfig& c) {  // CNN6 needs >= 16 mel bins
         c.backbone.kind = "cnn6";
         c.assign("frontend.dmel.n_mels", 8);
       }},
      {"frontend.dmel.mode", [](ClassifierConfig& c) {  // λ-dependent bins under a flat head
         c.frontend.kind = "dspec";
         c.backbone.kind = "linear";
         c.assign("frontend.dmel.mode", "pow2");
       }},
  };
  for (const auto& bad : cases) {
    // A wrong type or name fails at assignment, a bad value at validation: both name the key.
    EXPECT_TRUE(throws_naming(
        [&] {
          auto config = valid();
          bad.change(config);
          config.Validate();
        },
        bad.key))
        << "case " << bad.key;
  }
  // The classifier validates before building.
  auto config = valid();
  config.assign("frontend.dmel.lambd", 0.0);
  EXPECT_TRUE(throws_naming([&] { Classifier model(config); }, "frontend.dmel.lambd"));
}

TEST(ClassifierConfig, KindsComeFromTheRegistries) {
  const auto frontends = frontend_kinds();
  const auto backbones = backbone_kinds();
  for (const char* kind : {"degram", "dmel", "dspec", "logmel", "spectrogram"}) {
    EXPECT_NE(std::find(frontends.begin(), frontends.end(), kind), frontends.end()) << kind;
  }
  for (const char* kind : {"cnn6", "linear", "mel_conv", "mel_linear", "mel_mlp", "resnet18", "resnet34"}) {
    EXPECT_NE(std::find(backbones.begin(), backbones.end(), kind), backbones.end()) << kind;
  }
  EXPECT_TRUE(throws_naming([] { backbone_kind("vgg"); }, "resnet18")) << "lists the known kinds";
}

}  // namespace
}  // namespace tfgram::testing
