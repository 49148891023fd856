#pragma once
// The loop behind log_with_offset for one instruction set, over a traits type V with lanes, load,
// store, set1, add, div and log. Included only by the vector_log_<isa>.cpp files; everything here
// has internal linkage (see vector_log_isa.h).
#include <cstdint>

namespace tfgram::dsp::detail {
namespace {

template <typename V, typename Real>
void log_loop(Real* x, Real* d, int64_t n, Real offset) {
  const auto c = V::set1(offset);
  const auto step = [&](Real* xs, Real* ds) {
    const auto v = V::add(V::load(xs), c);
    if (ds != nullptr) V::store(ds, V::div(V::load(ds), v));
    V::store(xs, V::log(v));
  };
  int64_t i = 0;
  for (; i + V::lanes <= n; i += V::lanes) step(x + i, d == nullptr ? nullptr : d + i);
  if (i == n) return;
  // The tail through one padded vector: 1 + offset > 0 in the unused lanes.
  Real xt[V::lanes], dt[V::lanes];
  for (int64_t j = 0; j < V::lanes; ++j) {
    xt[j] = i + j < n ? x[i + j] : Real(1);
    dt[j] = i + j < n && d != nullptr ? d[i + j] : Real(1);
  }
  step(xt, d == nullptr ? nullptr : dt);
  for (int64_t j = 0; i + j < n; ++j) {
    x[i + j] = xt[j];
    if (d != nullptr) d[i + j] = dt[j];
  }
}

}  // namespace
}  // namespace tfgram::dsp::detail
