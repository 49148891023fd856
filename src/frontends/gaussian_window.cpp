#include "tfgram/frontends/gaussian_window.h"

#include <torch/torch.h>

#include <cmath>

#include "tfgram/dsp/windows.h"
#include "tfgram/util/check.h"

namespace tfgram::frontends {

void check_lambd(double lambd, const char* where) {
  util::require_option(std::isfinite(lambd) && lambd != 0.0, where, "lambd",
                       "(window standard deviation in samples) must be finite and non-zero, got ", lambd);
}

torch::Tensor register_lambd(torch::nn::Module& module, double lambd, bool trainable, const char* where) {
  check_lambd(lambd, where);
  return module.register_parameter("lambd", torch::tensor(lambd, torch::kFloat32), trainable);
}

GaussianWindowImpl::GaussianWindowImpl(GaussianWindowOptions options_)
    : options(std::move(options_)) {
  reset();
}

void GaussianWindowImpl::reset() {
  util::require_option(options.window_length() >= 1, "GaussianWindow", "window_length", "must be >= 1, got ",
                       options.window_length());
  lambd = register_lambd(*this, options.lambd(), options.trainable(), "GaussianWindow");
}

void GaussianWindowImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::GaussianWindow(window_length=" << options.window_length()
         << ", lambd=" << lambd.item<double>() << ", normalized=" << options.normalized() << ")";
}

torch::Tensor GaussianWindowImpl::forward() {
  return dsp::gaussian_window(lambd.abs(), options.window_length(), options.normalized());
}

}  // namespace tfgram::frontends
