// The symbols MLIR-generated code calls besides kiln's own C ABI, defined by kiln's shared
// runtime library so that an AOT model needs nothing of LLVM or MLIR at run time: the generic
// allocation functions (finalize-memref-to-llvm{use-generic-functions}, served by kiln's block
// cache as in the JIT) and memrefCopy (strided copies, which MLIR's runner utilities supply in
// the JIT).
#include <cstdint>
#include <cstring>

#include "runtime/c_abi.h"

namespace {

// MLIR's UnrankedMemRefType: the rank, then a pointer to a ranked descriptor.
struct UnrankedMemRef {
  int64_t rank;
  void* descriptor;
};

struct RankedView {
  char* aligned;
  int64_t offset;
  const int64_t* sizes;
  const int64_t* strides;
};

RankedView view(const UnrankedMemRef& m) {
  auto* words = static_cast<int64_t*>(m.descriptor);  // allocated, aligned, offset, sizes[r], strides[r]
  return {reinterpret_cast<char*>(words[1]), words[2], words + 3, words + 3 + m.rank};
}

void copy_dim(int64_t element, int64_t rank, int64_t d, const RankedView& s, const RankedView& t, int64_t so, int64_t to) {
  if (d == rank) {
    std::memcpy(t.aligned + to * element, s.aligned + so * element, static_cast<size_t>(element));
    return;
  }
  for (int64_t i = 0; i < s.sizes[d]; ++i)
    copy_dim(element, rank, d + 1, s, t, so + i * s.strides[d], to + i * t.strides[d]);
}

}  // namespace

extern "C" {

void* _mlir_memref_to_llvm_alloc(size_t bytes) { return kiln_rt_alloc(bytes); }
void* _mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes) { return kiln_rt_aligned_alloc(alignment, bytes); }
void _mlir_memref_to_llvm_free(void* block) { kiln_rt_free(block); }

void memrefCopy(int64_t element_size, UnrankedMemRef* source, UnrankedMemRef* target) {
  RankedView s = view(*source), t = view(*target);
  copy_dim(element_size, source->rank, 0, s, t, s.offset, t.offset);
}

}  // extern "C"
