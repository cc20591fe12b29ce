#include "runtime/kernels/indexing.h"

#include <algorithm>
#include <cmath>

namespace kiln::kernels {

// The index as an integer in [0, extent): clamped as a float first (fmax takes 0 over NaN), then
// truncated, as compiled code does (maxnumf, minimumf, fptosi).
inline int64_t clamped_index(float v, int64_t extent) {
  return static_cast<int64_t>(std::fmin(std::fmax(v, 0.f), static_cast<float>(extent - 1)));
}

void pick(const Array& x, const Array& index, int axis, Array& out) {
  const Shape& s = x.shape();
  int64_t outer = 1, n = s[axis], inner = 1;
  for (int i = 0; i < axis; ++i) outer *= s[i];
  for (size_t i = axis + 1; i < s.size(); ++i) inner *= s[i];
  const float* src = x.data();
  const float* at = index.data();
  float* dst = out.data();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      int64_t k = clamped_index(at[o * inner + j], n);
      dst[o * inner + j] = src[(o * n + k) * inner + j];
    }
}

void one_hot(const Array& indices, int64_t depth, Array& out) {
  const float* at = indices.data();
  float* dst = out.data();
  for (int64_t i = 0, n = indices.size(); i < n; ++i)
    for (int64_t k = 0; k < depth; ++k) dst[i * depth + k] = at[i] == static_cast<float>(k) ? 1.f : 0.f;
}

}  // namespace kiln::kernels
