#include "tfgram/train/learned_values.h"

#include <iomanip>
#include <numeric>
#include <sstream>

namespace tfgram::train {

const frontends::LearnedValue* LearnedValues::find(const std::string& name) const {
  for (const auto& value : values) {
    if (value.name == name) return &value;
  }
  return nullptr;
}

std::optional<double> LearnedValues::scalar(const std::string& name) const {
  const auto* value = find(name);
  if (value == nullptr || value->values.empty()) return std::nullopt;
  return value->values.front();
}

std::vector<double> LearnedValues::vector(const std::string& name) const {
  const auto* value = find(name);
  return value == nullptr ? std::vector<double>{} : value->values;
}

double mean_of(const std::vector<double>& values) {
  if (values.empty()) return 0.0;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

std::string LearnedValues::summary() const {
  std::ostringstream out;
  out << std::setprecision(4);
  for (const auto& value : values) {
    if (out.tellp() > 0) out << ", ";
    out << value.name << ' ' << (value.scalar ? "" : "mean ") << (value.scalar ? value.values.at(0) : mean_of(value.values))
        << ' ' << value.unit;
  }
  return out.str();
}

}  // namespace tfgram::train
