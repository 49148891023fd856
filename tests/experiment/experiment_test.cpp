// Experiment grids: expansion, results.csv, resume after a real SIGKILL, parallel trials,
// figures and index.html, config errors.
#include <gtest/gtest.h>

#include <map>
#include <signal.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "report/report_test_util.h"
#include "support/process.h"
#include "tfgram/frontends/dmel.h"
#include "tfgram/experiment/experiment.h"
#include "tfgram/experiment/report.h"
#include "tfgram/experiment/results_file.h"
#include "tfgram/experiment/table.h"
#include "tfgram/report/png.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::testing {
namespace {
namespace fs = std::filesystem;
using experiment::ExperimentConfig;

// SPEC §2.6 row 1 shrunk: 300 pulses, 2 λ × trainable, 1 run, few epochs.
std::string tiny_yaml(const std::string& output, int epochs = 2) {
  return R"(
output: )" + output + R"(
runs: 1
model:
  n_points: 128
  sample_rate: 8000
  frontend: {kind: dspec, dmel: {mode: full, hop_length: 1, lambd: 6.38}}
  backbone: {kind: linear}
data:
  kind: pulses
  pulses: {examples: 300, sigma: 6.38, noise_std: 0.5, seed: 3}
  split: {kind: random, seed: 1}
train: {optimizer: sgd, lr_model: 0.001, lr: {lambd: 1.0}, batch_size: 128, max_epochs: )" +
         std::to_string(epochs) + R"(, patience: 10, seed: 5}
grid:
  model.frontend.dmel.lambd: [1.276, 31.9]
  model.frontend.trainable: [true, false]
)";
}

experiment::Csv results_of(const std::string& folder) {
  return experiment::read_results_csv(folder + "/results.csv");
}

TEST(ExperimentGrid, ExpandsCellsRunsSeedsAndFolders) {
  auto config = ExperimentConfig::from_yaml(tiny_yaml("/tmp/x"), "tiny", "", {{"runs", "2"}});
  const auto trials = experiment::expand(config);
  ASSERT_EQ(trials.size(), 8u);
  EXPECT_EQ(trials[0].cell_id, "lambd=1.276,trainable=true");
  EXPECT_EQ(trials[1].cell_id, "lambd=1.276,trainable=true");
  EXPECT_EQ(trials[2].cell_id, "lambd=1.276,trainable=false");
  EXPECT_EQ(trials[7].cell_id, "lambd=31.9,trainable=false");
  EXPECT_EQ(trials[0].seed, 5u);
  EXPECT_EQ(trials[1].seed, 6u);
  EXPECT_EQ(trials[1].folder, "/tmp/x/runs/lambd=1.276,trainable=true/run1");
  EXPECT_EQ(trials[1].config.output, trials[1].folder);
  EXPECT_DOUBLE_EQ(trials[6].config.model.frontend.section<frontends::DMelOptions>("dmel").lambd(), 31.9);
  EXPECT_FALSE(trials[6].config.model.frontend_trainable());

  // Mapping values vary several keys together; `name` labels them. A --set of an axis key fixes it.
  config = ExperimentConfig::from_yaml(tiny_yaml("/tmp/x") + R"(
  front:
    - {name: lin, model.frontend.kind: dspec}
    - {model.frontend.kind: dmel, model.frontend.dmel.n_mels: 16}
)", "tiny", "", {{"model.frontend.trainable", "true"}});
  const auto mixed = experiment::expand(config);
  ASSERT_EQ(mixed.size(), 4u);
  EXPECT_EQ(mixed[0].cell_id, "lambd=1.276,front=lin");
  EXPECT_EQ(mixed[1].cell_id, "lambd=1.276,front=dmel+16");
  EXPECT_EQ(mixed[1].config.model.frontend.section<frontends::DMelOptions>("dmel").n_mels(), 16);
}

