// Checkpoint loading: the bytes are the file (header and checksum checks, then the rest), as a
// damaged or hand-made file reaches the tool.
// With TFGRAM_FUZZ_PAST_CHECKSUM=1, an odd first byte makes the bytes the payload behind a valid
// header, so the fuzzer reaches the LibTorch archive, our metadata and the model rebuilt from
// the stored config. That finds crashes inside LibTorch's TorchScript archive import that only a
// deliberately crafted file with a correct checksum can reach (fuzz/open/fuzz_checkpoint/,
// docs/reliability.md), so it is left out of the default (CI) runs.
#include <cstdlib>

#include "fuzz_util.h"
#include "tfgram/train/checkpoint.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tfgram::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  static const bool past_checksum = std::getenv("TFGRAM_FUZZ_PAST_CHECKSUM") != nullptr;
  if (past_checksum && data[0] % 2 == 1) bytes = tfgram::train::seal_checkpoint(bytes) + bytes;
  const auto path = tfgram::fuzz::as_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "in.ckpt");
  try {
    auto loaded = tfgram::train::load_model(path);
    (void)loaded;
  } catch (const std::exception&) {
  }
  return 0;
}
