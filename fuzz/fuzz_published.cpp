// The golden / published-weights loader: a torch.save'd dict[str, Tensor] read and mapped onto a
// model (DMEL mel_linear, DEGram's SincGram + TF-DE) with the published name maps.
#include "fuzz_util.h"
#include "tfgram/models/published_weights.h"
#include "tfgram/frontends/dmel.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tfgram::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = tfgram::fuzz::as_file(data, size, "weights.pt");
  try {
    const auto weights = tfgram::models::read_tensor_dict(path);
    static tfgram::frontends::DMel dmel(tfgram::frontends::DMelOptions(10.0, 8000).n_mels(16).hop_length(80));
    tfgram::models::PublishedLoadOptions options;
    options.strict = false;
    (void)tfgram::models::load_published_weights(*dmel, weights, {}, options);
  } catch (const std::exception&) {
  }
  return 0;
}
