// Checkpoint loading. First byte even: the bytes are the file (header checks, then the rest).
// Odd: the bytes are the payload and get a valid header, so the fuzzer reaches the LibTorch
// archive, our metadata and the model rebuilt from the stored config, past the checksums.
#include "fuzz_util.h"
#include "tfgram/train/checkpoint.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tfgram::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if (data[0] % 2 == 1) bytes = tfgram::train::seal_checkpoint(bytes) + bytes;
  const auto path = tfgram::fuzz::as_file(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "in.ckpt");
  try {
    auto loaded = tfgram::train::load_model(path);
    (void)loaded;
  } catch (const std::exception&) {
  }
  return 0;
}
