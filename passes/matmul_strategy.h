// Who computes a product C[m×n] = A[m×k]·B[k×n] in generated code: kiln's own vectorised kernels
// (passes/vectorize_matmul.cpp) or a oneDNN call. Shared by the lowering and the passes that
// prepare a product's operands for one or the other. MLIR-free.
#pragma once

#include <cstdint>

namespace kiln::passes {

// Below this many multiply-adds the generated register-blocked kernels are used; at and above
// it oneDNN, whose cache blocking and threads pay for its fixed cost (~0.3 µs on 1 thread,
// ~1.9 µs on 2). Measured with bench/dense_shapes_bench (docs/performance.md).
inline constexpr int64_t kOneDnnMultiplyAdds = int64_t{1} << 20;

// kOneDnnMultiplyAdds, or the KILN_ONEDNN_MULTIPLY_ADDS environment variable when set (read
// once; for measuring the crossover and for bisecting a wrong result between the two paths).
int64_t onednn_multiply_adds();

// Products with fewer columns than this are done as dot products along k (the weight as it is);
// wider ones run along the columns, with the weight transposed once.
inline constexpr int64_t kNarrowProduct = 16;

// Narrow products leave oneDNN's blocking little to work with: on 1 thread its matmul ran them
// 1.1–2.7× slower than the generated dot-product kernels from 1.3 M to 42 M multiply-adds
// (bench/dense_shapes_bench, docs/performance.md), so they switch to oneDNN this much later.
inline constexpr int64_t kNarrowOneDnnFactor = 16;

inline bool use_onednn(int64_t m, int64_t n, int64_t k) {
  int64_t bound = onednn_multiply_adds();
  if (n < kNarrowProduct) bound = bound > INT64_MAX / kNarrowOneDnnFactor ? INT64_MAX : bound * kNarrowOneDnnFactor;
  return m * n * k >= bound;
}

}  // namespace kiln::passes
