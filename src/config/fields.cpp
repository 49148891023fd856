#include "tfgram/config/fields.h"

namespace tfgram::config {

Json parse_text(const std::string& text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error&) {
    return Json(text);  // a bare word such as pow2 or ../data/fsdd
  }
}

}  // namespace tfgram::config
