#pragma once
// TF-DE's maxout of its two gated copies, max(x·a, x·s), as one autograd node (internal).
#include <torch/types.h>

namespace tfgram::frontends::detail {

/// x (B, 1, F, T), gates a and s (B, F) → max(x·a[b,f], x·s[b,f]) with torch::maximum's
/// gradient (a tie sends half the gradient to each branch). On CPU float32/float64 forward and
/// backward are each a single pass over x (the composed ops make ~10 passes and keep temporaries);
/// elsewhere the same expression in ATen ops.
torch::Tensor gated_maxout(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& s);

}  // namespace tfgram::frontends::detail
