// results.csv as `tfgram table` reads it. First byte even: the bytes are the file (integrity line
// checked first). Odd: the bytes are sealed first, so the CSV parser and the table builder run.
#include "fuzz_util.h"
#include "tfgram/experiment/results_file.h"
#include "tfgram/experiment/table.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  tfgram::fuzz::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    if (data[0] % 2 == 1) {
      if (!text.empty() && text.back() != '\n') text += '\n';
      text = tfgram::experiment::seal_results(text);
    }
    const auto table = tfgram::experiment::results_table(tfgram::experiment::parse_results(text, "results.csv"));
    (void)table.markdown();
    (void)table.latex();
    (void)table.html();
  } catch (const std::exception&) {
  }
  return 0;
}
