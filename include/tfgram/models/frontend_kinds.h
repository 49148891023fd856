#pragma once
// The built-in front-end kinds (dmel, logmel, dspec, spectrogram, degram) and the one config
// section that is no module's options: `stft`, the Hann spectrogram stated in seconds.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tfgram/models/frontend_kind.h"

namespace tfgram::models {

/// `frontend.stft.*`: the fixed linear power spectrogram with a periodic Hann window (SPEC §1.5)
/// under the `spectrogram` and `degram` kinds.
struct StftConfig {
  int64_t n_fft = 2048;
  double win_sec = 0.032;
  double hop_sec = 0.010;
};
const config::Fields<StftConfig>& stft_config_fields();

/// The built-in kinds in registration order; the registry starts with them.
std::vector<std::pair<std::string, FrontendKind>> builtin_frontend_kinds();

}  // namespace tfgram::models
