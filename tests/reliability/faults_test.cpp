// Faults with real processes of the built tfgram binary: SIGKILL at many points (during checkpoint
// writes too), SIGINT, a full disk, a diverging run, a grid with a failing trial. Each run resumes
// to exactly what an uninterrupted run gives, and no fault leaves a half-written file behind.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "support/process.h"
#include "tfgram/experiment/results_file.h"
#include "tfgram/train/checkpoint.h"
#include "tfgram/train/history.h"
#include "tfgram/train/result_file.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::testing {
namespace {
namespace fs = std::filesystem;
using json = nlohmann::json;

const std::vector<std::string> kEnv{"TFGRAM_NUM_THREADS=1"};

// The synthetic pulse task, tiny: 200 examples of 128 samples, full-mode linear model, SGD; a
// few tens of milliseconds per epoch.
std::string pulse_yaml(int epochs, const std::string& extra_train = "") {
  return R"(
model:
  n_points: 128
  sample_rate: 8000
  frontend: {kind: dspec, dmel: {mode: full, hop_length: 1, lambd: 1.276}}
  backbone: {kind: linear}
data:
  kind: pulses
  pulses: {examples: 200, sigma: 6.38, noise_std: 0.5, seed: 3}
  split: {kind: random, seed: 1}
train: {optimizer: sgd, lr_model: 0.001, lr: {lambd: 1.0}, batch_size: 32, patience: 1000, seed: 5, max_epochs: )" +
         std::to_string(epochs) + extra_train + "}\n";
}

std::vector<std::string> train_command(const std::string& config, const std::string& output) {
  return {cli_path(), "train", "-q", "-c", config, "-o", output};
}

train::History history_of(const std::string& folder) {
  return train::History::from_json(util::read_file(folder + "/history.json"));
}

std::vector<std::string> temporaries(const std::string& folder) {
  std::vector<std::string> out;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().filename().string().find(".tmp.") != std::string::npos) out.push_back(it->path().string());
  }
  return out;
}

// Every epoch's record and the final weights of `b` equal those of `a`, bit for bit.
void expect_same_run(const std::string& a, const std::string& b, const std::string& what) {
  const auto ha = history_of(a);
  const auto hb = history_of(b);
  ASSERT_EQ(ha.epochs.size(), hb.epochs.size()) << what;
  for (size_t e = 0; e < ha.epochs.size(); ++e) {
    EXPECT_EQ(ha.epochs[e].train_loss, hb.epochs[e].train_loss) << what << ", epoch " << e + 1;
    EXPECT_EQ(ha.epochs[e].valid_loss, hb.epochs[e].valid_loss) << what << ", epoch " << e + 1;
    EXPECT_EQ(ha.epochs[e].valid_accuracy, hb.epochs[e].valid_accuracy) << what << ", epoch " << e + 1;
    EXPECT_EQ(ha.epochs[e].frontend.scalar("lambd"), hb.epochs[e].frontend.scalar("lambd")) << what << ", epoch " << e + 1;
  }
  const auto ra = train::read_result_file(a + "/result.json");
  const auto rb = train::read_result_file(b + "/result.json");
  EXPECT_EQ(ra.test_loss, rb.test_loss) << what;
  EXPECT_EQ(ra.test_accuracy, rb.test_accuracy) << what;
  EXPECT_EQ(ra.learned.scalar("lambd"), rb.learned.scalar("lambd")) << what;
  EXPECT_EQ(ra.best_epoch, rb.best_epoch) << what;
  for (const char* name : {"best.ckpt", "last.ckpt"}) {
    const auto ma = train::load_model(a + "/" + name);
    const auto mb = train::load_model(b + "/" + name);
    EXPECT_EQ(ma.meta.epoch, mb.meta.epoch) << what << " " << name;
    const auto pa = ma.model->named_parameters();
    const auto pb = mb.model->named_parameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (size_t i = 0; i < pa.size(); ++i) {
      EXPECT_TRUE(torch::equal(pa[i].value(), pb[i].value())) << what << " " << name << " " << pa[i].key();
    }
  }
  EXPECT_TRUE(temporaries(b).empty()) << what;
}

