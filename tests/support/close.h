#pragma once
// Tolerance checks that report where and by how much two tensors differ.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

namespace tfgram::testing {

/// |actual − expected| <= atol + rtol·|expected| elementwise, shapes equal.
::testing::AssertionResult all_close(const torch::Tensor& actual, const torch::Tensor& expected,
                                     double rtol, double atol);

/// The golden README's float32 tolerance: rtol 1e-4, atol 1e-5 scaled by max(1, max|expected|).
::testing::AssertionResult close_f32(const torch::Tensor& actual, const torch::Tensor& expected);

/// The golden README's float64 tolerance for SincGram weights and parameter gradients: rtol 1e-6
/// (atol 1e-12 · max|expected| so exact zeros compare).
::testing::AssertionResult close_f64(const torch::Tensor& actual, const torch::Tensor& expected);

/// True when every element is finite.
bool all_finite(const torch::Tensor& t);

}  // namespace tfgram::testing
