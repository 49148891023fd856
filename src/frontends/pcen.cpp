#include "tfgram/frontends/pcen.h"

#include <torch/torch.h>

#include <cmath>

#include "tfgram/config/fields.h"
#include "tfgram/util/check.h"

namespace tfgram::frontends {

const config::Fields<PcenOptions>& pcen_option_fields() {
  using O = PcenOptions;
  static const auto fields =
      config::Fields<O>()
          .add("alpha", [](O& o) -> auto& { return o.alpha(); })
          .add("smooth_coef", [](O& o) -> auto& { return o.smooth_coef(); })
          .add("delta", [](O& o) -> auto& { return o.delta(); })
          .add("root", [](O& o) -> auto& { return o.root(); })
          .add("floor", [](O& o) -> auto& { return o.floor(); })
          .add("trainable", [](O& o) -> auto& { return o.trainable(); })
          .add("learn_smooth_coef", [](O& o) -> auto& { return o.learn_smooth_coef(); })
          .add("per_channel_smooth_coef", [](O& o) -> auto& { return o.per_channel_smooth_coef(); })
          .add("learn_logs", [](O& o) -> auto& { return o.learn_logs(); });
  return fields;
}

PcenImpl::PcenImpl(PcenOptions options_) : options(std::move(options_)) { reset(); }

void PcenImpl::reset() {
  constexpr const char* where = "PCEN";
  const auto positive = [&](double value, const char* name) {
    util::require_option(std::isfinite(value) && value > 0, where, name, "must be > 0, got ", value);
  };
  util::require_option(options.channels() >= 1, where, "channels", "must be >= 1, got ", options.channels());
  positive(options.alpha(), "alpha");
  positive(options.delta(), "delta");
  positive(options.root(), "root");
  positive(options.floor(), "floor");
  util::require_option(std::isfinite(options.smooth_coef()) && options.smooth_coef() > 0 && options.smooth_coef() <= 1,
                       where, "smooth_coef", "must lie in (0, 1], got ", options.smooth_coef());
  // With learn_logs the parameters hold logs, so the values stay positive as they train.
  const auto initial = [&](double value, int64_t size) {
    const auto t = torch::full({size}, value, torch::kFloat32);
    return options.learn_logs() ? t.log() : t;
  };
  const int64_t f = options.channels();
  alpha = register_parameter("alpha", initial(options.alpha(), f), options.trainable());
  delta = register_parameter("delta", initial(options.delta(), f), options.trainable());
  root = register_parameter("root", initial(options.root(), f), options.trainable());
  smooth_coef = register_parameter("smooth_coef", initial(options.smooth_coef(), options.per_channel_smooth_coef() ? f : 1),
                                   options.learn_smooth_coef());
}

namespace {
torch::Tensor value_of(const torch::Tensor& p, bool logs) { return logs ? p.exp() : p; }
}  // namespace

torch::Tensor PcenImpl::effective_alpha() const { return torch::clamp_max(value_of(alpha, options.learn_logs()), 1.0); }
torch::Tensor PcenImpl::effective_delta() const { return value_of(delta, options.learn_logs()); }
torch::Tensor PcenImpl::effective_inverse_root() const {
  return 1.0 / torch::clamp_min(value_of(root, options.learn_logs()), 1.0);
}
torch::Tensor PcenImpl::effective_smooth() const {
  return torch::clamp(value_of(smooth_coef, options.learn_logs()), 0.0, 1.0).expand({options.channels()});
}

torch::Tensor PcenImpl::forward(const torch::Tensor& input) {
  util::require(input.dim() == 4 && input.size(2) == options.channels(), "PCEN", "input must be (B, C, ",
                options.channels(), ", T), got shape ", input.sizes());
  return pcen(input, effective_alpha(), effective_delta(), effective_inverse_root(), effective_smooth(),
              options.floor());
}

std::vector<LearnedValue> PcenImpl::learned_values() const {
  const auto as_vector = [](const torch::Tensor& t) {
    const auto cpu = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
    return std::vector<double>(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
  };
  return {{"pcen_alpha", "", as_vector(value_of(alpha, options.learn_logs())), false},
          {"pcen_delta", "", as_vector(value_of(delta, options.learn_logs())), false},
          {"pcen_root", "", as_vector(value_of(root, options.learn_logs())), false},
          {"pcen_smooth_coef", "", as_vector(value_of(smooth_coef, options.learn_logs())), false}};
}

void PcenImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::PCEN(channels=" << options.channels() << ", alpha=" << options.alpha()
         << ", smooth_coef=" << options.smooth_coef() << ", delta=" << options.delta() << ", root=" << options.root()
         << ", floor=" << options.floor() << ", learn_logs=" << options.learn_logs() << ")";
}

}  // namespace tfgram::frontends
