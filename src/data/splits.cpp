#include "tfgram/data/splits.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "tfgram/data/dataset.h"
#include "tfgram/data/random.h"
#include "tfgram/util/check.h"

namespace tfgram::data {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void sort_parts(Split& split) {
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.valid.begin(), split.valid.end());
  std::sort(split.test.begin(), split.test.end());
}

void check_fractions(const RandomSplitOptions& options) {
  for (const double f : {options.train(), options.valid(), options.test()}) {
    util::require(std::isfinite(f) && f >= 0 && f <= 1, "random_split",
                  "fractions must lie in [0, 1], got train ", options.train(), ", valid ",
                  options.valid(), ", test ", options.test());
  }
  const double sum = options.train() + options.valid() + options.test();
  util::require(std::abs(sum - 1.0) < 1e-9, "random_split", "fractions must sum to 1, got ", sum);
}

// Deals a shuffled group out: round(n·test) to test, round(n·valid) to valid, the rest to train.
void deal(std::vector<int64_t> group, const RandomSplitOptions& options, Rng& rng, Split& out) {
  shuffle(group, rng);
  const auto n = static_cast<double>(group.size());
  const auto n_test = static_cast<size_t>(std::llround(n * options.test()));
  const auto n_valid = std::min(group.size() - n_test, static_cast<size_t>(std::llround(n * options.valid())));
  out.test.insert(out.test.end(), group.begin(), group.begin() + static_cast<std::ptrdiff_t>(n_test));
  out.valid.insert(out.valid.end(), group.begin() + static_cast<std::ptrdiff_t>(n_test),
                   group.begin() + static_cast<std::ptrdiff_t>(n_test + n_valid));
  out.train.insert(out.train.end(), group.begin() + static_cast<std::ptrdiff_t>(n_test + n_valid), group.end());
}

}  // namespace

Split random_split(int64_t size, const RandomSplitOptions& options) {
  util::require(size >= 0, "random_split", "size must be >= 0, got ", size);
  check_fractions(options);
  std::vector<int64_t> all(static_cast<size_t>(size));
  for (int64_t i = 0; i < size; ++i) all[static_cast<size_t>(i)] = i;
  Rng rng(derive_seed(options.seed(), 0));
  Split split;
  deal(std::move(all), options, rng, split);
  sort_parts(split);
  return split;
}

Split random_split(const Dataset& dataset, const RandomSplitOptions& options) {
  if (!options.stratify()) return random_split(dataset.size(), options);
  check_fractions(options);
  std::map<int64_t, std::vector<int64_t>> by_class;
  for (int64_t i = 0; i < dataset.size(); ++i) by_class[dataset.label(i)].push_back(i);
  Rng rng(derive_seed(options.seed(), 0));
  Split split;
  for (auto& [label, members] : by_class) deal(std::move(members), options, rng, split);
  sort_parts(split);
  return split;
}

Split split_by_fold(const Dataset& dataset, const std::vector<int64_t>& test_folds,
                    const std::vector<int64_t>& valid_folds) {
  constexpr const char* where = "split_by_fold";
  const std::set<int64_t> test(test_folds.begin(), test_folds.end());
  const std::set<int64_t> valid(valid_folds.begin(), valid_folds.end());
  for (const int64_t fold : test) {
    util::require(valid.count(fold) == 0, where, "fold ", fold, " is both a test and a validation fold");
  }
  std::set<int64_t> present;
  Split split;
  for (int64_t i = 0; i < dataset.size(); ++i) {
    const int64_t fold = dataset.info(i).fold;
    util::require(fold > 0, where, dataset.name(), " example ", i, " ('", dataset.info(i).path,
                  "') has no fold");
    present.insert(fold);
    (test.count(fold) ? split.test : valid.count(fold) ? split.valid : split.train).push_back(i);
  }
  for (const auto* named : {&test, &valid}) {
    for (const int64_t fold : *named) {
      util::require(present.count(fold) != 0, where, "fold ", fold, " does not occur in ",
                    dataset.name());
    }
  }
  return split;
}

Split split_by_speaker(const Dataset& dataset, const SpeakerSplit& speakers) {
  constexpr const char* where = "split_by_speaker";
  std::map<std::string, int> part;  // 0 train, 1 valid, 2 test
  const std::vector<std::string>* lists[3] = {&speakers.train, &speakers.valid, &speakers.test};
  for (int p = 0; p < 3; ++p) {
    for (const auto& speaker : *lists[p]) {
      const auto [it, inserted] = part.emplace(speaker, p);
      util::require(inserted || it->second == p, where, "speaker '", speaker,
                    "' is listed in two parts");
    }
  }
  Split split;
  for (int64_t i = 0; i < dataset.size(); ++i) {
    const std::string& speaker = dataset.info(i).speaker;
    const auto found = part.find(speaker);
    util::require(found != part.end(), where, dataset.name(), " example ", i, " ('",
                  dataset.info(i).path, "') has speaker '", speaker, "', which no part lists");
    (found->second == 0 ? split.train : found->second == 1 ? split.valid : split.test).push_back(i);
  }
  return split;
}

