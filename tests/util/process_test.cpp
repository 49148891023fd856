// util's child processes (the experiment's parallel trials, gnuplot), CSV records, file names and
// the core count.
#include <gtest/gtest.h>
#include <sched.h>

#include <chrono>
#include <stdexcept>

#include "support/temp_dir.h"
#include "tfgram/util/atomic_file.h"
#include "tfgram/util/csv.h"
#include "tfgram/util/file_name.h"
#include "tfgram/util/process.h"
#include "tfgram/util/threads.h"

namespace tfgram::testing {
namespace {

TEST(Process, ExitStatusEnvironmentAndOutput) {
  TempDir dir;
  util::SpawnOptions spawn;
  spawn.argv = {"sh", "-c", "echo \"$TFGRAM_PROCESS_TEST\"; echo to-stderr >&2; exit 3"};
  spawn.environment = {"TFGRAM_PROCESS_TEST=from the parent"};
  spawn.output_path = dir / "out.log";
  const auto status = util::wait_process(util::spawn_process(spawn));
  EXPECT_TRUE(status.exited);
  EXPECT_EQ(status.status, 3);
  EXPECT_FALSE(status.success());
  EXPECT_EQ(status.describe(), "exited with status 3");
  EXPECT_EQ(util::read_file(dir / "out.log"), "from the parent\nto-stderr\n");
}

TEST(Process, MissingProgramIsNamed) {
  util::SpawnOptions spawn;
  spawn.argv = {"tfgram-no-such-program"};
  try {
    util::spawn_process(spawn);
    ADD_FAILURE() << "started a missing program";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("tfgram-no-such-program"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not found"), std::string::npos) << e.what();
  }
}

TEST(Process, PollThenTimeoutKills) {
  util::SpawnOptions spawn;
  spawn.argv = {"sleep", "30"};
  const pid_t pid = util::spawn_process(spawn);
  EXPECT_FALSE(util::poll_process(pid).has_value());
  const auto start = std::chrono::steady_clock::now();
  const auto status = util::wait_process(pid, 0.2);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_TRUE(status.timed_out);
  EXPECT_FALSE(status.exited);
  EXPECT_EQ(status.status, 9);  // SIGKILL
}

TEST(Process, UsableCoresFollowAffinity) {
  cpu_set_t set;
  ASSERT_EQ(sched_getaffinity(0, sizeof(set), &set), 0);
  EXPECT_EQ(util::usable_cores(), CPU_COUNT(&set));
}

TEST(Csv, QuotedFieldsCommentsAndLines) {
  const auto records = util::parse_csv_records("\xEF\xBB\xBF" "a,b\r\n# note\n\n\"x,\"\"y\"\"\nz\",2\n", true);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(records[1].line, 4);
  EXPECT_EQ(records[1].fields, (std::vector<std::string>{"x,\"y\"\nz", "2"}));
  EXPECT_EQ(util::parse_csv_records("# kept\n", false).size(), 1u);
  EXPECT_THROW(util::parse_csv_records("a,\"open\n"), std::invalid_argument);
}

TEST(FileName, SeparatorsBecomeUnderscores) {
  EXPECT_EQ(util::safe_file_name("a/b c:d\"e'f\\g"), "a_b_c_d_e_f_g");
  EXPECT_EQ(util::safe_file_name("w=35,t=true", ",="), "w_35_t_true");
  EXPECT_EQ(util::safe_file_name("0.001+mel"), "0.001+mel");
  EXPECT_EQ(util::safe_file_name("", "", "dataset"), "dataset");
}

}  // namespace
}  // namespace tfgram::testing
