// Paper-style tables from hand-written results files: exact markdown and LaTeX.
#include <gtest/gtest.h>

#include "tfgram/experiment/table.h"

namespace tfgram::testing {
namespace {
using experiment::parse_csv;
using experiment::results_table;

const char* kWindowResults =
    "cell,run,window_ms,trainable,seed,test_accuracy,learned_window_ms\n"
    "\"window_ms=10,trainable=true\",0,10,true,0,0.90,12.5\n"
    "\"window_ms=10,trainable=true\",1,10,true,1,0.92,14.26\n"
    "\"window_ms=10,trainable=false\",0,10,false,0,0.85,10\n"
    "\"window_ms=10,trainable=false\",1,10,false,1,0.87,10\n"
    "\"window_ms=300,trainable=true\",0,300,true,0,0.5,120\n"
    "\"window_ms=300,trainable=false\",0,300,false,0,0.4,300\n";

TEST(Table, PaperLayoutMarkdown) {
  const auto table = results_table(parse_csv(kWindowResults));
  EXPECT_EQ(table.markdown(),
            "| window (ms) | model | learned window (ms) (min, max) | runs | accuracy (%) |\n"
            "|---|---|---|---|---|\n"
            "| 10 | DMEL | (12.5, 14.3) | 2 | 91.0 ± 1.4 |\n"
            "| 10 | baseline | – | 2 | 86.0 ± 1.4 |\n"
            "| 300 | DMEL | (120.0, 120.0) | 1 | 50.0 ± – |\n"
            "| 300 | baseline | – | 1 | 40.0 ± – |\n");
}

TEST(Table, PaperLayoutLatex) {
  const auto table = results_table(parse_csv(kWindowResults));
  EXPECT_EQ(table.latex(),
            "\\begin{tabular}{lllll}\n\\toprule\n"
            "window (ms) & model & learned window (ms) (min, max) & runs & accuracy (\\%) \\\\\n"
            "\\midrule\n"
            "10 & DMEL & (12.5, 14.3) & 2 & 91.0 $\\pm$ 1.4 \\\\\n"
            "10 & baseline & -- & 2 & 86.0 $\\pm$ 1.4 \\\\\n"
            "300 & DMEL & (120.0, 120.0) & 1 & 50.0 $\\pm$ -- \\\\\n"
            "300 & baseline & -- & 1 & 40.0 $\\pm$ -- \\\\\n"
            "\\bottomrule\n\\end{tabular}\n");
}

TEST(Table, LambdaGridShowsLearnedLambda) {
  const auto table = results_table(parse_csv(
      "cell,run,lambd,trainable,seed,test_accuracy,learned_lambd\n"
      "a,0,1.276,true,0,0.8,5.5\n"
      "a,1,1.276,true,1,0.9,6.25\n"
      "b,0,1.276,false,0,0.6,1.276\n"));
  EXPECT_EQ(table.markdown(),
            "| λ init | model | learned λ (min, max) | runs | accuracy (%) |\n"
            "|---|---|---|---|---|\n"
            "| 1.276 | DMEL | (5.50, 6.25) | 2 | 85.0 ± 7.1 |\n"
            "| 1.276 | baseline | – | 1 | 60.0 ± – |\n");
}

TEST(Table, GenericGroupingByEveryGridColumn) {
  const auto table = results_table(parse_csv(
      "cell,run,data,frontend,seed,test_accuracy,learned_lambd\n"
      "x,0,fsdd,degram,0,0.95,\n"
      "x,1,fsdd,degram,1,0.97,\n"
      "y,0,fsdd,logmel,0,0.9,\n"));
  EXPECT_EQ(table.markdown(),
            "| data | frontend | runs | accuracy (%) |\n"
            "|---|---|---|---|\n"
            "| fsdd | degram | 2 | 96.0 ± 1.4 |\n"
            "| fsdd | logmel | 1 | 90.0 ± – |\n");
  EXPECT_EQ(table.latex(),
            "\\begin{tabular}{llll}\n\\toprule\n"
            "data & frontend & runs & accuracy (\\%) \\\\\n\\midrule\n"
            "fsdd & degram & 2 & 96.0 $\\pm$ 1.4 \\\\\n"
            "fsdd & logmel & 1 & 90.0 $\\pm$ -- \\\\\n"
            "\\bottomrule\n\\end{tabular}\n");
}

TEST(Table, CsvQuotingRoundTripsAndBadFilesAreRejected) {
  const std::vector<std::string> fields{"a,b", "say \"hi\"", "plain", ""};
  const auto csv = parse_csv("h1,h2,h3,h4\n" + experiment::csv_line(fields));
  ASSERT_EQ(csv.rows.size(), 1u);
  EXPECT_EQ(csv.rows[0], fields);
  EXPECT_THROW(parse_csv("a,b\n1,2,3\n"), std::invalid_argument);
  EXPECT_THROW(results_table(parse_csv("a,b\n1,2\n")), std::invalid_argument);
  const auto [mean, sd] = experiment::mean_std({1.0, 2.0, 3.0});
  EXPECT_DOUBLE_EQ(mean, 2.0);
  EXPECT_DOUBLE_EQ(sd, 1.0);
}

}  // namespace
}  // namespace tfgram::testing
