#pragma once
// Test hook, internal (tests include src/): make the kernels with a fused CPU loop (the Gaussian
// spectrogram, SincGram's filter responses) skip it.

namespace tfgram::dsp {

namespace detail {
/// While alive, those kernels take their portable ATen path on CPU too (on this thread): tests
/// check that both paths agree.
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
