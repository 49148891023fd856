#include "tfgram/frontends/degram.h"

#include <torch/torch.h>

#include "tfgram/util/check.h"

namespace tfgram::frontends {

DEGramImpl::DEGramImpl(DEGramOptions options_) : options(std::move(options_)) { reset(); }

void DEGramImpl::reset() {
  util::require(options.sincgram() || options.attention(), "DEGram",
                "at least one of sincgram and attention must be enabled");
  util::require(options.n_freqs() >= 2, "DEGram", "n_freqs (spectrogram bins) must be >= 2, got ",
                options.n_freqs());
  if (options.sincgram()) {
    sincgram = register_module("sincgram", SincGram(SincGramOptions(options.n_freqs(),
                                                                    options.sample_rate())
                                                        .filters(options.filters())
                                                        .order(options.order())
                                                        .init(options.init())
                                                        .f_min(options.f_min())
                                                        .f_max(options.f_max())
                                                        .eps(options.eps())
                                                        .constraint(options.constraint())
                                                        .min_bandwidth_hz(options.min_bandwidth_hz())));
  }
  if (options.attention()) {
    // Sized from what actually reaches it (the published layer hard-wires 64).
    const int64_t rows = options.sincgram() ? options.filters() : options.n_freqs();
    de = register_module("de", TfDe(TfDeOptions(rows)
                                        .reduction_ratio(options.reduction_ratio())
                                        .strategy(options.strategy())
                                        .time_excitation(options.time_excitation())));
  }
  if (options.normalization()) {
    norm = register_module(
        "norm", SpectrogramNorm(SpectrogramNormOptions().std_norm(options.std_norm()).freq_norm(
                    options.freq_norm())));
  }
}

int64_t DEGramImpl::output_features() const {
  return options.sincgram() ? options.filters() : options.n_freqs();
}

int64_t DEGramImpl::output_channels() const { return de ? de->output_channels() : 1; }

void DEGramImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::DEGram(n_freqs=" << options.n_freqs() << ", sample_rate=" << options.sample_rate()
         << ", sincgram=" << options.sincgram() << ", attention=" << options.attention()
         << ", normalization=" << options.normalization()
         << ", log_compression=" << options.log_compression() << ")";
}

torch::Tensor DEGramImpl::forward(const torch::Tensor& spectrogram) {
  util::require(spectrogram.dim() == 4 && spectrogram.size(1) == 1, "DEGram",
                "input must be a (B, 1, K, T) power spectrogram, got shape ", spectrogram.sizes());
  auto x = spectrogram;
  if (sincgram) x = sincgram->forward(x);
  if (options.log_compression()) x = torch::log(x + 1e-7);
  if (de) x = de->forward(x);
  if (norm) x = norm->forward(x);
  return x;
}

DEGramModelImpl::DEGramModelImpl(torch::nn::AnyModule backbone_, DEGramOptions options)
    : backbone(std::move(backbone_)) {
  frontend = register_module("frontend", DEGram(std::move(options)));
  util::require(!backbone.is_empty(), "DEGramModel", "a backbone module is required");
  register_module("backbone", backbone.ptr());
}

torch::Tensor DEGramModelImpl::forward(const torch::Tensor& spectrogram) {
  return backbone.forward(frontend->forward(spectrogram));
}

void DEGramModelImpl::pretty_print(std::ostream& stream) const { stream << "tfgram::DEGramModel"; }

}  // namespace tfgram::frontends
