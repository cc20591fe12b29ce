#include "runtime/kernels/gemm.h"

#include <algorithm>

namespace kiln::kernels {
namespace {

// Dot product over 16 independent lanes so that the compiler vectorises it without
// reassociating one accumulator (which it may not do without -ffast-math).
inline float dot_lanes(const float* x, const float* y, int64_t n) {
  constexpr int kLanes = 16;
  float lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) lanes[l] += x[i + l] * y[i + l];
  float acc = 0;
  for (float l : lanes) acc += l;
  for (; i < n; ++i) acc += x[i] * y[i];
  return acc;
}

}  // namespace

void gemm_loops(const GemmDims& d, const float* a, const float* b, const float* bias, float* c) {
  const int64_t m = d.m, n = d.n, k = d.k;
  auto a_at = [&](int64_t i, int64_t p) { return d.trans_a ? a[p * m + i] : a[i * k + p]; };
  for (int64_t i = 0; i < m; ++i) {
    float* crow = c + i * n;
    if (bias) std::copy(bias, bias + n, crow);
    else std::fill(crow, crow + n, 0.f);
    if (d.trans_b) {
      // B is stored n×k: each output is a dot of a row of A with a row of B.
      for (int64_t j = 0; j < n; ++j) {
        if (!d.trans_a) {
          crow[j] += dot_lanes(a + i * k, b + j * k, k);
        } else {
          float acc = 0;
          for (int64_t p = 0; p < k; ++p) acc += a_at(i, p) * b[j * k + p];
          crow[j] += acc;
        }
      }
    } else {
      // B is stored k×n: accumulate scaled rows of B (the inner loop over j vectorises).
      for (int64_t p = 0; p < k; ++p) {
        float aip = a_at(i, p);
        const float* brow = b + p * n;
        for (int64_t j = 0; j < n; ++j) crow[j] += aip * brow[j];
      }
    }
  }
}

void gemm(const GemmDims& d, const float* a, const float* b, const float* bias, float* c) {
  if (d.m * d.n * d.k >= kOneDnnGemmThreshold) gemm_onednn(d, a, b, bias, c);
  else gemm_loops(d, a, b, bias, c);
}

}  // namespace kiln::kernels
