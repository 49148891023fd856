#pragma once
// Front-end modules whose parameters have a meaningful range (a SincGram centre within the band, a
// positive bandwidth). The trainer calls constrain_parameters() after every optimiser step on each
// module that implements this, so it needs to know no module type; an embedder with its own loop
// does the same (see README, "Using the layers from C++").
#include <cstdint>
#include <string>
#include <vector>

namespace tfgram::frontends {

/// One parameter element that was out of its range after a step.
struct RangeEvent {
  /// Which element, e.g. "filter 12"; with `problem` it identifies the event (warn once per pair).
  std::string element;
  /// What happened, in words that do not change from step to step: "centre left the band".
  std::string problem;
  /// The values, e.g. "-31.2 Hz, held at 0 Hz".
  std::string detail;
};

class RangeConstrained {
 public:
  virtual ~RangeConstrained() = default;
  /// Brings the parameters back into range where the module's options say so (in place, no
  /// gradient recorded) and returns every element that was out of range, projected or not.
  virtual std::vector<RangeEvent> constrain_parameters() = 0;
};

}  // namespace tfgram::frontends
