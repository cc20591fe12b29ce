// The symbols MLIR-generated code calls besides kiln's own C ABI, under the names MLIR gives
// them, defined by kiln's shared runtime library so that an AOT model needs nothing of LLVM or
// MLIR at run time. The JIT binds the same names to the same functions (codegen/jit_module.cpp).
#include <cstdint>

#include "runtime/c_abi.h"

extern "C" {

// finalize-memref-to-llvm{use-generic-functions}: kiln's block cache, as in the JIT.
void* _mlir_memref_to_llvm_alloc(size_t bytes) { return kiln_rt_alloc(bytes); }
void* _mlir_memref_to_llvm_aligned_alloc(size_t alignment, size_t bytes) { return kiln_rt_aligned_alloc(alignment, bytes); }
void _mlir_memref_to_llvm_free(void* block) { kiln_rt_free(block); }

void memrefCopy(int64_t element_size, void* source, void* target) { kiln_rt_memref_copy(element_size, source, target); }

}  // extern "C"