// inotify on one folder: waits for the n-th event whose file name passes `match`.
class FolderWatch {
 public:
  explicit FolderWatch(const std::string& folder, uint32_t mask) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    if (fd_ < 0 || ::inotify_add_watch(fd_, folder.c_str(), mask) < 0) throw std::runtime_error("inotify failed");
  }
  ~FolderWatch() { ::close(fd_); }
  // True when the n-th matching event came; false when `pid` ended first or `timeout` passed.
  template <typename Match>
  bool wait_for(int n, Match match, pid_t pid, std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
    int seen = 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    alignas(inotify_event) char buffer[8192];
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 2) > 0) {
        const ssize_t len = ::read(fd_, buffer, sizeof buffer);
        for (ssize_t at = 0; at < len;) {
          const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
          if (event->len > 0 && match(std::string(event->name)) && ++seen >= n) return true;
          at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        }
      } else if (has_exited(pid)) {
        return false;
      }
    }
    return false;
  }

 private:
  // Without reaping it (wait_process does that).
  static bool has_exited(pid_t pid) {
    siginfo_t info{};
    return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
  }

  int fd_;
};

bool has_exited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

bool is_last_checkpoint(const std::string& name) { return name == "last.ckpt"; }
bool is_temporary(const std::string& name) { return name.find(".tmp.") != std::string::npos; }

// 24 SIGKILLs at random points of an 80-epoch run, three kinds in turn: a random moment after
// start, at most the first epoch's end (start-up, data generation, the first epoch); the k-th
// temporary file being created (inside a checkpoint or history write); a random moment after the
// k-th last.ckpt is renamed into place (mid-epoch: training or validation). Each kind lets a life
// finish at most a few epochs, so 80 epochs always take more than 20 kills. Resumed each time;
// the end equals an uninterrupted run, bit for bit.
TEST(Faults, KillResumeAtTwentyFourRandomPointsEqualsUninterruptedRun) {
  TempDir dir;
  util::write_file_atomic(dir / "run.yaml", pulse_yaml(80));
  const auto whole = run_process(train_command(dir / "run.yaml", dir / "whole"), kEnv);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  const std::string run = dir / "killed";
  fs::create_directories(run);
  std::mt19937 random(14);
  int kills = 0;
  int during_write = 0;
  int lives = 0;
  std::vector<std::string> log;
  while (true) {
    ASSERT_LT(lives, 200) << "no progress";
    const int kind = lives % 3;
    ++lives;
    FolderWatch watch(run, IN_CREATE | IN_MOVED_TO);
    const pid_t child = spawn_process(train_command(dir / "run.yaml", run), kEnv);
    bool kill_now = kills < 24;
    if (kill_now && kind == 0) {
      const std::chrono::milliseconds delay(std::uniform_int_distribution<int>(0, 1000)(random));
      watch.wait_for(1, is_last_checkpoint, child, delay);
      kill_now = !has_exited(child);
    } else if (kill_now && kind == 1) {
      kill_now = watch.wait_for(std::uniform_int_distribution<int>(1, 8)(random), is_temporary, child);
    } else if (kill_now) {
      kill_now = watch.wait_for(std::uniform_int_distribution<int>(1, 2)(random), is_last_checkpoint, child);
      if (kill_now) std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 30000)(random)));
      kill_now = kill_now && !has_exited(child);
    }
    if (kill_now) ::kill(child, SIGKILL);
    const int code = wait_process(child);
    if (code == 0) break;
    ASSERT_EQ(code, 128 + SIGKILL) << "life " << lives << " failed on its own";
    ++kills;
    const bool torn = !temporaries(run).empty();
    during_write += torn;
    const size_t epochs = fs::exists(run + "/history.json") ? history_of(run).epochs.size() : 0;
    log.push_back("kind " + std::to_string(kind) + " after " + std::to_string(epochs) + " epochs" +
                  (torn ? " (mid-write)" : ""));
    // What a kill leaves is always loadable: the checkpoint of a whole epoch, or none.
    if (fs::exists(run + "/last.ckpt")) EXPECT_NO_THROW(train::read_checkpoint_meta(run + "/last.ckpt")) << log.back();
  }
  std::string summary;
  for (const auto& line : log) summary += "\n  " + line;
  EXPECT_GE(kills, 20) << summary;
  EXPECT_GE(during_write, 1) << "no kill landed inside a write:" << summary;
  std::cout << "[kill-resume] " << kills << " kills in " << lives << " lives, " << during_write
            << " of them during a file write" << std::endl;
  expect_same_run(dir / "whole", run, std::to_string(kills) + " kills:" + summary);
}