Split split_by_column(const Dataset& dataset) {
  Split split;
  for (int64_t i = 0; i < dataset.size(); ++i) {
    const std::string value = lower(dataset.info(i).split);
    if (value == "train") {
      split.train.push_back(i);
    } else if (value == "valid" || value == "validation" || value == "val" || value == "dev") {
      split.valid.push_back(i);
    } else if (value == "test") {
      split.test.push_back(i);
    } else {
      throw std::invalid_argument(util::concat(
          "split_by_column: ", dataset.name(), " example ", i, " ('", dataset.info(i).path,
          "') has split '", dataset.info(i).split, "' (expected train, valid or test)"));
    }
  }
  return split;
}

Split split_by_take(const Dataset& dataset, int64_t test_below) {
  Split split;
  for (int64_t i = 0; i < dataset.size(); ++i) {
    const int64_t take = dataset.info(i).take;
    util::require(take >= 0, "split_by_take", dataset.name(), " example ", i, " ('",
                  dataset.info(i).path, "') has no take index");
    (take < test_below ? split.test : split.train).push_back(i);
  }
  return split;
}

Split with_validation(Split split, double fraction, uint64_t seed) {
  util::require(std::isfinite(fraction) && fraction >= 0 && fraction < 1, "with_validation",
                "fraction must lie in [0, 1), got ", fraction);
  std::vector<int64_t> train = std::move(split.train);
  Rng rng(derive_seed(seed, 1));
  shuffle(train, rng);
  const auto moved = static_cast<size_t>(std::llround(static_cast<double>(train.size()) * fraction));
  split.valid.insert(split.valid.end(), train.begin(), train.begin() + static_cast<std::ptrdiff_t>(moved));
  split.train.assign(train.begin() + static_cast<std::ptrdiff_t>(moved), train.end());
  sort_parts(split);
  return split;
}

Split with_train_subset(Split split, double fraction, uint64_t seed) {
  util::require(std::isfinite(fraction) && fraction > 0 && fraction <= 1, "with_train_subset",
                "fraction must lie in (0, 1], got ", fraction);
  if (fraction == 1.0 || split.train.empty()) return split;
  Rng rng(derive_seed(seed, 2));
  shuffle(split.train, rng);
  const auto kept = std::max<size_t>(1, static_cast<size_t>(std::llround(static_cast<double>(split.train.size()) * fraction)));
  split.train.resize(kept);
  sort_parts(split);
  return split;
}

void check_split(const Split& split, int64_t size, const char* where) {
  std::vector<char> seen(static_cast<size_t>(std::max<int64_t>(size, 0)), 0);
  for (const auto* part : {&split.train, &split.valid, &split.test}) {
    for (const int64_t i : *part) {
      util::require(i >= 0 && i < size, where, "index ", i, " outside [0, ", size, ")");
      util::require(!seen[static_cast<size_t>(i)], where, "index ", i, " is used twice");
      seen[static_cast<size_t>(i)] = 1;
    }
  }
}

SplitKind parse_split_kind(const std::string& name) {
  const std::string key = lower(name);
  if (key == "random") return SplitKind::kRandom;
  if (key == "folds" || key == "fold") return SplitKind::kFolds;
  if (key == "speakers" || key == "speaker") return SplitKind::kSpeakers;
  if (key == "column" || key == "manifest") return SplitKind::kColumn;
  if (key == "official") return SplitKind::kOfficial;
  throw std::invalid_argument("split: unknown kind '" + name +
                              "' (expected random, folds, speakers, column or official)");
}

std::string to_string(SplitKind kind) {
  switch (kind) {
    case SplitKind::kRandom: return "random";
    case SplitKind::kFolds: return "folds";
    case SplitKind::kSpeakers: return "speakers";
    case SplitKind::kColumn: return "column";
    case SplitKind::kOfficial: return "official";
  }
  return "unknown";
}

Split make_split(const Dataset& dataset, const SplitOptions& options) {
  Split split;
  switch (options.kind()) {
    case SplitKind::kRandom: split = random_split(dataset, options.random()); break;
    case SplitKind::kFolds:
      util::require(!options.test_folds().empty(), "split", "kind folds needs test_folds");
      split = split_by_fold(dataset, options.test_folds(), options.valid_folds());
      break;
    case SplitKind::kSpeakers: split = split_by_speaker(dataset, options.speakers()); break;
    case SplitKind::kColumn: split = split_by_column(dataset); break;
    case SplitKind::kOfficial: {
      auto official = dataset.official_split();
      util::require(official.has_value(), "split", dataset.name(),
                    " defines no official split (use random, folds or speakers)");
      split = std::move(*official);
      break;
    }
  }
  if (split.valid.empty() && options.valid_fraction() > 0) {
    split = with_validation(std::move(split), options.valid_fraction(), options.valid_seed());
  }
  check_split(split, dataset.size(), "split");
  return split;
}

}  // namespace tfgram::data
