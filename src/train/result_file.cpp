#include "tfgram/train/result_file.h"

#include <nlohmann/json.hpp>

#include "tfgram/util/atomic_file.h"
#include "tfgram/util/integrity.h"

namespace tfgram::train {
namespace {
using json = nlohmann::json;
constexpr const char* kKind = "tfgram.result";

std::string checksum_of(json object) {
  object.erase("checksum");
  return "crc32:" + util::hex32(util::crc32(object.dump()));
}
}  // namespace

void write_result_file(const std::string& path, const RunResult& result) {
  json object = json::parse(result.to_json());
  object["format"] = kKind;
  object["format_version"] = kResultFormatVersion;
  object["checksum"] = checksum_of(object);
  util::write_file_atomic(path, object.dump(2) + "\n");
}

RunResult parse_result_file(const std::string& text, const std::string& origin) {
  const auto refuse = [&](const std::string& why) { throw std::invalid_argument(origin + ": " + why); };
  json object;
  try {
    object = json::parse(text);
  } catch (const json::exception&) {
    refuse("not a readable result file (invalid JSON: truncated or damaged)");
  }
  if (!object.is_object() || !object.contains("format") || object["format"] != kKind) {
    refuse("not a tfgram result file (no \"format\": \"tfgram.result\")");
  }
  const auto& version = object["format_version"];
  if (!version.is_number_integer()) refuse("no integer \"format_version\"");
  const int found = version.get<int>();
  if (found > kResultFormatVersion) {
    refuse("written by a newer tfgram (result format " + std::to_string(found) + "; this build reads format " +
           std::to_string(kResultFormatVersion) + ")");
  }
  if (found != kResultFormatVersion) {
    refuse("result format " + std::to_string(found) + " is not supported (this build reads format " +
           std::to_string(kResultFormatVersion) + ")");
  }
  if (!object.contains("checksum") || !object["checksum"].is_string()) refuse("no \"checksum\"");
  const std::string stored = object["checksum"].get<std::string>();
  const std::string expected = checksum_of(object);
  if (stored != expected) {
    refuse("checksum mismatch (stored " + stored + ", contents give " + expected + "): the file was modified");
  }
  try {
    return RunResult::from_json(text);
  } catch (const json::exception& e) {
    refuse(std::string("malformed result fields (") + e.what() + ")");
  }
  return {};
}

RunResult read_result_file(const std::string& path) {
  std::string text;
  try {
    text = util::read_file(path);
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(e.what());
  }
  return parse_result_file(text, path);
}

}  // namespace tfgram::train
