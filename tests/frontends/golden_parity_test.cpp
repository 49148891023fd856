// Parity with the published implementations: every *.pt in $TFGRAM_GOLDEN_DIR is checked, with
// its configuration read from the file itself. A file no checker claims fails.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <functional>
#include <map>

#include "support/close.h"
#include "support/golden.h"
#include "support/golden_checkers.h"

namespace tfgram::testing {
namespace {

class GoldenParity : public ::testing::TestWithParam<std::string> {};

TEST(GoldenDirectory, HoldsGoldenFiles) {
  EXPECT_FALSE(golden_files().empty())
      << "no *.pt golden file in '" << golden_dir() << "' (set TFGRAM_GOLDEN_DIR)";
}

TEST_P(GoldenParity, MatchesPublishedImplementation) {
  torch::manual_seed(0);
  const Golden golden(GetParam());
  const auto [checker, variant] = find_golden_checker(golden.stem());
  ASSERT_TRUE(checker) << "no parity checker knows the component of golden file " << golden.path()
                       << " (known: " << known_golden_components() << ")";
  checker(golden, variant);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, GoldenParity, ::testing::ValuesIn(golden_files()), test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(GoldenParity);

}  // namespace
}  // namespace tfgram::testing
