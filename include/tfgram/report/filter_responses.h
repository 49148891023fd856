#pragma once
// Learned filterbanks as line series, for plot_lines.
#include <vector>

#include "tfgram/report/plot.h"

namespace tfgram::frontends {
struct SincGramImpl;  // tfgram/frontends/sincgram.h
}  // namespace tfgram::frontends

namespace tfgram::report {

/// Gain (0–1) against frequency in Hz for every SincGram filter, one Series per filter named
/// "<index>: <centre> Hz", over the layer's K linear bins (0 … sample_rate/2). Reads
/// filter_matrix() without recording gradients; the layer's parameters are not changed.
std::vector<Series> sincgram_responses(const frontends::SincGramImpl& sincgram);

}  // namespace tfgram::report
