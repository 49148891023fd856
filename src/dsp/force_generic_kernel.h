#pragma once
// Test hook, internal (tests include src/): make the Gaussian spectrogram kernel skip its fused
// CPU loop.

namespace tfgram::dsp {

namespace detail {
/// While alive, the kernel takes its portable ATen path on CPU too (on this thread): tests check
/// that both paths agree.
class ForceGenericKernel {
 public:
  ForceGenericKernel();
  ~ForceGenericKernel();
  ForceGenericKernel(const ForceGenericKernel&) = delete;
  ForceGenericKernel& operator=(const ForceGenericKernel&) = delete;
  static bool active();

 private:
  bool previous_;
};
}  // namespace detail

}  // namespace tfgram::dsp
