#include "gnuplot.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "tfgram/util/process.h"
#include "tfgram/report/png.h"
#include "tfgram/util/atomic_file.h"
#include "tfgram/util/check.h"

namespace tfgram::report::detail {
namespace {

namespace fs = std::filesystem;

// The last `max_lines` lines of a log file, joined by " | " so an error message stays one line.
std::string tail_of(const std::string& path, size_t max_lines = 4) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t^") != std::string::npos) lines.push_back(line);
  }
  std::string out;
  const size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
  for (size_t i = first; i < lines.size(); ++i) out += (out.empty() ? "" : " | ") + lines[i];
  return out.empty() ? "(no output)" : out;
}

}  // namespace

TemporaryFolder::TemporaryFolder(const std::string& where) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/tfgram-plot-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(where + ": cannot create a temporary folder '" + pattern + "': " + std::strerror(errno));
  }
  path_ = pattern;
}

TemporaryFolder::~TemporaryFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string gnuplot_quoted(const std::string& text) {
  std::string out = "'";
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\'') {
      out += "''";
    } else if (c == '\n') {
      out += "'.\"\\n\".'";
    } else if (c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string gnuplot_number(double v) {
  std::ostringstream out;
  out << std::setprecision(17) << v;
  return out.str();
}

void run_gnuplot(const GnuplotRun& run, const std::string& commands, const TemporaryFolder& folder) {
  const std::string& where = run.where;
  const std::string executable = util::find_executable(run.gnuplot);
  if (executable.empty()) {
    throw std::runtime_error(where + ": gnuplot ('" + run.gnuplot +
                             "') was not found or is not executable; install it (Debian: apt-get install "
                             "gnuplot-nox) or set the options' gnuplot field");
  }
  // A plot goes into a folder that exists (a mistyped path fails instead of growing folders).
  const auto destination = fs::path(run.png_path).parent_path();
  if (!destination.empty() && !fs::is_directory(destination)) {
    throw std::runtime_error(where + ": cannot write: no folder " + destination.string());
  }
  // gnuplot writes the temporary beside the destination; the checked file is renamed into place.
  util::replace_file_atomic(run.png_path, [&](const std::string& temporary_png) {
    // Fail here, with the system's reason, rather than through gnuplot's message about its output.
    if (FILE* probe = std::fopen(temporary_png.c_str(), "wb")) {
      std::fclose(probe);
    } else {
      throw std::runtime_error(where + ": cannot write: " + std::strerror(errno));
    }
    const std::string size = std::to_string(run.width) + "," + std::to_string(run.height);
    std::ostringstream script;
    script << "set encoding utf8\n"
           // pngcairo draws anti-aliased lines; the libgd png terminal is the fallback.
           << "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
           << "  set terminal pngcairo size " << size << " noenhanced font 'sans,10'\n"
           << "} else {\n"
           << "  set terminal png size " << size << " noenhanced\n"
           << "}\n"
           << "set output " << gnuplot_quoted(temporary_png) << "\n"
           << commands << "\nunset output\n";
    const std::string script_path = folder.file("plot.gp");
    std::ofstream(script_path) << script.str();

    const std::string log_path = folder.file("gnuplot.log");
    util::ExitStatus result;
    try {
      util::SpawnOptions spawn;
      spawn.argv = {executable, script_path};
      spawn.output_path = log_path;
      result = util::wait_process(util::spawn_process(spawn), run.timeout_seconds);
    } catch (const std::runtime_error& error) {
      throw std::runtime_error(where + ": gnuplot: " + error.what());
    }
    if (!result.success()) {
      const std::string how = result.timed_out ? "was killed after " + gnuplot_number(run.timeout_seconds) + " s"
                                               : result.describe();
      throw std::runtime_error(where + ": gnuplot ('" + executable + "') " + how + ": " + tail_of(log_path));
    }
    PngSize written;
    try {
      written = png_size(temporary_png);
    } catch (const std::runtime_error& error) {
      throw std::runtime_error(where + ": gnuplot ('" + executable + "') exited 0 but wrote no valid PNG (" +
                               error.what() + "); its output: " + tail_of(log_path));
    }
    if (written.width != run.width || written.height != run.height) {
      throw std::runtime_error(util::concat(where, ": gnuplot wrote ", written.width, " × ", written.height,
                                            " px instead of the requested ", run.width, " × ", run.height));
    }
  });
}

}  // namespace tfgram::report::detail
