#include "codegen/vector_target.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

namespace kiln::codegen {

VectorTarget host_vector_target() {
  static const VectorTarget target = [] {
    auto features = llvm::sys::getHostCPUFeatures();
    auto has = [&](const char* f) { return features.lookup(f); };
    if (has("avx512f")) return VectorTarget{16, 32, "avx512"};
    if (has("avx2") && has("fma")) return VectorTarget{8, 16, "avx2"};
    return VectorTarget{4, 16, "sse"};
  }();
  return target;
}

}  // namespace kiln::codegen
