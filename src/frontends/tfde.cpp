#include "tfgram/frontends/tfde.h"

#include <torch/torch.h>

#include <cmath>

#include "gated_maxout.h"
#include "tfgram/config/fields.h"
#include "tfgram/util/check.h"

namespace tfgram::config {
template <>
struct Names<frontends::TfDeStrategy> {
  static frontends::TfDeStrategy parse(const std::string& name) { return frontends::parse_tfde_strategy(name); }
  static const char* name(frontends::TfDeStrategy value) { return frontends::to_string(value); }
};
}  // namespace tfgram::config

namespace tfgram::frontends {
namespace {

// A named holder so parameter paths read like the published ones: "_cSE.network.0.weight".
struct HolderImpl : torch::nn::Module {};
TORCH_MODULE(Holder);

}  // namespace

TfDeStrategy parse_tfde_strategy(const std::string& name) {
  if (name == "maxout") return TfDeStrategy::kMaxout;
  if (name == "add") return TfDeStrategy::kAdd;
  if (name == "multiply") return TfDeStrategy::kMultiply;
  if (name == "concat") return TfDeStrategy::kConcat;
  throw std::invalid_argument(util::concat(
      "TF-DE strategy: expected one of maxout, add, multiply, concat; got '", name, "'"));
}

const char* to_string(TfDeStrategy strategy) {
  switch (strategy) {
    case TfDeStrategy::kMaxout: return "maxout";
    case TfDeStrategy::kAdd: return "add";
    case TfDeStrategy::kMultiply: return "multiply";
    case TfDeStrategy::kConcat: return "concat";
  }
  return "?";
}

const config::Fields<TfDeOptions>& tfde_option_fields() {
  using O = TfDeOptions;
  static const auto fields = config::Fields<O>()
                                 .add("reduction_ratio", [](O& o) -> auto& { return o.reduction_ratio(); })
                                 .add("strategy", [](O& o) -> auto& { return o.strategy(); })
                                 .add("time_excitation", [](O& o) -> auto& { return o.time_excitation(); })
                                 .add("time_kernel_size", [](O& o) -> auto& { return o.time_kernel_size(); });
  return fields;
}

TfDeImpl::TfDeImpl(TfDeOptions options_) : options(std::move(options_)) { reset(); }

void TfDeImpl::reset() {
  constexpr const char* where = "TfDe";
  util::require_option(options.features() >= 1, where, "features", "(frequency rows) must be >= 1, got ",
                       options.features());
  util::require_option(std::isfinite(options.reduction_ratio()) && options.reduction_ratio() > 0 &&
                           options.reduction_ratio() <= 1,
                       where, "reduction_ratio", "must lie in (0, 1], got ", options.reduction_ratio());
  util::require_option(options.time_kernel_size() >= 1 && options.time_kernel_size() % 2 == 1, where,
                       "time_kernel_size", "must be an odd number >= 1, got ", options.time_kernel_size());
  const int64_t f = options.features();
  const int64_t hidden = std::max<int64_t>(
      1, static_cast<int64_t>(std::floor(static_cast<double>(f) * options.reduction_ratio())));

  frequency_mlp = torch::nn::Sequential(
      torch::nn::Linear(torch::nn::LinearOptions(f, hidden).bias(false)), torch::nn::ReLU(),
      torch::nn::Linear(torch::nn::LinearOptions(hidden, f).bias(false)));
  auto cse = register_module("_cSE", Holder());
  cse->register_module("network", frequency_mlp);

  pointwise = torch::nn::Conv1d(torch::nn::Conv1dOptions(1, 1, 1));
  auto sse = register_module("_sSE", Holder());
  sse->register_module("conv", pointwise);

  if (options.time_excitation()) {
    time_conv = torch::nn::Conv1d(torch::nn::Conv1dOptions(1, 1, options.time_kernel_size())
                                      .padding(options.time_kernel_size() / 2));
    auto tse = register_module("_tSE", Holder());
    tse->register_module("conv", time_conv);
  }
}

void TfDeImpl::reset_parameters() {
  for (auto& module : frequency_mlp->children()) {
    if (auto* linear = module->as<torch::nn::Linear>()) linear->reset_parameters();
  }
  pointwise->reset_parameters();
  if (time_conv) time_conv->reset_parameters();
}

int64_t TfDeImpl::output_channels() const {
  if (options.strategy() != TfDeStrategy::kConcat) return 1;
  return options.time_excitation() ? 3 : 2;
}

void TfDeImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::TfDe(features=" << options.features()
         << ", reduction_ratio=" << options.reduction_ratio()
         << ", strategy=" << to_string(options.strategy())
         << ", time_excitation=" << (options.time_excitation() ? "true" : "false") << ")";
}

torch::Tensor TfDeImpl::forward(const torch::Tensor& input) {
  constexpr const char* where = "TfDe";
  util::require(input.dim() == 4 && input.size(1) == 1, where,
                "input must be (B, 1, F, T), got shape ", input.sizes());
  util::require(input.size(2) == options.features(), where, "input has ", input.size(2),
                " frequency rows, expected features = ", options.features());
  util::require(input.size(3) >= 1, where, "input must hold at least one frame");

  // Both published branches squeeze time: z[b,f] = mean_t X[b,0,f,t].
  const auto z = input.mean(/*dim=*/3).squeeze(1);  // (B, F)
  const auto freq_gate = torch::sigmoid(frequency_mlp->forward(z));              // (B, F)
  // The 1→1-channel, kernel-1 convolution is the affine map w·z + v; evaluated as such it avoids
  // oneDNN's per-call setup, which costs more than the arithmetic on a (B, F) tensor.
  const auto point_gate = torch::sigmoid(
      torch::addcmul(pointwise->bias, z.unsqueeze(1), pointwise->weight.view({1})));  // (B, 1, F)
  if (options.strategy() == TfDeStrategy::kMaxout && !options.time_excitation()) {
    return detail::gated_maxout(input, freq_gate, point_gate);  // the published configuration, fused
  }
  std::vector<torch::Tensor> branches{input * freq_gate.unsqueeze(1).unsqueeze(-1),
                                      input * point_gate.unsqueeze(-1)};
  if (options.time_excitation()) {
    const auto zt = input.mean(/*dim=*/2);                                      // (B, 1, T)
    branches.push_back(input * torch::sigmoid(time_conv->forward(zt)).unsqueeze(2));
  }

  auto combined = branches[0];
  switch (options.strategy()) {
    case TfDeStrategy::kMaxout:
      for (size_t i = 1; i < branches.size(); ++i) combined = torch::maximum(combined, branches[i]);
      return combined;
    case TfDeStrategy::kAdd:
      for (size_t i = 1; i < branches.size(); ++i) combined = combined + branches[i];
      return combined;
    case TfDeStrategy::kMultiply:
      for (size_t i = 1; i < branches.size(); ++i) combined = combined * branches[i];
      return combined;
    case TfDeStrategy::kConcat:
      return torch::cat(branches, /*dim=*/1);
  }
  return combined;
}

}  // namespace tfgram::frontends
