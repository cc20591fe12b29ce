// The fixed input export_mlp and aot_mlp both feed the seed chapter's MLP: 2×20 values from a
// formula, so the two programs need no shared random generator (and aot_mlp nothing of kiln).
#pragma once

#include <cmath>
#include <vector>

namespace kiln::examples {

inline constexpr int kMlpBatch = 2, kMlpFeatures = 20;

inline std::vector<float> mlp_input() {
  std::vector<float> x(kMlpBatch * kMlpFeatures);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.37 * static_cast<double>(i) + 0.1));
  return x;
}

}  // namespace kiln::examples
