#include "tfgram/train/progress.h"

#include <unistd.h>

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace tfgram::train {
namespace {
std::string clock_text(double seconds) {
  const auto s = static_cast<int64_t>(seconds + 0.5);
  std::ostringstream out;
  out << s / 60 << ':' << std::setw(2) << std::setfill('0') << s % 60;
  return out.str();
}
}  // namespace

Progress::Progress(std::ostream& out, bool live, int64_t max_epochs)
    : out_(out), live_(live), max_epochs_(max_epochs) {}

bool Progress::is_terminal(int fd) { return ::isatty(fd) != 0; }

void Progress::begin_epoch(int64_t epoch, int64_t batches) {
  epoch_ = epoch;
  batches_ = batches;
  epoch_start_ = last_draw_ = std::chrono::steady_clock::now();
}

void Progress::batch(int64_t done, double mean_loss, double accuracy,
                     const std::function<std::vector<frontends::LearnedValue>()>& learned) {
  if (!live_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;  // don't flood the terminal
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - epoch_start_).count();
  const double eta = done > 0 ? elapsed / static_cast<double>(done) * static_cast<double>(batches_ - done) : 0.0;
  constexpr int kWidth = 24;
  const int filled = batches_ > 0 ? static_cast<int>(kWidth * done / batches_) : kWidth;
  std::ostringstream line;
  line << "\repoch " << epoch_ << '/' << max_epochs_ << " [" << std::string(filled, '=')
       << std::string(kWidth - filled, ' ') << "] " << done << '/' << batches_ << std::fixed
       << std::setprecision(4) << " loss " << mean_loss << std::setprecision(1) << " acc "
       << 100.0 * accuracy << '%';
  for (const auto& value : learned()) {
    if (value.scalar) line << std::setprecision(3) << ' ' << value.name << ' ' << value.values.at(0);
  }
  line << " ETA " << clock_text(eta) << "   ";
  out_ << line.str() << std::flush;
}

void Progress::end_epoch(const EpochRecord& r, bool improved) {
  std::ostringstream line;
  line << std::fixed << "epoch " << r.epoch << '/' << max_epochs_ << std::setprecision(4) << " train_loss "
       << r.train_loss << std::setprecision(1) << " train_acc " << 100.0 * r.train_accuracy << '%'
       << std::setprecision(4) << " valid_loss " << r.valid_loss << std::setprecision(1) << " valid_acc "
       << 100.0 * r.valid_accuracy << '%';
  for (const auto& value : r.frontend.values) {
    if (value.scalar) line << std::setprecision(3) << ' ' << value.name << ' ' << value.values.at(0) << ' ' << value.unit;
  }
  line << std::setprecision(1) << ' ' << r.seconds << 's' << (improved ? " *" : "");
  if (live_) out_ << '\r' << std::string(100, ' ') << '\r';
  out_ << line.str() << '\n' << std::flush;
}

void Progress::message(const std::string& line) { out_ << line << '\n' << std::flush; }

}  // namespace tfgram::train
