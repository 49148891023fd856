#pragma once
// Running gnuplot on a script that draws one PNG: shared by plot_lines and plot_tf_images.
// Private to the report layer.
#include <cstdint>
#include <filesystem>
#include <string>

namespace tfgram::report::detail {

/// A private folder under $TMPDIR (or /tmp) for data files and the script, removed with
/// everything in it when done. Throws std::runtime_error naming `where` when it cannot be made.
class TemporaryFolder {
 public:
  explicit TemporaryFolder(const std::string& where);
  ~TemporaryFolder();
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// A gnuplot string expression for `text`: single-quoted (no escapes processed, a quote written
/// twice); a line break becomes a "\n" joined with '.', so multi-line titles stay multi-line.
std::string gnuplot_quoted(const std::string& text);

/// `v` with full precision, as gnuplot reads it.
std::string gnuplot_number(double v);

/// Where and how to run gnuplot for one PNG.
struct GnuplotRun {
  std::string png_path;
  int64_t width = 800;
  int64_t height = 500;
  std::string gnuplot = "gnuplot";
  double timeout_seconds = 60.0;
  /// Prefix of every error message, e.g. "plot_lines('out.png')".
  std::string where;
};

/// Writes a script to `folder`: the pngcairo terminal (png when cairo is absent) of the requested
/// size with a sans 10 pt font, output to a temporary file beside the destination, then
/// `commands`. Runs gnuplot on it, checks its exit status and that it wrote a valid PNG of the
/// requested size, and renames that into place. std::runtime_error naming `where` when the
/// destination cannot be written, gnuplot is missing, fails (with the tail of its messages),
/// times out or writes no valid PNG; nothing is left at the destination then.
void run_gnuplot(const GnuplotRun& run, const std::string& commands, const TemporaryFolder& folder);

}  // namespace tfgram::report::detail
