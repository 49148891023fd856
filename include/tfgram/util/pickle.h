#pragma once
// torch.save'd files read from memory with every read bounded by the buffer. LibTorch 1.13's
// torch::pickle_load(std::vector<char>) reads through an adapter that copies whatever range the
// zip reader asks for, so a file whose zip directory points past its end made it read outside
// the buffer (found by fuzz/fuzz_published; input in fuzz/regressions/fuzz_published/). Reads past
// the end now come back short and LibTorch reports a damaged file.
#include <ATen/core/ivalue.h>

#include <string>
#include <vector>

namespace tfgram::util {

/// The same value torch::pickle_load(bytes) gives for a well-formed file; c10::Error for a
/// damaged one, never a read outside `bytes`.
c10::IValue pickle_load_bounded(const std::vector<char>& bytes);

}  // namespace tfgram::util
