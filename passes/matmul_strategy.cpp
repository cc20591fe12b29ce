#include "passes/matmul_strategy.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "runtime/error.h"

namespace kiln::passes {

int64_t onednn_multiply_adds() {
  static const int64_t threshold = [] {
    const char* text = std::getenv("KILN_ONEDNN_MULTIPLY_ADDS");
    if (!text || !*text) return kOneDnnMultiplyAdds;
    // A count, written as an integer or in floating-point form ("1e18": every product generated).
    char* end = nullptr;
    double value = std::strtod(text, &end);
    if (*end || !(value >= 0))
      throw ValueError(fmt("KILN_ONEDNN_MULTIPLY_ADDS=\"", text, "\" is not a number of multiply-adds"));
    return value >= 9.2e18 ? INT64_MAX : static_cast<int64_t>(value);
  }();
  return threshold;
}

}  // namespace kiln::passes
