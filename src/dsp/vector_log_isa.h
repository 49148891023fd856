#pragma once
// log_with_offset (vector_log.h) for one instruction set: each vector_log_<isa>.cpp is compiled
// with that set's flags and holds nothing else, so no inline function built for a wider set can be
// picked by the linker for code that runs on a narrower CPU. Internal.
#include <cstdint>

namespace tfgram::dsp::detail {

void log_with_offset_avx512(float* x, float* d, int64_t n, float offset);
void log_with_offset_avx512(double* x, double* d, int64_t n, double offset);
void log_with_offset_avx2(float* x, float* d, int64_t n, float offset);
void log_with_offset_avx2(double* x, double* d, int64_t n, double offset);

}  // namespace tfgram::dsp::detail
