// Bytes → waveform through libsndfile and our checks (data::read_audio, probe_audio). The first
// byte picks the extension, so each container's path is tried. Refusals are std::exception's;
// anything else (a crash, a sanitizer report, a NaN that gets through) is a finding.
#include <cmath>

#include "fuzz_util.h"
#include "tfgram/data/audio_file.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tfgram::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kNames[] = {"in.wav", "in.flac", "in.ogg", "in.WAV"};
  const std::string name = size > 0 ? kNames[data[0] % 4] : "in.wav";
  const auto path = tfgram::fuzz::as_file(size > 0 ? data + 1 : data, size > 0 ? size - 1 : 0, name);
  try {
    const auto info = tfgram::data::probe_audio(path);
    const auto clip = tfgram::data::read_audio(path);
    if (clip.samples.empty() || clip.sample_rate <= 0 || info.channels <= 0) std::abort();  // must have been refused
    for (const float x : clip.samples) {
      if (!std::isfinite(x)) std::abort();  // NaN/Inf must have been refused
    }
  } catch (const std::exception&) {
  }
  return 0;
}
