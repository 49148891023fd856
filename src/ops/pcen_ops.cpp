// PCEN as a `tfgram::` operator (fused CPU pass with the analytic reverse-time backward, ATen loop
// elsewhere). CompositeImplicitAutograd for the reason given in dmel_ops.cpp.
#include <torch/library.h>
#include <torch/torch.h>

#include "tfgram/frontends/pcen.h"

namespace tfgram::ops {

TORCH_LIBRARY_FRAGMENT(tfgram, m) {
  m.def("pcen(Tensor x, Tensor alpha, Tensor delta, Tensor inverse_root, Tensor smooth, float floor) -> Tensor");
}

TORCH_LIBRARY_IMPL(tfgram, CompositeImplicitAutograd, m) { m.impl("pcen", frontends::pcen); }

}  // namespace tfgram::ops
