#include "runtime/kernels/softmax.h"

#include <cmath>
#include <limits>

#include "runtime/kernels/elementwise.h"

namespace kiln::kernels {

void softmax(const Array& x, int axis, bool log, Array& out) {
  const Shape& s = x.shape();
  int64_t outer = 1, n = s[axis], inner = 1;
  for (int i = 0; i < axis; ++i) outer *= s[i];
  for (size_t i = axis + 1; i < s.size(); ++i) inner *= s[i];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      const float* src = x.data() + o * n * inner + j;
      float* dst = out.data() + o * n * inner + j;
      float m = -std::numeric_limits<float>::infinity();
      for (int64_t i = 0; i < n; ++i) m = ieee_maximum(src[i * inner], m);
      float sum = 0.f;
      for (int64_t i = 0; i < n; ++i) sum += std::exp(src[i * inner] - m);
      float log_sum = std::log(sum);
      for (int64_t i = 0; i < n; ++i) {
        float shifted = src[i * inner] - m;
        dst[i * inner] = log ? shifted - log_sum : std::exp(shifted) / sum;
      }
    }
}

}  // namespace kiln::kernels
