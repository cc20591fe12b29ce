#include "runtime/c_abi.h"

#include <cstring>
#include <new>

#include "runtime/allocator.h"
#include "runtime/kernels/batch_norm.h"
#include "runtime/kernels/convolution.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/pooling.h"
#include "runtime/kernels/layout.h"
#include "runtime/random.h"
#include "runtime/shape_rules.h"

namespace {

// Each buffer is preceded by one 64-byte header holding its size (free() is not given it), so
// the data keeps the allocator's 64-byte alignment.
constexpr size_t kHeader = 64;

float* data(const KilnMemRef1D* m) { return m->aligned + m->offset; }
float* data(KilnMemRef2D* m) { return m->aligned + m->offset; }
float* data(KilnMemRef4D* m) { return m->aligned + m->offset; }

kiln::kernels::ConvGeometry conv_geometry(const KilnMemRef4D* x, const KilnMemRef4D* w, const KilnMemRef4D* y,
                                          int64_t stride_h, int64_t stride_w, int64_t pad_h, int64_t pad_w,
                                          int64_t dilate_h, int64_t dilate_w, int64_t groups) {
  return {x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3], w->sizes[0], w->sizes[2], w->sizes[3], y->sizes[2],
          y->sizes[3], stride_h, stride_w, pad_h, pad_w, dilate_h, dilate_w, groups};
}

kiln::kernels::PoolGeometry pool_geometry(const KilnMemRef4D* x, const KilnMemRef4D* y, int64_t kernel_h,
                                          int64_t kernel_w, int64_t stride_h, int64_t stride_w, int64_t pad_h,
                                          int64_t pad_w, kiln::kernels::PoolKind kind) {
  return {x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3], y->sizes[2], y->sizes[3], kernel_h, kernel_w,
          stride_h, stride_w, pad_h, pad_w, kind};
}

// Batch normalisation's data crosses as n×c×s×1.
kiln::kernels::NormGeometry norm_geometry(const KilnMemRef4D* x) { return {x->sizes[0], x->sizes[1], x->sizes[2] * x->sizes[3]}; }

kiln::kernels::PoolKind avg_kind(int64_t count_include_pad) {
  return count_include_pad ? kiln::kernels::PoolKind::AvgIncludePad : kiln::kernels::PoolKind::AvgExcludePad;
}

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

void* kiln_rt_alloc(size_t bytes) {
  auto* block = static_cast<char*>(kiln::memory::allocate(bytes + kHeader));
  *reinterpret_cast<size_t*>(block) = bytes + kHeader;
  return block + kHeader;
}

void* kiln_rt_aligned_alloc(size_t alignment, size_t bytes) {
  if (alignment > kHeader) throw std::bad_alloc();  // kiln's buffers ask for 64 at most
  return kiln_rt_alloc(bytes);
}

void kiln_rt_free(void* p) {
  if (!p) return;
  char* block = static_cast<char*>(p) - kHeader;
  kiln::memory::release(block, *reinterpret_cast<size_t*>(block));
}

void kiln_rt_memref_copy(int64_t element_size, void* source, void* target) {
  const auto& s_ref = *static_cast<const UnrankedMemRef*>(source);
  const auto& t_ref = *static_cast<const UnrankedMemRef*>(target);
  RankedView s = view(s_ref), t = view(t_ref);
  copy_dim(element_size, s_ref.rank, 0, s, t, s.offset, t.offset);
}

void _mlir_ciface_kiln_rt_transpose_2d(KilnMemRef2D* x, KilnMemRef2D* out) {
  kiln::kernels::transpose_2d(data(x), x->sizes[0], x->sizes[1], data(out));
}

void _mlir_ciface_kiln_rt_fully_connected(KilnMemRef2D* x, KilnMemRef2D* w, KilnMemRef1D* b, KilnMemRef2D* out) {
  kiln::kernels::GemmDims d{x->sizes[0], w->sizes[0], x->sizes[1], false, true};
  kiln::kernels::gemm_onednn(d, data(x), data(w), data(b), data(out));
}

void _mlir_ciface_kiln_rt_fully_connected_no_bias(KilnMemRef2D* x, KilnMemRef2D* w, KilnMemRef2D* out) {
  kiln::kernels::GemmDims d{x->sizes[0], w->sizes[0], x->sizes[1], false, true};
  kiln::kernels::gemm_onednn(d, data(x), data(w), nullptr, data(out));
}

void _mlir_ciface_kiln_rt_dot(KilnMemRef2D* a, KilnMemRef2D* b, KilnMemRef2D* out, int64_t transpose_a,
                              int64_t transpose_b) {
  int64_t k = transpose_a ? a->sizes[0] : a->sizes[1];
  kiln::kernels::GemmDims d{out->sizes[0], out->sizes[1], k, transpose_a != 0, transpose_b != 0};
  kiln::kernels::gemm_onednn(d, data(a), data(b), nullptr, data(out));
}

