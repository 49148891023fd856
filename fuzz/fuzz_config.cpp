// The run configuration (YAML and JSON) and the experiment grid parser. First byte: 0 run YAML,
// 1 run JSON, 2 experiment YAML (expanded into trials), 3 a --set key=value line.
#include "fuzz_util.h"
#include "tfgram/experiment/experiment.h"
#include "tfgram/train/run_config.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tfgram::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 4) {
      case 0: {
        tfgram::train::RunConfig config;
        config.apply_yaml(text, "fuzz.yaml");
        config.finalize();
        (void)tfgram::train::RunConfig::from_json(config.to_json());  // what it writes, it reads back
        break;
      }
      case 1: {
        auto config = tfgram::train::RunConfig::from_json(text);
        config.finalize();
        break;
      }
      case 2: {
        const auto experiment = tfgram::experiment::ExperimentConfig::from_yaml(text, "fuzz.yaml");
        const auto trials = tfgram::experiment::expand(experiment);
        if (trials.size() > 100000) std::abort();
        break;
      }
      default: {
        tfgram::train::RunConfig config;
        const auto [key, value] = tfgram::train::split_assignment(text);
        config.set(key, value);
        config.finalize();
      }
    }
  } catch (const std::exception&) {
  }
  return 0;
}
