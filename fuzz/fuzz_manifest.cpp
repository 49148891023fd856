// The CSV manifest reader (data::ManifestDataset::scan): rows path,label[,split], quoting,
// header, comments; relative paths resolve against the manifest's folder.
#include "fuzz_util.h"
#include "tfgram/data/manifest_dataset.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tfgram::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = tfgram::fuzz::as_file(data, size, "manifest.csv");
  try {
    const auto clips = tfgram::data::ManifestDataset::scan(path);
    (void)clips;
  } catch (const std::exception&) {
  }
  return 0;
}
