#pragma once
// Training progress: a live bar on a terminal (epoch, batch, loss, accuracy, the front end's learned scalars, ETA), plain
// log lines otherwise (CI logs, files, pipes).
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>
#include <optional>
#include <ostream>

#include "tfgram/train/history.h"

namespace tfgram::train {

class Progress {
 public:
  /// `live`: redraw one line with '\r' (a terminal); otherwise print one line per epoch.
  Progress(std::ostream& out, bool live, int64_t max_epochs);
  /// True when `fd` is a terminal.
  static bool is_terminal(int fd);

  void begin_epoch(int64_t epoch, int64_t batches);
  /// `learned` gives the front end's learned values; asked only when the line is redrawn.
  void batch(int64_t done, double mean_loss, double accuracy,
             const std::function<std::vector<frontends::LearnedValue>()>& learned);
  void end_epoch(const EpochRecord& record, bool improved);
  void message(const std::string& line);

 private:
  std::ostream& out_;
  bool live_;
  int64_t max_epochs_;
  int64_t epoch_ = 0;
  int64_t batches_ = 0;
  std::chrono::steady_clock::time_point epoch_start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace tfgram::train
