#pragma once
// The experiment's report: table.md, table.tex, figures (PNG) and index.html in its folder.
#include <string>
#include <vector>

#include "tfgram/experiment/experiment.h"

namespace tfgram::experiment {

struct ReportFiles {
  std::vector<std::string> figures;  ///< file names relative to the experiment folder
  std::vector<std::string> warnings; ///< figures that could not be drawn and why
};

/// Writes table.md, table.tex and index.html, and the figures: representations at the initial
/// and learned λ (one trainable run per initial value), λ against epoch, SincGram responses
/// (DEGram front ends), train/valid loss per cell. A figure that cannot be drawn (e.g. gnuplot
/// missing) becomes a warning, not an error; the tables are always written.
ReportFiles write_report(const ExperimentConfig& config, const std::vector<Trial>& trials);

}  // namespace tfgram::experiment