TEST(ExperimentGrid, ProfilesAndWindowMs) {
  const auto config = ExperimentConfig::from_yaml(tiny_yaml("/tmp/x") + R"(
profiles:
  small: {runs: 3, train: {max_epochs: 1}, grid: {window_ms: [10, 35]}}
)", "tiny", "small");
  EXPECT_EQ(config.runs, 3);
  const auto trials = experiment::expand(config);
  ASSERT_EQ(trials.size(), 2u * 2u * 2u * 3u);
  EXPECT_EQ(trials[0].config.train.max_epochs, 1);
  EXPECT_NEAR(trials[0].config.model.frontend.section<frontends::DMelOptions>("dmel").lambd(), 0.010 * 8000 / 6, 1e-9);
  EXPECT_THROW(ExperimentConfig::from_yaml(tiny_yaml("/tmp/x"), "tiny", "nope"), std::invalid_argument);
}

void expect_invalid(const std::string& yaml, const std::string& needle) {
  try {
    ExperimentConfig::from_yaml(yaml, "bad.yaml");
    ADD_FAILURE() << "expected std::invalid_argument mentioning " << needle;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(ExperimentGrid, BadGridKeysAndValuesNameTheKey) {
  expect_invalid(tiny_yaml("/tmp/x") + "  model.frontend.nonsense: [1, 2]\n", "model.frontend.nonsense");
  expect_invalid(tiny_yaml("/tmp/x") + "  train.batch_size: [8, lots]\n", "train.batch_size");
  expect_invalid(tiny_yaml("/tmp/x") + "  train.seed: []\n", "train.seed");
  expect_invalid(tiny_yaml("/tmp/x") + "  train.seed: 4\n", "train.seed");
  expect_invalid(tiny_yaml("/tmp/x") + "  window_ms: [-3]\n", "window_ms");
  expect_invalid(tiny_yaml("/tmp/x") + "  opt: [{name: a, train.optimizer: rmsprop}]\n", "train.optimizer");
  expect_invalid("runs: 0\n", "runs");

  TempDir dir;
  util::write_file_atomic(dir / "bad.yaml", tiny_yaml(dir / "out") + "  model.frontend.nonsense: [1, 2]\n");
  const auto result = run_process({cli_path(), "experiment", dir / "bad.yaml", "-q"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("model.frontend.nonsense"), std::string::npos) << result.err;
}

// The tiny grid in-process, with the report: rows and columns, figures, index.html.
TEST(ExperimentRun, TinyGridResultsTableAndFigures) {
  TempDir dir;
  const auto config = ExperimentConfig::from_yaml(tiny_yaml(dir / "exp"));
  const auto summary = experiment::run_experiment(config);
  EXPECT_EQ(summary.trials, 4);
  EXPECT_EQ(summary.trained, 4);
  const auto csv = results_of(dir / "exp");
  ASSERT_EQ(csv.rows.size(), 4u);
  for (const char* column : {"cell", "run", "lambd", "trainable", "seed", "best_epoch", "best_valid_loss",
                             "best_valid_accuracy", "test_accuracy", "initial_lambd", "learned_lambd",
                             "initial_window_ms", "learned_window_ms", "seconds"}) {
    EXPECT_GE(csv.column(column), 0) << column;
  }
  EXPECT_EQ(csv.column("run") + 1, csv.column("lambd"));
  EXPECT_EQ(csv.rows[0][csv.column("cell")], "lambd=1.276,trainable=true");
  EXPECT_EQ(csv.rows[3][csv.column("trainable")], "false");
  EXPECT_EQ(csv.rows[0][csv.column("seed")], "5");
  EXPECT_NE(csv.rows[0][csv.column("learned_lambd")], csv.rows[0][csv.column("initial_lambd")]);
  EXPECT_EQ(csv.rows[1][csv.column("learned_lambd")], csv.rows[1][csv.column("initial_lambd")]);
  EXPECT_LT(csv.column("mean_center_hz"), 0) << "only what the front ends report gets a column";

  // A second call trains nothing and rewrites the same rows.
  const auto again = experiment::run_experiment(config);
  EXPECT_EQ(again.skipped, 4);
  EXPECT_EQ(again.trained, 0);
  EXPECT_EQ(results_of(dir / "exp").rows, csv.rows);

  const auto table = util::read_file(dir / "exp/table.md");
  EXPECT_NE(table.find("| 1.276 | DMEL |"), std::string::npos) << table;
  EXPECT_NE(table.find("| 31.9 | baseline |"), std::string::npos) << table;
  EXPECT_TRUE(fs::exists(dir / "exp/table.tex"));
  const auto html = util::read_file(dir / "exp/index.html");
  // gnuplot figures: two panels (initial, learned) for a trainable cell, one for a fixed one.
  const std::vector<std::pair<std::string, report::PngSize>> figures{
      {"figures/lambda.png", {800, 500}},
      {"figures/loss_lambd_1.276_trainable_true.png", {800, 500}},
      {"figures/representation_lambd_1.276_trainable_true.png", {120 + 2 * 560, 480}},
      {"figures/representation_lambd_31.9_trainable_false.png", {120 + 560, 480}},
      {"figures/pulses_waveforms.png", {1000, 500}},
      {"figures/pulses_spectrograms.png", {1500, 480}},
  };
  for (const auto& [name, size] : figures) {
    const auto path = dir / ("exp/" + name);
    ASSERT_TRUE(fs::exists(path)) << name;
    EXPECT_EQ(report::png_size(path), size) << name;
    EXPECT_GT(report::testing::png_luminance_variance(path), 20.0) << name;
    EXPECT_NE(html.find("src=\"" + name + "\""), std::string::npos) << name;
  }
  EXPECT_EQ(html.find("not drawn"), std::string::npos) << html;
  EXPECT_NE(html.find("<figcaption>Synthetic data: one example of each pulse class"), std::string::npos) << html;
  EXPECT_NE(html.find("<td>DMEL</td>"), std::string::npos);
}

// The shipped configs parse and expand: SPEC §2.6 row 1 exactly, and the quick profile.
TEST(ExperimentConfigs, ShippedConfigsExpand) {
  const auto configs = fs::path(__FILE__).parent_path() / "../../configs";
  const auto full = ExperimentConfig::from_yaml_file((configs / "dmel_time_frequency.yaml").string());
  const auto trials = experiment::expand(full);
  ASSERT_EQ(trials.size(), 6u * static_cast<size_t>(full.runs));
  const auto& c = trials.front().config;
  EXPECT_EQ(c.data.pulses.examples, 5000);
  EXPECT_EQ(c.model.n_points, 128);
  EXPECT_DOUBLE_EQ(c.data.pulses.sigma, 6.38);
  EXPECT_DOUBLE_EQ(c.data.pulses.noise_std, 0.5);
  EXPECT_EQ(c.model.frontend.kind, "dspec");
  EXPECT_EQ(c.model.frontend.section<frontends::DMelOptions>("dmel").mode(), dsp::WindowMode::kFull);
  EXPECT_EQ(c.model.frontend.section<frontends::DMelOptions>("dmel").hop_length(), 1);
  EXPECT_EQ(c.train.optimizer, "sgd");
  EXPECT_DOUBLE_EQ(c.train.lr_model, 1e-3);
  EXPECT_EQ(c.train.lr, (std::map<std::string, double>{{"lambd", 1.0}}));
  EXPECT_EQ(c.train.batch_size, 128);
  const auto quick = ExperimentConfig::from_yaml_file((configs / "dmel_time_frequency.yaml").string(), "quick");
  EXPECT_EQ(experiment::expand(quick).size(), 12u);
  for (const char* name : {"dmel_digits.yaml", "dmel_esc.yaml", "degram_vs_mel.yaml"}) {
    EXPECT_EQ(experiment::expand(ExperimentConfig::from_yaml_file((configs / name).string(), "quick")).size(), 6u)
        << name;
  }
}

bool has_rows(const std::string& folder, size_t rows) {
  try {
    return fs::exists(folder + "/results.csv") && results_of(folder).rows.size() >= rows;
  } catch (const std::exception&) {
    return false;  // never happens with atomic writes, but a test must not crash on it
  }
}

// Kills a real `tfgram experiment` mid-grid, reruns it, and compares with an uninterrupted
// run of the same grid: the same rows, no duplicates, same values; and a parallel (--jobs 2) run.
TEST(ExperimentRun, ResumeAfterKillMatchesUninterruptedParallelRun) {
  TempDir dir;
  util::write_file_atomic(dir / "grid.yaml", tiny_yaml("unused", 4));
  // One thread everywhere, OpenBLAS's included: in-process and child trials then run the same
  // arithmetic (OpenBLAS would otherwise size its pool by the machine's cores in one, 1 in the other).
  const std::vector<std::string> env{"TFGRAM_NUM_THREADS=1", "OMP_NUM_THREADS=1", "OPENBLAS_NUM_THREADS=1"};
  const auto command = [&](const std::string& output, const std::string& jobs) {
    return std::vector<std::string>{cli_path(), "experiment", dir / "grid.yaml", "-q", "--no-report",
                                    "--output", output, "--jobs", jobs};
  };
  const auto whole = run_process(command(dir / "whole", "1"), env);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  // It ends with the paper-style table, then where the results are.
  const auto table_at = whole.out.find("| λ init | model |");
  EXPECT_NE(table_at, std::string::npos) << whole.out;
  EXPECT_NE(whole.out.find("| DMEL |"), std::string::npos) << whole.out;
  EXPECT_GT(whole.out.find("results: "), table_at) << whole.out;
  const auto parallel = run_process(command(dir / "parallel", "2"), env);
  ASSERT_EQ(parallel.exit_code, 0) << parallel.err;

  // Killed inside the second trial: once it has saved an epoch, with three of its four still to
  // go (an event, not a delay, so a fast machine cannot finish the grid first).
  const pid_t child = spawn_process(command(dir / "killed", "1"), env);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  const auto checkpoints = [&] {
    int n = 0;
    std::error_code ignored;
    for (const auto& entry : fs::recursive_directory_iterator(dir / "killed", ignored)) {
      n += entry.path().filename() == "last.ckpt";
    }
    return n;
  };
  while (!(has_rows(dir / "killed", 1) && checkpoints() >= 2) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(child, SIGKILL);
  EXPECT_EQ(wait_process(child), 128 + SIGKILL);
  const auto before = results_of(dir / "killed").rows.size();
  ASSERT_GE(before, 1u);
  ASSERT_LT(before, 4u) << "the kill came too late to test resuming";

  const auto resumed = run_process(command(dir / "killed", "1"), env);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto a = results_of(dir / "whole");
  const auto b = results_of(dir / "killed");
  ASSERT_EQ(a.header, b.header);
  ASSERT_EQ(a.rows.size(), 4u);
  ASSERT_EQ(b.rows.size(), 4u) << "killed after " << before << " rows";
  const int seconds = a.column("seconds");
  for (size_t r = 0; r < 4; ++r) {
    for (size_t c = 0; c < a.header.size(); ++c) {
      if (static_cast<int>(c) == seconds) continue;
      EXPECT_EQ(a.rows[r][c], b.rows[r][c]) << a.header[c] << " row " << r << " (killed after " << before << ")";
    }
  }
  // Parallel child trials give the same rows (the tolerance only guards against last-bit
  // differences that the identical thread set-up should already rule out).
  const auto p = results_of(dir / "parallel");
  ASSERT_EQ(p.rows.size(), 4u);
  for (size_t r = 0; r < 4; ++r) {
    for (size_t c = 0; c < a.header.size(); ++c) {
      if (static_cast<int>(c) == seconds) continue;
      const auto& x = a.rows[r][c];
      const auto& y = p.rows[r][c];
      char* end_x = nullptr;
      char* end_y = nullptr;
      const double vx = std::strtod(x.c_str(), &end_x);
      const double vy = std::strtod(y.c_str(), &end_y);
      if (!x.empty() && *end_x == '\0' && *end_y == '\0') {
        EXPECT_NEAR(vx, vy, 1e-5 * std::max(1.0, std::abs(vx))) << a.header[c] << " row " << r;
      } else {
        EXPECT_EQ(x, y) << a.header[c] << " row " << r;
      }
    }
  }
  // The table command reads it (and names the file when it is missing: exit 2).
  const auto table = run_process({cli_path(), "table", dir / "killed/results.csv", "--format", "both"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("\\begin{tabular}"), std::string::npos) << table.out;
  const auto missing = run_process({cli_path(), "table", dir / "none.csv"});
  EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
}  // namespace tfgram::testing