void _mlir_ciface_kiln_rt_conv2d(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* b, KilnMemRef4D* out, int64_t sh,
                                 int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups) {
  kiln::kernels::conv2d_forward(conv_geometry(x, w, out, sh, sw, ph, pw, dh, dw, groups), data(x), data(w), data(b),
                                data(out));
}

void _mlir_ciface_kiln_rt_conv2d_no_bias(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef4D* out, int64_t sh, int64_t sw,
                                         int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups) {
  kiln::kernels::conv2d_forward(conv_geometry(x, w, out, sh, sw, ph, pw, dh, dw, groups), data(x), data(w), nullptr,
                                data(out));
}

void _mlir_ciface_kiln_rt_conv2d_backward_data(KilnMemRef4D* dy, KilnMemRef4D* w, KilnMemRef4D* dx, int64_t sh,
                                               int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw,
                                               int64_t groups) {
  kiln::kernels::conv2d_backward_data(conv_geometry(dx, w, dy, sh, sw, ph, pw, dh, dw, groups), data(dy), data(w),
                                      data(dx));
}

void _mlir_ciface_kiln_rt_conv2d_backward_weights(KilnMemRef4D* dy, KilnMemRef4D* x, KilnMemRef4D* dw_out, int64_t sh,
                                                  int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw,
                                                  int64_t groups) {
  kiln::kernels::conv2d_backward_weights(conv_geometry(x, dw_out, dy, sh, sw, ph, pw, dh, dw, groups), data(dy),
                                         data(x), data(dw_out));
}

void _mlir_ciface_kiln_rt_conv2d_pack_weights(KilnMemRef4D* w, KilnMemRef1D* packed, int64_t n, int64_t c, int64_t h,
                                              int64_t width, int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh,
                                              int64_t dw, int64_t groups) {
  kiln::shape_rules::Window2D window{{sh, sw}, {ph, pw}, {dh, dw}};
  kiln::Shape data_shape{n, c, h, width}, weight(w->sizes, w->sizes + 4);
  kiln::kernels::conv2d_pack_weights(
      kiln::shape_rules::conv2d("conv2d_pack_weights", data_shape, weight, nullptr, window, groups), data(w), data(packed));
}

void _mlir_ciface_kiln_rt_conv2d_packed_in_layouts(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* packed, KilnMemRef1D* b,
                                        KilnMemRef4D* out, int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh,
                                        int64_t dw, int64_t groups, int64_t data_layout, int64_t result_layout) {
  _mlir_ciface_kiln_rt_conv2d_packed_activated(x, w, packed, b, out, sh, sw, ph, pw, dh, dw, groups, data_layout, result_layout,
                                               0);
}

void _mlir_ciface_kiln_rt_conv2d_packed_activated(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* packed, KilnMemRef1D* b,
                                                  KilnMemRef4D* out, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                                                  int64_t dh, int64_t dw, int64_t groups, int64_t data_layout,
                                                  int64_t result_layout, int64_t activation) {
  kiln::kernels::conv2d_forward_packed(conv_geometry(x, w, out, sh, sw, ph, pw, dh, dw, groups), data(x), data(w),
                                       data(packed), b ? data(b) : nullptr, data(out), {data_layout, result_layout},
                                       static_cast<kiln::kernels::ConvActivation>(activation));
}

void _mlir_ciface_kiln_rt_conv2d_packed_activated_no_bias(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* packed,
                                                          KilnMemRef4D* out, int64_t sh, int64_t sw, int64_t ph, int64_t pw,
                                                          int64_t dh, int64_t dw, int64_t groups, int64_t data_layout,
                                                          int64_t result_layout, int64_t activation) {
  _mlir_ciface_kiln_rt_conv2d_packed_activated(x, w, packed, nullptr, out, sh, sw, ph, pw, dh, dw, groups, data_layout,
                                               result_layout, activation);
}

void _mlir_ciface_kiln_rt_conv2d_packed_in_layouts_no_bias(KilnMemRef4D* x, KilnMemRef4D* w, KilnMemRef1D* packed, KilnMemRef4D* out,
                                                int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw,
                                                int64_t groups, int64_t data_layout, int64_t result_layout) {
  _mlir_ciface_kiln_rt_conv2d_packed_in_layouts(x, w, packed, nullptr, out, sh, sw, ph, pw, dh, dw, groups, data_layout, result_layout);
}

void _mlir_ciface_kiln_rt_reorder_activations(KilnMemRef4D* x, KilnMemRef4D* out, int64_t from_layout, int64_t to_layout) {
  kiln::kernels::reorder_activations(x->sizes[0], x->sizes[1], x->sizes[2], x->sizes[3], data(x), from_layout, data(out),
                                     to_layout);
}

