#include "codegen/vector_target.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

namespace kiln::codegen {

VectorTarget host_vector_target() {
  static const VectorTarget target = [] {
    auto features = llvm::sys::getHostCPUFeatures();
    return vector_target_with(features.lookup("avx512f"), features.lookup("avx2"), features.lookup("fma"));
  }();
  return target;
}

VectorTarget vector_target_with(bool avx512f, bool avx2, bool fma) {
  if (avx512f) return VectorTarget{16, 32, "avx512"};
  if (avx2 && fma) return VectorTarget{8, 16, "avx2"};
  return VectorTarget{4, 16, "sse"};
}

}  // namespace kiln::codegen
