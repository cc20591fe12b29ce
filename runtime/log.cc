#include "runtime/log.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace kiln::log {

bool enabled(std::string_view topic) {
  static const std::string topics = [] {
    const char* v = std::getenv("KILN_LOG");
    return "," + std::string(v ? v : "") + ",";
  }();
  return topics.find("," + std::string(topic) + ",") != std::string::npos || topics == ",all,";
}

void print(std::string_view message) {
  std::fprintf(stderr, "kiln: %.*s\n", static_cast<int>(message.size()), message.data());
}

}  // namespace kiln::log