// SIGINT between steps: exit 130, nothing half-written, the checkpoint of the last whole epoch;
// rerunning resumes to the uninterrupted result.
TEST(Faults, SigintStopsCleanlyWithExit130AndTheRunResumes) {
  TempDir dir;
  util::write_file_atomic(dir / "run.yaml", pulse_yaml(30));
  ASSERT_EQ(run_process(train_command(dir / "run.yaml", dir / "whole"), kEnv).exit_code, 0);
  const std::string run = dir / "stopped";
  fs::create_directories(run);
  FolderWatch watch(run, IN_MOVED_TO);
  const pid_t child = spawn_process(train_command(dir / "run.yaml", run), kEnv);
  ASSERT_TRUE(watch.wait_for(3, is_last_checkpoint, child));
  ::kill(child, SIGINT);
  EXPECT_EQ(wait_process(child), 130);
  EXPECT_TRUE(temporaries(run).empty());
  EXPECT_FALSE(fs::exists(run + "/result.json"));
  const auto meta = train::read_checkpoint_meta(run + "/last.ckpt");
  EXPECT_GE(meta.epoch, 3);
  EXPECT_LT(meta.epoch, 30) << "the signal came too late to test resuming";
  EXPECT_EQ(history_of(run).epochs.size(), static_cast<size_t>(meta.epoch)) << "history and checkpoint agree";

  // A SIGINT at once (during start-up, maybe before the handler is installed) leaves nothing behind either.
  const pid_t again = spawn_process(train_command(dir / "run.yaml", run), kEnv);
  ::kill(again, SIGINT);
  EXPECT_EQ(wait_process(again), 130);
  EXPECT_TRUE(temporaries(run).empty());

  const auto resumed = run_process(train_command(dir / "run.yaml", run), kEnv);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_same_run(dir / "whole", run, "after SIGINT");
}

// A small tmpfs as the output disk, filled up mid-run: a clear error naming the file, the
// previous checkpoint and results intact; with space again, the run resumes to the same end.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& where, const std::string& size) : where_(where) {
    fs::create_directories(where);
    mounted_ = ::mount("tfgram-test", where.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string where_;
  bool mounted_ = false;
};

TEST(Faults, FullDiskGivesAClearErrorAndKeepsThePreviousCheckpoint) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root";
  TempDir dir;
  util::write_file_atomic(dir / "run.yaml", pulse_yaml(12));
  ASSERT_EQ(run_process(train_command(dir / "run.yaml", dir / "whole"), kEnv).exit_code, 0);
  SmallDisk disk(dir / "disk", "4m");
  ASSERT_TRUE(disk.mounted()) << "mount -t tmpfs failed: " << std::strerror(errno);
  const std::string run = dir / "disk/run";
  fs::create_directories(run);
  FolderWatch watch(run, IN_MOVED_TO);
  const pid_t child = spawn_process(train_command(dir / "run.yaml", run), kEnv);
  ASSERT_TRUE(watch.wait_for(2, is_last_checkpoint, child));
  ::kill(child, SIGSTOP);  // fill the disk while it waits
  {
    std::ofstream filler(dir / "disk/filler", std::ios::binary);
    const std::string block(64 * 1024, 'x');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  const auto before = util::read_file(run + "/last.ckpt");
  ::kill(child, SIGCONT);
  const int code = wait_process(child);
  EXPECT_EQ(code, 1);
  // The same through a pipe, to see the message: the next write fails at once.
  const auto failed = run_process(train_command(dir / "run.yaml", run), kEnv);
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_NE(failed.err.find("No space left on device"), std::string::npos) << failed.err;
  EXPECT_NE(failed.err.find(run), std::string::npos) << "names the file: " << failed.err;
  EXPECT_EQ(failed.err.find("frame #"), std::string::npos) << failed.err;
  EXPECT_TRUE(temporaries(run).empty());
  EXPECT_FALSE(fs::exists(run + "/result.json"));
  const auto meta = train::read_checkpoint_meta(run + "/last.ckpt");
  EXPECT_GE(meta.epoch, 2);
  EXPECT_NO_THROW(train::load_model(run + "/last.ckpt"));
  EXPECT_NO_THROW(train::load_model(run + "/best.ckpt"));
  EXPECT_NO_THROW(history_of(run));

  fs::remove(dir / "disk/filler");
  const auto resumed = run_process(train_command(dir / "run.yaml", run), kEnv);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  expect_same_run(dir / "whole", run, "after a full disk");
  (void)before;
}

