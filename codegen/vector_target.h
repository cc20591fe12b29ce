// The vector unit generated kernels are shaped for: f32 lanes per register and how many
// registers there are. Read off the host CPU, which the JIT targets.
#pragma once

#include <cstdint>
#include <string>

namespace kiln::codegen {

struct VectorTarget {
  int64_t lanes = 4;
  int64_t registers = 16;
  std::string name = "sse";  // "avx512", "avx2" or "sse"
};

// AVX-512F: 16 lanes, 32 registers; AVX2 with FMA: 8 lanes, 16 registers; otherwise SSE.
VectorTarget host_vector_target();
// The same choice from what a CPU has (for AOT objects aimed at a named CPU).
VectorTarget vector_target_with(bool avx512f, bool avx2, bool fma);

}  // namespace kiln::codegen
