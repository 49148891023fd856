#include "tfgram/frontends/sincgram.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "butterworth.h"
#include "tfgram/config/fields.h"
#include "tfgram/dsp/mel.h"
#include "tfgram/util/check.h"

namespace tfgram::config {
template <>
struct Names<frontends::SincGramInit> {
  static frontends::SincGramInit parse(const std::string& name) { return frontends::parse_sincgram_init(name); }
  static const char* name(frontends::SincGramInit value) { return frontends::to_string(value); }
};
template <>
struct Names<frontends::SincGramConstraint> {
  static frontends::SincGramConstraint parse(const std::string& name) {
    return frontends::parse_sincgram_constraint(name);
  }
  static const char* name(frontends::SincGramConstraint value) { return frontends::to_string(value); }
};
}  // namespace tfgram::config

namespace tfgram::frontends {

SincGramInit parse_sincgram_init(const std::string& name) {
  if (name == "mel") return SincGramInit::kMel;
  if (name == "random") return SincGramInit::kRandom;
  throw std::invalid_argument(
      util::concat("SincGram init: expected 'mel' or 'random', got '", name, "'"));
}

const char* to_string(SincGramInit init) { return init == SincGramInit::kMel ? "mel" : "random"; }

SincGramConstraint parse_sincgram_constraint(const std::string& name) {
  if (name == "project") return SincGramConstraint::kProject;
  if (name == "none") return SincGramConstraint::kNone;
  throw std::invalid_argument(
      util::concat("SincGram constraint: expected 'project' or 'none', got '", name, "'"));
}

const char* to_string(SincGramConstraint constraint) {
  return constraint == SincGramConstraint::kProject ? "project" : "none";
}

const config::Fields<SincGramOptions>& sincgram_option_fields() {
  using O = SincGramOptions;
  static const auto fields = config::Fields<O>()
                                 .add("filters", [](O& o) -> auto& { return o.filters(); })
                                 .add("order", [](O& o) -> auto& { return o.order(); })
                                 .add("init", [](O& o) -> auto& { return o.init(); })
                                 .add("f_min", [](O& o) -> auto& { return o.f_min(); })
                                 .add("f_max", [](O& o) -> auto& { return o.f_max(); })
                                 .add("eps", [](O& o) -> auto& { return o.eps(); })
                                 .add("constraint", [](O& o) -> auto& { return o.constraint(); })
                                 .add("min_bandwidth_hz", [](O& o) -> auto& { return o.min_bandwidth_hz(); });
  return fields;
}

namespace {
// SPEC §1.2's bandwidth scale μ = 0.25 − 2/K and β(b) = (b + 1)·μ/2.
double bandwidth_scale(int64_t n_freqs) { return 0.25 - 2.0 / static_cast<double>(n_freqs); }
torch::Tensor beta_of(const torch::Tensor& bands, int64_t n_freqs) { return (bands + 1.0) * bandwidth_scale(n_freqs) / 2.0; }
}  // namespace

torch::Tensor sincgram_filter_matrix(const torch::Tensor& freq_centers, const torch::Tensor& bands,
                                     int64_t n_freqs, int64_t order, double eps, int64_t grid_bins) {
  util::require(freq_centers.dim() == 2 && freq_centers.size(0) == 1 && bands.sizes() == freq_centers.sizes(),
                "SincGram", "freq_centers and bands must both be (1, F), got ", freq_centers.sizes(), " and ",
                bands.sizes());
  util::require(n_freqs >= 2 && order >= 1 && grid_bins >= 0 && grid_bins != 1, "SincGram",
                "needs n_freqs >= 2, order >= 1 and grid_bins 0 or >= 2, got ", n_freqs, ", ", order, " and ",
                grid_bins);
  const int64_t bins = grid_bins > 0 ? grid_bins : n_freqs;
  const auto x = torch::linspace(-1.0, 1.0, bins, freq_centers.options().requires_grad(false)).unsqueeze(1);  // (K, 1)
  auto denominator = beta_of(bands, n_freqs) + eps;
  // A zero denominator (β = 0 with eps = 0) would make y = ±inf or NaN; keep it at the smallest
  // normal magnitude with its sign, which leaves every representable width unchanged.
  const double tiny = std::numeric_limits<double>::min();
  denominator = torch::where(denominator.abs() < tiny, torch::full_like(denominator, tiny), denominator);
  return detail::butterworth_response(x, freq_centers, denominator, order);  // (K, F)
}

torch::Tensor apply_filter_matrix(const torch::Tensor& spectrogram, const torch::Tensor& weights) {
  util::require(spectrogram.dim() == 4 && weights.dim() == 2 && spectrogram.size(2) == weights.size(0), "SincGram",
                "expected a (B, C, K, T) spectrogram and a (K, F) matrix, got ", spectrogram.sizes(), " and ",
                weights.sizes());
  // Written as (B,C,T,K)×(K,F) so LibTorch folds it into one (B·C·T, K)×(K, F) GEMM instead of a
  // batched one per example. stft output keeps K innermost, so the (B,C,T,K) view of it is folded
  // without copying the large input, and the backward's Xᵀ·G reads it in place too: the output,
  // and hence G, keep (B,C,T,F) memory order through the elementwise ops that follow.
  return torch::matmul(spectrogram.transpose(2, 3), weights.to(spectrogram.dtype())).transpose(2, 3);
}

SincGramImpl::SincGramImpl(SincGramOptions options_) : options(std::move(options_)) { reset(); }

void SincGramImpl::reset() {
  constexpr const char* where = "SincGram";
  util::require_option(options.filters() >= 1, where, "filters", "must be >= 1, got ", options.filters());
  util::require_option(options.n_freqs() >= 2, where, "n_freqs", "(spectrogram bins) must be >= 2, got ",
                       options.n_freqs());
  util::require_option(options.order() >= 1, where, "order", "must be >= 1, got ", options.order());
  util::require_option(options.sample_rate() > 0, where, "sample_rate", "must be > 0, got ", options.sample_rate());
  util::require_option(std::isfinite(options.eps()) && options.eps() >= 0, where, "eps",
                       "must be finite and >= 0, got ", options.eps());
  const double nyquist = options.sample_rate() / 2.0;
  const double f_max = options.f_max().value_or(nyquist);
  util::require_option(std::isfinite(options.f_min()) && options.f_min() >= 0 && options.f_min() < nyquist, where,
                       "f_min", "must lie in [0, sample_rate/2 = ", nyquist, "), got ", options.f_min());
  util::require_option(std::isfinite(f_max) && f_max > options.f_min() && f_max <= nyquist, where, "f_max",
                       "must lie in (f_min = ", options.f_min(), ", sample_rate/2 = ", nyquist, "], got ", f_max);
  if (options.min_bandwidth_hz()) {
    util::require_option(std::isfinite(*options.min_bandwidth_hz()) && *options.min_bandwidth_hz() > 0 &&
                             *options.min_bandwidth_hz() < nyquist,
                         where, "min_bandwidth_hz", "must lie in (0, sample_rate/2 = ", nyquist, ") Hz, got ",
                         *options.min_bandwidth_hz());
  }
  const auto shape = std::vector<int64_t>{1, options.filters()};
  freq_centers = register_parameter("freq_centers", torch::zeros(shape, torch::kFloat64));
  bands = register_parameter("bands", torch::zeros(shape, torch::kFloat64));
  reset_parameters();
}

torch::Tensor SincGramImpl::beta_from_weight(const torch::Tensor& bands_w) const {
  return beta_of(bands_w, options.n_freqs());
}

std::pair<torch::Tensor, torch::Tensor> SincGramImpl::hz_to_weights(
    const torch::Tensor& centers_hz, const torch::Tensor& bands_hz) const {
  const double sr = static_cast<double>(options.sample_rate());
  const double mu = bandwidth_scale(options.n_freqs());
  const auto beta = 2.0 * bands_hz / sr;
  return {4.0 * centers_hz / sr - 1.0, beta * 2.0 / mu - 1.0};
}

void SincGramImpl::reset_parameters() {
  torch::NoGradGuard no_grad;
  if (options.init() == SincGramInit::kRandom) {
    freq_centers.normal_(0.0, 1.0);
    bands.normal_(0.0, 1.0);
  } else {
    const double f_max = options.f_max().value_or(options.sample_rate() / 2.0);
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    const auto mel = torch::linspace(dsp::hz_to_mel(options.f_min()), dsp::hz_to_mel(f_max),
                                     options.filters() + 2, f64);
    const auto hz = dsp::mel_to_hz(mel);
    const auto centers_hz = hz.slice(0, 1, -1);
    const auto bands_hz = hz.slice(0, 2) - hz.slice(0, 0, -2);
    const auto [c, b] = hz_to_weights(centers_hz, bands_hz);
    freq_centers.copy_(c.unsqueeze(0));
    bands.copy_(b.unsqueeze(0));
  }
  cached_matrix_ = torch::Tensor();
}

torch::Tensor SincGramImpl::filter_matrix() {
  const bool recording = torch::GradMode::is_enabled() &&
                         (freq_centers.requires_grad() || bands.requires_grad());
  // Inference and evaluation reuse the matrix while the parameters hold the values it was built
  // from (2F numbers to compare against a K×F evaluation).
  const auto unchanged = [](const torch::Tensor& cached, const torch::Tensor& current) {
    return cached.defined() && cached.device() == current.device() &&
           cached.scalar_type() == current.scalar_type() && torch::equal(cached, current);
  };
  if (!recording && cached_matrix_.defined() && unchanged(cached_centers_, freq_centers) &&
      unchanged(cached_bands_, bands)) {
    return cached_matrix_;
  }
  auto matrix = sincgram_filter_matrix(freq_centers, bands, options.n_freqs(), options.order(), options.eps());
  if (!recording) {
    cached_matrix_ = matrix.detach();
    cached_centers_ = freq_centers.detach().clone();
    cached_bands_ = bands.detach().clone();
  }
  return matrix;
}

torch::Tensor SincGramImpl::filter_matrix(int64_t bins) {
  if (bins == options.n_freqs()) return filter_matrix();
  return sincgram_filter_matrix(freq_centers, bands, options.n_freqs(), options.order(), options.eps(), bins);
}

torch::Tensor SincGramImpl::center_hz() const {
  return ((freq_centers.detach() + 1.0) * static_cast<double>(options.sample_rate()) / 4.0).reshape({-1});
}

torch::Tensor SincGramImpl::bandwidth_hz() const {
  return (beta_from_weight(bands.detach()).abs() * static_cast<double>(options.sample_rate()) / 2.0)
      .reshape({-1});
}

std::vector<LearnedValue> SincGramImpl::learned_values() const {
  const auto as_vector = [](const torch::Tensor& t) {
    const auto cpu = t.to(torch::kCPU, torch::kFloat64).contiguous();
    return std::vector<double>(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
  };
  return {{"center_hz", "Hz", as_vector(center_hz()), false}, {"bandwidth_hz", "Hz", as_vector(bandwidth_hz()), false}};
}

double SincGramImpl::min_bandwidth_hz() const {
  return options.min_bandwidth_hz().value_or(static_cast<double>(options.sample_rate()) / 2.0 /
                                             static_cast<double>(options.n_freqs() - 1));
}

std::vector<RangeEvent> SincGramImpl::constrain_parameters() {
  torch::NoGradGuard no_grad;
  const double sr = static_cast<double>(options.sample_rate());
  const double nyquist = sr / 2.0;
  const double floor_hz = min_bandwidth_hz();
  const bool project = options.constraint() == SincGramConstraint::kProject;
  // Signed β in Hz: the filter's width, negative once β has crossed zero.
  const auto width = (beta_from_weight(bands) * nyquist).reshape({-1}).to(torch::kCPU);
  const auto centre = center_hz().to(torch::kCPU);
  const auto w = width.accessor<double, 1>();
  const auto c = centre.accessor<double, 1>();
  std::vector<RangeEvent> events;
  const auto held = [&](double at) { return project ? util::concat(", held at ", at, " Hz") : std::string(); };
  for (int64_t f = 0; f < centre.size(0); ++f) {
    const std::string element = util::concat("filter ", f);
    if (c[f] < 0.0 || c[f] > nyquist) {
      const double edge = c[f] < 0.0 ? 0.0 : nyquist;
      events.push_back({element, "centre left the band [0, sample_rate/2]",
                        util::concat(c[f], " Hz", held(edge))});
    }
    // (The slack keeps a width the projection left at the floor from reading as below it.)
    if (w[f] < floor_hz * (1.0 - 1e-9)) {
      events.push_back({element, util::concat("bandwidth collapsed below ", floor_hz, " Hz"),
                        w[f] <= 0.0 ? util::concat("the width parameter crossed zero (acts as ", -w[f], " Hz)", held(floor_hz))
                                    : util::concat(w[f], " Hz", held(floor_hz))});
    }
  }
  if (project && !events.empty()) {
    // Weight-space bounds: c = 4 f/sr − 1 for f in [0, sr/2]; β >= 2·floor/sr.
    freq_centers.clamp_(-1.0, 1.0);
    const double mu = bandwidth_scale(options.n_freqs());
    bands.clamp_min_(2.0 * (2.0 * floor_hz / sr) / mu - 1.0);
  }
  return events;
}

void SincGramImpl::pretty_print(std::ostream& stream) const {
  stream << "tfgram::SincGram(n_freqs=" << options.n_freqs() << ", filters=" << options.filters()
         << ", order=" << options.order() << ", sample_rate=" << options.sample_rate()
         << ", init=" << to_string(options.init()) << ")";
}

torch::Tensor SincGramImpl::forward(const torch::Tensor& spectrogram) {
  util::require(spectrogram.dim() == 4, "SincGram",
                "input must be a (B, C, K, T) spectrogram, got rank ", spectrogram.dim());
  util::require(spectrogram.size(2) == options.n_freqs(), "SincGram", "input has ",
                spectrogram.size(2), " frequency bins on dim 2, expected n_freqs = ",
                options.n_freqs());
  util::require(spectrogram.is_floating_point(), "SincGram", "input must be floating point, got ",
                spectrogram.scalar_type());
  return apply_filter_matrix(spectrogram, filter_matrix());
}

}  // namespace tfgram::frontends
