#include "tfgram/data/dataset.h"

#include "tfgram/util/check.h"

namespace tfgram::data {

std::vector<int64_t> Dataset::labels() const {
  std::vector<int64_t> out(static_cast<size_t>(size()));
  for (int64_t i = 0; i < size(); ++i) out[static_cast<size_t>(i)] = label(i);
  return out;
}

void Dataset::check_index(int64_t index) const {
  if (index < 0 || index >= size()) {
    throw std::out_of_range(util::concat(name(), ": index ", index, " outside [0, ", size(), ")"));
  }
}

}  // namespace tfgram::data
