#include "tfgram/train/history.h"

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
using detail::optional_from;
using detail::optional_json;

namespace {
std::string mean_or_empty(const std::vector<double>& v) {
  if (v.empty()) return "";
  std::ostringstream out;
  out << std::setprecision(8) << std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  return out.str();
}
}  // namespace

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
                    {"lambd", optional_json(e.lambd)},
                    {"window_ms", optional_json(e.window_ms)},
                    {"center_hz", e.center_hz},
                    {"bandwidth_hz", e.bandwidth_hz},
                    {"seconds", e.seconds}});
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
    e.lambd = optional_from(row.at("lambd"));
    e.window_ms = optional_from(row.at("window_ms"));
    e.center_hz = row.at("center_hz").get<std::vector<double>>();
    e.bandwidth_hz = row.at("bandwidth_hz").get<std::vector<double>>();
    e.seconds = row.at("seconds").get<double>();
    history.epochs.push_back(std::move(e));
  }
  return history;
}

std::string History::to_csv() const {
  std::ostringstream out;
  out << std::setprecision(8);
  std::set<std::string> groups;
  for (const auto& e : epochs) {
    for (const auto& [group, rate] : e.lr_frontend) groups.insert(group);
  }
  out << "epoch,train_loss,train_accuracy,valid_loss,valid_accuracy,lr_model,";
  for (const auto& group : groups) out << "lr_" << group << ',';
  out << "lambd,window_ms,mean_center_hz,mean_bandwidth_hz,seconds\n";
  for (const auto& e : epochs) {
    out << e.epoch << ',' << e.train_loss << ',' << e.train_accuracy << ',' << e.valid_loss << ','
        << e.valid_accuracy << ',' << e.lr_model << ',';
    for (const auto& group : groups) {
      if (const auto found = e.lr_frontend.find(group); found != e.lr_frontend.end()) out << found->second;
      out << ',';
    }
    if (e.lambd) out << *e.lambd;
    out << ',';
    if (e.window_ms) out << *e.window_ms;
    out << ',' << mean_or_empty(e.center_hz) << ',' << mean_or_empty(e.bandwidth_hz) << ',' << e.seconds << '\n';
  }
  return out.str();
}

void History::save(const std::string& folder) const {
  const std::filesystem::path dir(folder);
  util::write_file_atomic((dir / "history.csv").string(), to_csv());
  util::write_file_atomic((dir / "history.json").string(), to_json());
}

}  // namespace tfgram::train
