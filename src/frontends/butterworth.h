#pragma once
// SincGram's filter responses, W[k,f] = (1 + y^(2n))^(-1/2) with y = (x[k] − c[f]) / d[f], as one
// autograd node (internal).
#include <torch/types.h>

#include <cstdint>

namespace tfgram::frontends::detail {

/// x (K, 1) grid, centres c and denominators d (1, F) → W (K, F), with gradients for c and d
/// (x is a constant grid). Never NaN or Inf from finite parameters, at any order: narrow bands,
/// high orders and d at the smallest normal magnitude give responses and gradients that underflow
/// to 0, where autograd of the plain formula multiplies an overflowing y^(2n−1) by a vanishing W³.
/// On CPU float32/float64 forward and backward are each one pass with the column sums accumulated
/// in float64 (the matrix is small: the ATen ops' parallel regions cost more than the arithmetic);
/// elsewhere the same algebra in ATen ops.
torch::Tensor butterworth_response(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& d,
                                   int64_t order);

}  // namespace tfgram::frontends::detail
