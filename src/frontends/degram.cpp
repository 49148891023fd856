#include "tfgram/frontends/degram.h"

#include <torch/torch.h>

#include <algorithm>

#include "tfgram/config/fields.h"
#include "tfgram/dsp/log_compression.h"
#include "tfgram/util/check.h"

namespace tfgram::frontends {

namespace {

// tfgram 0.1 wrote every stage's options flat beside boolean stage switches
// ({"sincgram": true, "filters": 64, "std_norm": true, …}); checkpoints from it still load, and
// the flat keys stay as aliases for --set.
const std::vector<std::pair<std::string, const char*>>& flat_keys() {
  static const std::vector<std::pair<std::string, const char*>> keys = {
      {"filters", "sincgram"},          {"order", "sincgram"},     {"init", "sincgram"},
      {"f_min", "sincgram"},            {"f_max", "sincgram"},     {"eps", "sincgram"},
      {"constraint", "sincgram"},       {"min_bandwidth_hz", "sincgram"},
      {"reduction_ratio", "attention"}, {"strategy", "attention"}, {"time_excitation", "attention"},
      {"std_norm", "normalization"},    {"freq_norm", "normalization"}};
  return keys;
}

config::Json upgrade_flat_layout(const config::Json& in) {
  config::Json out = config::Json::object();
  for (const auto& item : in.items()) {
    const bool flat = std::any_of(flat_keys().begin(), flat_keys().end(),
                                  [&](const auto& entry) { return entry.first == item.key(); });
    if (!flat) out[item.key()] = item.value();
  }
  for (const auto& [key, stage] : flat_keys()) {
    if (!in.contains(key)) continue;
    const auto switch_ = in.find(stage);
    const bool off = switch_ != in.end() && (switch_->is_null() || (switch_->is_boolean() && !switch_->get<bool>()));
    if (off) continue;  // a switched-off stage's options are moot
    if (!out.contains(stage) || !out[stage].is_object()) out[stage] = config::Json::object();
    out[stage][key] = in[key];
  }
  return out;
}

}  // namespace

const config::Fields<DEGramOptions>& degram_option_fields() {
  using O = DEGramOptions;
  static const auto fields = [] {
    config::Fields<O> f;
    f.nest_optional(
         "sincgram", [](O& o) -> auto& { return o.sincgram(); },
         [](const O& o) { return SincGramOptions(o.n_freqs(), o.sample_rate()); }, sincgram_option_fields())
        .nest_optional(
            "attention", [](O& o) -> auto& { return o.attention(); }, [](const O&) { return TfDeOptions(0); },
            tfde_option_fields())
        .nest_optional(
            "normalization", [](O& o) -> auto& { return o.normalization(); },
            [](const O&) { return SpectrogramNormOptions(); }, spectrogram_norm_option_fields())
        .nest_optional(
            "pcen", [](O& o) -> auto& { return o.pcen(); }, [](const O&) { return PcenOptions(); }, pcen_option_fields())
        .add("log_compression", [](O& o) -> auto& { return o.log_compression(); })
        .upgrade(upgrade_flat_layout);
    for (const auto& [key, stage] : flat_keys()) f.alias(key, std::string(stage) + "." + key);
    return f;
  }();
  return fields;
}

DEGramImpl::DEGramImpl(DEGramOptions options_) : options(std::move(options_)) { reset(); }

void DEGramImpl::reset() {
  constexpr const char* where = "DEGram";
  util::require_option(options.sincgram() || options.attention(), where, "sincgram",
                       "at least one of sincgram and attention must be enabled");
  util::require_option(options.n_freqs() >= 2, where, "n_freqs", "(spectrogram bins) must be >= 2, got ",
                       options.n_freqs());
  if (options.sincgram()) {
    options.sincgram()->n_freqs(options.n_freqs()).sample_rate(options.sample_rate());
    util::forward_option_errors(where, "sincgram", [&] {
      sincgram = register_module("sincgram", SincGram(*options.sincgram()));
    });
  }
  if (options.pcen()) {
    options.pcen()->channels(options.sincgram() ? options.sincgram()->filters() : options.n_freqs());
    util::forward_option_errors(where, "pcen", [&] { pcen = register_module("pcen", Pcen(*options.pcen())); });
  }
  if (options.attention()) {
    // Sized from what actually reaches it (the published layer hard-wires 64).
    options.attention()->features(output_features());
    util::forward_option_errors(where, "attention", [&] { de = register_module("de", TfDe(*options.attention())); });
  }
  if (options.normalization()) {
    util::forward_option_errors(where, "normalization", [&] {
      norm = register_module("norm", SpectrogramNorm(*options.normalization()));
    });
  }
}

int64_t DEGramImpl::output_features() const {
  return options.sincgram() ? options.sincgram()->filters() : options.n_freqs();
}

int64_t DEGramImpl::output_channels() const { return de ? de->output_channels() : 1; }

void DEGramImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::DEGram(n_freqs=" << options.n_freqs() << ", sample_rate=" << options.sample_rate()
         << ", sincgram=" << options.sincgram().has_value() << ", attention=" << options.attention().has_value()
         << ", normalization=" << options.normalization().has_value() << ", pcen=" << options.pcen().has_value()
         << ", log_compression=" << (options.log_compression() && !options.pcen()) << ")";
}

torch::Tensor DEGramImpl::forward(const torch::Tensor& spectrogram) {
  util::require(spectrogram.dim() == 4 && spectrogram.size(1) == 1, "DEGram",
                "input must be a (B, 1, K, T) power spectrogram, got shape ", spectrogram.sizes());
  return after_filterbank(sincgram ? sincgram->forward(spectrogram) : spectrogram);
}

std::optional<double> DEGramImpl::log_offset() const {
  if (pcen || !options.log_compression()) return std::nullopt;
  return 1e-7;
}

torch::Tensor DEGramImpl::after_filterbank(const torch::Tensor& filtered, bool log_taken) {
  util::require(!log_taken || log_offset().has_value(), "DEGram",
                "after_filterbank was told the log is taken, but this DEGram takes none");
  auto x = filtered;
  if (pcen) {
    x = pcen->forward(x);
  } else if (const auto offset = log_offset(); offset && !log_taken) {
    x = dsp::log_compression(x, *offset);
  }
  if (de) x = de->forward(x);
  if (norm) x = norm->forward(x);
  return x;
}

}  // namespace tfgram::frontends
