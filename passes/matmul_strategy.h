// Who computes a product C[m×n] = A[m×k]·B[k×n] in generated code: kiln's own vectorised kernels
// (passes/vectorize_matmul.cpp) or a oneDNN call. Shared by the lowering and the passes that
// prepare a product's operands for one or the other. MLIR-free.
#pragma once

#include <cstdint>

namespace kiln::passes {

// Below this many multiply-adds the generated register-blocked kernels beat a oneDNN call (its
// fixed cost is ~0.3 µs on 1 thread, ~1.9 µs on 2); at and above it oneDNN's cache blocking
// and threads pay. Measured with bench/gemm_threshold_bench.
inline constexpr int64_t kOneDnnMultiplyAdds = int64_t{1} << 20;

inline bool use_onednn(int64_t m, int64_t n, int64_t k) { return m * n * k >= kOneDnnMultiplyAdds; }

// Products with fewer columns than this are done as dot products along k (the weight as it is);
// wider ones run along the columns, with the weight transposed once.
inline constexpr int64_t kNarrowProduct = 16;

}  // namespace kiln::passes
