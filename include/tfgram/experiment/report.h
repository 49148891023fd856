#pragma once
// The experiment's report: table.md, table.tex, figures (PNG) and index.html in its folder.
#include <string>
#include <vector>

#include "tfgram/experiment/experiment.h"

namespace tfgram::experiment {

struct ReportFigure {
  std::string file;     ///< relative to the experiment folder, e.g. "figures/lambda.png"
  std::string caption;  ///< one line for a reader, shown under the figure in index.html
};

struct ReportFiles {
  std::vector<ReportFigure> figures;
  std::vector<std::string> warnings; ///< figures that could not be drawn and why
};

/// Writes table.md, table.tex and index.html, and the figures (gnuplot):
/// - per cell (run 0), the front end's output for the first test example, initial and learned
///   side by side on one colour scale (one panel for a fixed front end), with time and frequency
///   axes (samples and cycles/sample for the synthetic pulse task) and a colour bar;
/// - λ against epoch for the DMEL-family cells: mean line and min–max band over runs per
///   trainable cell (window ms for real data, λ in samples with σ as a reference line for the
///   pulse task), fixed cells' values in the title;
/// - SincGram filter responses, mel initialisation (dashed grey) against learned (DEGram cells);
/// - the pulse task's data: one example of each class (waveforms and spectrograms at λ = σ);
/// - train/valid loss per cell.
/// A figure that cannot be drawn (e.g. gnuplot missing) becomes a warning, not an error; the
/// tables are always written.
ReportFiles write_report(const ExperimentConfig& config, const std::vector<Trial>& trials);

}  // namespace tfgram::experiment
