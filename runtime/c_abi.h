// The C ABI that compiled graphs call: heap buffers (kiln's block cache) and large matrix
// products (oneDNN). Arguments of the products are MLIR
// memref descriptors (StridedMemRefType<float, N>), passed by pointer as MLIR's
// llvm.emit_c_interface convention does. Operands must be contiguous and row-major.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

// The heap buffers of generated code (memref.alloc lowered with use-generic-functions): served
// by kiln's per-thread block cache (runtime/allocator.h), so a large intermediate is recycled
// from call to call instead of being mapped and unmapped by malloc each time.
void* kiln_rt_alloc(size_t bytes);
void* kiln_rt_aligned_alloc(size_t alignment, size_t bytes);  // alignment <= 64
void kiln_rt_free(void* block);

// A strided copy (memref.copy of non-contiguous memrefs, which finalize-memref-to-llvm lowers to
// a call of `memrefCopy`; MLIR's runner utilities would supply it, kiln does instead so that
// neither the JIT nor an AOT model loads them). `source` and `target` point at MLIR's
// UnrankedMemRefType {int64 rank; ranked descriptor*}; elements are `element_size` bytes.
void kiln_rt_memref_copy(int64_t element_size, void* source, void* target);

struct KilnMemRef1D {
  float* allocated;
  float* aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
};

struct KilnMemRef2D {
  float* allocated;
  float* aligned;
  int64_t offset;
  int64_t sizes[2];
  int64_t strides[2];
};

// out = xᵀ (2-D). Compiled graphs call this rather than generate transposes: it runs rarely (in
// prepare functions, when a parameter changes) and generated transposes cost much compile time.
void _mlir_ciface_kiln_rt_transpose_2d(KilnMemRef2D* x, KilnMemRef2D* out);

// out = x · wᵀ + b (Gluon's FullyConnected).
void _mlir_ciface_kiln_rt_fully_connected(KilnMemRef2D* x, KilnMemRef2D* w, KilnMemRef1D* b, KilnMemRef2D* out);
// out = x · wᵀ.
void _mlir_ciface_kiln_rt_fully_connected_no_bias(KilnMemRef2D* x, KilnMemRef2D* w, KilnMemRef2D* out);
// out = op(a) · op(b), op transposing where the flag is non-zero.
void _mlir_ciface_kiln_rt_dot(KilnMemRef2D* a, KilnMemRef2D* b, KilnMemRef2D* out, int64_t transpose_a,
                              int64_t transpose_b);
// c = alpha · op(a)·op(b) + beta · c, in place (kernels::gemm_onednn_accumulate): an SGD update
// applied in the weight gradient's product.
void _mlir_ciface_kiln_rt_dot_accumulate(KilnMemRef2D* a, KilnMemRef2D* b, KilnMemRef2D* c, int64_t transpose_a,
                                         int64_t transpose_b, float alpha, float beta);
}
