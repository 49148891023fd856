#pragma once
// Tolerance checks that report where and by how much two tensors differ.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

namespace tfgram::testing {

/// |actual − expected| <= atol + rtol·|expected| elementwise, shapes equal.
::testing::AssertionResult all_close(const torch::Tensor& actual, const torch::Tensor& expected,
                                     double rtol, double atol);

/// all_close with atol = atol_scale · max|expected|: for comparisons between code paths that sum
/// in different orders, whose rounding scales with the largest value, not with each element.
::testing::AssertionResult close_scaled(const torch::Tensor& actual, const torch::Tensor& expected, double rtol,
                                        double atol_scale);

/// The golden README's float32 tolerance: rtol 1e-4, atol 1e-5 scaled by max(1, max|expected|).
::testing::AssertionResult close_f32(const torch::Tensor& actual, const torch::Tensor& expected);

/// The golden README's float64 tolerance for SincGram weights: rtol 1e-6 (atol 1e-12 ·
/// max|expected| so exact zeros compare). The weights are computed from float64 values alone.
::testing::AssertionResult close_f64(const torch::Tensor& actual, const torch::Tensor& expected);

/// The golden README's tolerance for SincGram parameter gradients: rtol 1e-6 with atol 1e-6 ·
/// max|expected|. They are float64 but reached through a float32 input and upstream gradient, so
/// they carry float32 rounding that depends on the CPU's BLAS kernel (the published code itself
/// differs between CPUs by up to 5e-8 of the largest element, 8.5e-6 relative on small ones).
::testing::AssertionResult close_f64_gradient(const torch::Tensor& actual, const torch::Tensor& expected);

/// True when every element is finite.
bool all_finite(const torch::Tensor& t);

}  // namespace tfgram::testing