void _mlir_ciface_kiln_rt_max_pool2d(KilnMemRef4D* x, KilnMemRef4D* out, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                                     int64_t ph, int64_t pw) {
  kiln::kernels::pool2d_forward(pool_geometry(x, out, kh, kw, sh, sw, ph, pw, kiln::kernels::PoolKind::Max), data(x),
                                data(out));
}

void _mlir_ciface_kiln_rt_max_pool2d_backward(KilnMemRef4D* dy, KilnMemRef4D* x, KilnMemRef4D* dx, int64_t kh,
                                              int64_t kw, int64_t sh, int64_t sw, int64_t ph, int64_t pw) {
  kiln::kernels::pool2d_backward(pool_geometry(x, dy, kh, kw, sh, sw, ph, pw, kiln::kernels::PoolKind::Max), data(dy),
                                 data(x), data(dx));
}

void _mlir_ciface_kiln_rt_avg_pool2d(KilnMemRef4D* x, KilnMemRef4D* out, int64_t kh, int64_t kw, int64_t sh, int64_t sw,
                                     int64_t ph, int64_t pw, int64_t include) {
  kiln::kernels::pool2d_forward(pool_geometry(x, out, kh, kw, sh, sw, ph, pw, avg_kind(include)), data(x), data(out));
}

void _mlir_ciface_kiln_rt_pool2d_in_layout(KilnMemRef4D* x, KilnMemRef4D* out, int64_t kh, int64_t kw, int64_t sh,
                                           int64_t sw, int64_t ph, int64_t pw, int64_t kind, int64_t layout) {
  kiln::kernels::pool2d_forward(pool_geometry(x, out, kh, kw, sh, sw, ph, pw, static_cast<kiln::kernels::PoolKind>(kind)),
                                data(x), data(out), layout);
}

void _mlir_ciface_kiln_rt_avg_pool2d_backward(KilnMemRef4D* dy, KilnMemRef4D* dx, int64_t kh, int64_t kw, int64_t sh,
                                              int64_t sw, int64_t ph, int64_t pw, int64_t include) {
  kiln::kernels::pool2d_backward(pool_geometry(dx, dy, kh, kw, sh, sw, ph, pw, avg_kind(include)), data(dy), nullptr,
                                 data(dx));
}

void _mlir_ciface_kiln_rt_dot_accumulate(KilnMemRef2D* a, KilnMemRef2D* b, KilnMemRef2D* c, int64_t transpose_a,
                                         int64_t transpose_b, float alpha, float beta) {
  int64_t k = transpose_a ? a->sizes[0] : a->sizes[1];
  kiln::kernels::GemmDims d{c->sizes[0], c->sizes[1], k, transpose_a != 0, transpose_b != 0};
  kiln::kernels::gemm_onednn_accumulate(d, data(a), data(b), alpha, beta, data(c));
}

void _mlir_ciface_kiln_rt_batch_norm_stats(KilnMemRef4D* x, KilnMemRef2D* mean_var) {
  kiln::kernels::batch_norm_stats(norm_geometry(x), data(x), data(mean_var));
}

void _mlir_ciface_kiln_rt_batch_norm(KilnMemRef4D* x, KilnMemRef1D* gamma, KilnMemRef1D* beta, KilnMemRef1D* mean,
                                     KilnMemRef1D* var, KilnMemRef4D* out, float epsilon) {
  kiln::kernels::batch_norm_forward(norm_geometry(x), data(x), data(gamma), data(beta), data(mean), data(var), epsilon,
                                    data(out));
}

void _mlir_ciface_kiln_rt_batch_norm_backward(KilnMemRef4D* dy, KilnMemRef4D* x, KilnMemRef1D* gamma, KilnMemRef1D* mean,
                                              KilnMemRef1D* var, KilnMemRef4D* dx, int64_t batch_stats, float epsilon) {
  kiln::kernels::batch_norm_backward_data(norm_geometry(x), data(dy), data(x), data(gamma), data(mean), data(var),
                                          epsilon, batch_stats != 0, data(dx));
}

void _mlir_ciface_kiln_rt_batch_norm_scale_shift_grad(KilnMemRef4D* dy, KilnMemRef4D* x, KilnMemRef1D* mean,
                                                      KilnMemRef1D* var, KilnMemRef2D* grads, float epsilon) {
  kiln::kernels::batch_norm_scale_shift_grad(norm_geometry(x), data(dy), data(x), data(mean), data(var), epsilon,
                                             data(grads));
}

void _mlir_ciface_kiln_rt_random_uniform(KilnMemRef1D* out, float low, float high) {
  kiln::random::fill_uniform(data(out), out->sizes[0], low, high);
}

void _mlir_ciface_kiln_rt_random_normal(KilnMemRef1D* out, float mean, float stddev) {
  kiln::random::fill_normal(data(out), out->sizes[0], mean, stddev);
}
}
