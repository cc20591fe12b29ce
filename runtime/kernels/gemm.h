// Matrix multiply: C[m×n] = op(A) · op(B) (+ bias[n] on every row), row-major, where op(A) is A
// (m×k) or, with trans_a, the transpose of a stored k×m A; likewise B (k×n, or n×k stored).
//
// Two implementations: simple vectorisable loops, and oneDNN's matmul primitive. gemm() picks
// by size; the threshold was measured (bench/gemm_threshold_bench.cc, docs/performance.md).
#pragma once

#include <cstdint>

namespace kiln::kernels {

struct GemmDims {
  int64_t m, n, k;
  bool trans_a = false, trans_b = false;
  friend bool operator==(const GemmDims&, const GemmDims&) = default;
};

// Multiply-adds (m·n·k) at or above which gemm() hands the product to oneDNN.
inline constexpr int64_t kOneDnnGemmThreshold = 64 * 64 * 64;

void gemm(const GemmDims& d, const float* a, const float* b, const float* bias, float* c);
void gemm_loops(const GemmDims& d, const float* a, const float* b, const float* bias, float* c);
void gemm_onednn(const GemmDims& d, const float* a, const float* b, const float* bias, float* c);

}  // namespace kiln::kernels
