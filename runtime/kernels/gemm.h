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

// Multiply-adds (m·n·k) at or above which gemm() hands the product to oneDNN. Measured with
// bench/gemm_threshold_bench on 1 thread: the loops win up to ~5k (2×10×256: 0.6 µs vs 2.5 µs),
// oneDNN from ~10k (2×256×20: 2.5 µs vs 6.5 µs; 32³: 1.9 µs vs 6.5 µs); 4096 (16³) is a tie.
inline constexpr int64_t kOneDnnGemmThreshold = 8192;

void gemm(const GemmDims& d, const float* a, const float* b, const float* bias, float* c);
void gemm_loops(const GemmDims& d, const float* a, const float* b, const float* bias, float* c);
void gemm_onednn(const GemmDims& d, const float* a, const float* b, const float* bias, float* c);
// c = alpha · op(a)·op(b) + beta · c in one oneDNN product (an output scale and a sum post-op): c
// is read and written once, in the product's epilogue. Compiled training steps apply SGD's update
// this way inside the weight gradient's product (passes: kiln-fuse-product-updates). A primitive
// is built per beta, so beta should be a constant of the caller's, alpha may change every call.
void gemm_onednn_accumulate(const GemmDims& d, const float* a, const float* b, float alpha, float beta, float* c);

}  // namespace kiln::kernels
