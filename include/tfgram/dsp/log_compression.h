#pragma once
// log(x + offset), the log compression after a filterbank (DEGram's 1e-7, the mel front ends'
// 1e-10), as one autograd op: on the CPU in float32/float64 one vectorised pass each way (the
// libmvec log of the DMEL kernel's tiles) instead of an add and a log forward and a division
// backward; any other device or dtype takes the ATen ops.
#include <torch/types.h>

namespace tfgram::dsp {

/// log(x + offset) for any floating-point tensor; offset finite and >= 0. Its gradient is
/// grad / (x + offset).
torch::Tensor log_compression(const torch::Tensor& x, double offset);

}  // namespace tfgram::dsp