// A run whose loss becomes NaN stops at once, naming the step, epoch, λ; no NaN weights written.
TEST(Faults, DivergingRunStopsNamingStepEpochAndLambda) {
  TempDir dir;
  util::write_file_atomic(dir / "run.yaml", pulse_yaml(5));
  const auto r = run_process({cli_path(), "train", "-q", "-c", dir / "run.yaml", "--set", "train.lr_model=1e38",
                              "-o", dir / "run"},
                             kEnv);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("training stopped at epoch 1, step "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("lambd "), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  for (const char* name : {"last.ckpt", "best.ckpt"}) {
    if (!fs::exists(dir / ("run/" + std::string(name)))) continue;
    const auto m = train::load_model(dir / ("run/" + std::string(name)));
    for (const auto& p : m.model->parameters()) EXPECT_TRUE(torch::isfinite(p).all().item<bool>()) << name;
  }
  EXPECT_FALSE(fs::exists(dir / "run/result.json"));
}

// A grid where one cell always diverges: the others finish, results.csv records the failure
// and its reason, and the exit status (3) says something failed. Parallel (child processes).
TEST(Faults, GridWithAFailingTrialFinishesTheOthersAndRecordsTheReason) {
  TempDir dir;
  const std::string yaml = pulse_yaml(3) + "output: " + (dir / "exp") +
                           "\nruns: 1\ngrid:\n  train.lr_model: [0.001, 1.0e38, 0.002]\n";
  util::write_file_atomic(dir / "exp.yaml", yaml);
  for (const char* jobs : {"1", "2"}) {
    fs::remove_all(dir / "exp");
    const auto r = run_process({cli_path(), "experiment", dir / "exp.yaml", "--jobs", jobs, "--no-report"}, kEnv);
    EXPECT_EQ(r.exit_code, 3) << jobs << " jobs: " << r.err;
    EXPECT_NE(r.err.find("1 of 3 trial(s) failed"), std::string::npos) << r.err;
    const auto csv = experiment::read_results_csv(dir / "exp/results.csv");
    ASSERT_EQ(csv.rows.size(), 3u) << jobs << " jobs";
    const int status = csv.column("status");
    const int error = csv.column("error");
    const int accuracy = csv.column("test_accuracy");
    ASSERT_GE(status, 0);
    ASSERT_GE(error, 0);
    EXPECT_EQ(csv.rows[0][status], "ok");
    EXPECT_EQ(csv.rows[2][status], "ok");
    EXPECT_FALSE(csv.rows[0][accuracy].empty());
    EXPECT_EQ(csv.rows[1][status], "failed");
    EXPECT_TRUE(csv.rows[1][accuracy].empty());
    EXPECT_NE(csv.rows[1][error].find("training stopped at epoch 1"), std::string::npos) << csv.rows[1][error];
    // The table is of the finished runs, and the tool reads the file back.
    const auto table = run_process({cli_path(), "table", dir / "exp/results.csv"}, kEnv);
    EXPECT_EQ(table.exit_code, 0) << table.err;
  }
}

}  // namespace
}  // namespace tfgram::testing
