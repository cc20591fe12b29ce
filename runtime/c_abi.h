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

struct KilnMemRef4D {
  float* allocated;
  float* aligned;
  int64_t offset;
  int64_t sizes[4];
  int64_t strides[4];
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
// Convolutions (kernels::conv2d_*), NCHW / OIHW, the window as strides, padding, dilation
// (height, width each) and groups; the geometry is read off the memrefs' sizes.
void _mlir_ciface_kiln_rt_conv2d(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* b, KilnMemRef4D* out, int64_t stride_h,
                                 int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t dilate_h, int64_t dilate_w,
                                 int64_t groups);
void _mlir_ciface_kiln_rt_conv2d_no_bias(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef4D* out, int64_t stride_h,
                                         int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t dilate_h,
                                         int64_t dilate_w, int64_t groups);
void _mlir_ciface_kiln_rt_conv2d_backward_data(KilnMemRef4D* dy, KilnMemRef4D* w, KilnMemRef4D* dx, int64_t stride_h,
                                               int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t dilate_h,
                                               int64_t dilate_w, int64_t groups);
void _mlir_ciface_kiln_rt_conv2d_backward_weights(KilnMemRef4D* dy, KilnMemRef4D* x, KilnMemRef4D* dw, int64_t stride_h,
                                                  int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t dilate_h,
                                                  int64_t dilate_w, int64_t groups);
// Packed weights (kernels::conv2d_pack_weights) for data n×c×h×w, and the convolution reading
// them, with its data and result in the layouts kernels::ConvLayouts names (0: nchw, 8 or 16:
// blocked), and the reorder between those layouts. (Named for the layouts since they were added:
// a library built by an earlier kiln, which called kiln_rt_conv2d_packed without them, fails to
// load instead of passing garbage.)
void _mlir_ciface_kiln_rt_conv2d_pack_weights(KilnMemRef4D* w, KilnMemRef1D* packed, int64_t n, int64_t c, int64_t h,
                                              int64_t width, int64_t stride_h, int64_t stride_w, int64_t pad_h,
                                              int64_t pad_w, int64_t dilate_h, int64_t dilate_w, int64_t groups);
void _mlir_ciface_kiln_rt_conv2d_packed_in_layouts(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* packed, KilnMemRef1D* b,
                                        KilnMemRef4D* out, int64_t stride_h, int64_t stride_w, int64_t pad_h,
                                        int64_t pad_w, int64_t dilate_h, int64_t dilate_w, int64_t groups,
                                        int64_t data_layout, int64_t result_layout);
void _mlir_ciface_kiln_rt_conv2d_packed_in_layouts_no_bias(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* packed, KilnMemRef4D* out,
                                                int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w,
                                                int64_t dilate_h, int64_t dilate_w, int64_t groups, int64_t data_layout,
                                                int64_t result_layout);
// The same, then `activation` on the result (kernels::ConvActivation: 0 none, 1 relu).
void _mlir_ciface_kiln_rt_conv2d_packed_activated(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* packed, KilnMemRef1D* b,
                                                  KilnMemRef4D* out, int64_t stride_h, int64_t stride_w, int64_t pad_h,
                                                  int64_t pad_w, int64_t dilate_h, int64_t dilate_w, int64_t groups,
                                                  int64_t data_layout, int64_t result_layout, int64_t activation);
void _mlir_ciface_kiln_rt_conv2d_packed_activated_no_bias(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* packed,
                                                          KilnMemRef4D* out, int64_t stride_h, int64_t stride_w,
                                                          int64_t pad_h, int64_t pad_w, int64_t dilate_h, int64_t dilate_w,
                                                          int64_t groups, int64_t data_layout, int64_t result_layout,
                                                          int64_t activation);
void _mlir_ciface_kiln_rt_reorder_activations(KilnMemRef4D* x, KilnMemRef4D* out, int64_t from_layout, int64_t to_layout);
// Pools (kernels::pool2d_*), the window as kernel, strides, padding (height, width each).
void _mlir_ciface_kiln_rt_max_pool2d(KilnMemRef4D* x, KilnMemRef4D* out, int64_t kernel_h, int64_t kernel_w,
                                     int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w);
void _mlir_ciface_kiln_rt_max_pool2d_backward(KilnMemRef4D* dy, KilnMemRef4D* x, KilnMemRef4D* dx, int64_t kernel_h,
                                              int64_t kernel_w, int64_t stride_h, int64_t stride_w, int64_t pad_h,
                                              int64_t pad_w);
void _mlir_ciface_kiln_rt_avg_pool2d(KilnMemRef4D* x, KilnMemRef4D* out, int64_t kernel_h, int64_t kernel_w,
                                     int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w,
                                     int64_t count_include_pad);
// A pool's forward on x and out both in `layout` (kernels::pool2d_forward), `kind` a
// kernels::PoolKind; inference graphs pool activations kiln-keep-blocked-layout kept blocked.
void _mlir_ciface_kiln_rt_pool2d_in_layout(KilnMemRef4D* x, KilnMemRef4D* out, int64_t kernel_h, int64_t kernel_w,
                                           int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w, int64_t kind,
                                           int64_t layout);
void _mlir_ciface_kiln_rt_avg_pool2d_backward(KilnMemRef4D* dy, KilnMemRef4D* dx, int64_t kernel_h, int64_t kernel_w,
                                              int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w,
                                              int64_t count_include_pad);

// Batch normalisation (kernels::batch_norm_*): data n×c×s×1, per-channel vectors (c), the
// statistics and scale/shift gradients 2×c.
void _mlir_ciface_kiln_rt_batch_norm_stats(KilnMemRef4D* x, KilnMemRef2D* mean_var);
void _mlir_ciface_kiln_rt_batch_norm(KilnMemRef4D* x, KilnMemRef1D* gamma, KilnMemRef1D* beta, KilnMemRef1D* mean,
                                     KilnMemRef1D* var, KilnMemRef4D* out, float epsilon);
void _mlir_ciface_kiln_rt_batch_norm_backward(KilnMemRef4D* dy, KilnMemRef4D* x, KilnMemRef1D* gamma, KilnMemRef1D* mean,
                                              KilnMemRef1D* var, KilnMemRef4D* dx, int64_t batch_stats, float epsilon);
void _mlir_ciface_kiln_rt_batch_norm_scale_shift_grad(KilnMemRef4D* dy, KilnMemRef4D* x, KilnMemRef1D* mean,
                                                      KilnMemRef1D* var, KilnMemRef2D* grads, float epsilon);

// Random draws from kiln's process-wide generator (runtime/random.h), as the eager ops draw.
void _mlir_ciface_kiln_rt_random_uniform(KilnMemRef1D* out, float low, float high);
void _mlir_ciface_kiln_rt_random_normal(KilnMemRef1D* out, float mean, float stddev);

// c = alpha · op(a)·op(b) + beta · c, in place (kernels::gemm_onednn_accumulate): an SGD update
// applied in the weight gradient's product.
void _mlir_ciface_kiln_rt_dot_accumulate(KilnMemRef2D* a, KilnMemRef2D* b, KilnMemRef2D* c, int64_t transpose_a,
                                         int64_t transpose_b, float alpha, float beta);
}
