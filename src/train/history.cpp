#include "tfgram/train/history.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <sstream>

#include "json_optional.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::train {
using json = nlohmann::json;


std::string History::to_json(int indent) const {
  json rows = json::array();
  for (const auto& e : epochs) {
    rows.push_back({{"epoch", e.epoch},
                    {"train_loss", e.train_loss},
                    {"train_accuracy", e.train_accuracy},
                    {"valid_loss", e.valid_loss},
                    {"valid_accuracy", e.valid_accuracy},
                    {"lr_model", e.lr_model},
                    {"lr_frontend", e.lr_frontend},
                    {"seconds", e.seconds}});
    detail::write_learned(e.frontend, "", rows.back());
  }
  return json{{"epochs", rows}}.dump(indent);
}

History History::from_json(const std::string& text) {
  const json in = json::parse(text);
  History history;
  for (const auto& row : in.at("epochs")) {
    EpochRecord e;
    e.epoch = row.at("epoch").get<int64_t>();
    e.train_loss = row.at("train_loss").get<double>();
    e.train_accuracy = row.at("train_accuracy").get<double>();
    e.valid_loss = row.at("valid_loss").get<double>();
    e.valid_accuracy = row.at("valid_accuracy").get<double>();
    e.lr_model = row.at("lr_model").get<double>();
    e.lr_frontend = row.at("lr_frontend").get<std::map<std::string, double>>();
    e.frontend = detail::read_learned(
        row, "", {{"lambd", "lambd"}, {"window_ms", "window_ms"}, {"center_hz", "center_hz"}, {"bandwidth_hz", "bandwidth_hz"}});
    e.seconds = row.at("seconds").get<double>();
    history.epochs.push_back(std::move(e));
  }
  return history;
}

std::string History::to_csv() const {
  std::ostringstream out;
  out << std::setprecision(8);
  std::set<std::string> groups;
  std::vector<std::pair<std::string, bool>> learned;  // (name, scalar), in order of appearance
  for (const auto& e : epochs) {
    for (const auto& [group, rate] : e.lr_frontend) groups.insert(group);
    for (const auto& value : e.frontend.values) {
      if (!e.frontend.find(value.name)) continue;
      const bool known = std::any_of(learned.begin(), learned.end(), [&](const auto& l) { return l.first == value.name; });
      if (!known) learned.emplace_back(value.name, value.scalar);
    }
  }
  out << "epoch,train_loss,train_accuracy,valid_loss,valid_accuracy,lr_model,";
  for (const auto& group : groups) out << "lr_" << group << ',';
  for (const auto& [name, scalar] : learned) out << (scalar ? "" : "mean_") << name << ',';
  out << "seconds\n";
  for (const auto& e : epochs) {
    out << e.epoch << ',' << e.train_loss << ',' << e.train_accuracy << ',' << e.valid_loss << ','
        << e.valid_accuracy << ',' << e.lr_model << ',';
    for (const auto& group : groups) {
      if (const auto found = e.lr_frontend.find(group); found != e.lr_frontend.end()) out << found->second;
      out << ',';
    }
    for (const auto& [name, scalar] : learned) {
      if (const auto* value = e.frontend.find(name); value && !value->values.empty()) {
        out << (scalar ? value->values.front() : mean_of(value->values));
      }
      out << ',';
    }
    out << e.seconds << '\n';
  }
  return out.str();
}

void History::save(const std::string& folder) const {
  const std::filesystem::path dir(folder);
  util::write_file_atomic((dir / "history.csv").string(), to_csv());
  util::write_file_atomic((dir / "history.json").string(), to_json());
}

}  // namespace tfgram::train
