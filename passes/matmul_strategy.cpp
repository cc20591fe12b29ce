#include "passes/matmul_strategy.h"

#include <cstdlib>
#include <string>

namespace kiln::passes {

int64_t onednn_multiply_adds() {
  static const int64_t threshold = [] {
    const char* text = std::getenv("KILN_ONEDNN_MULTIPLY_ADDS");
    return text && *text ? std::stoll(text) : kOneDnnMultiplyAdds;
  }();
  return threshold;
}

}  // namespace kiln::passes
