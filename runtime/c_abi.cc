#include "runtime/c_abi.h"

#include <cstring>
#include <new>

#include "runtime/allocator.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/layout.h"

namespace {

// Each buffer is preceded by one 64-byte header holding its size (free() is not given it), so
// the data keeps the allocator's 64-byte alignment.
constexpr size_t kHeader = 64;

const float* data(const KilnMemRef1D* m) { return m->aligned + m->offset; }
float* data(KilnMemRef2D* m) { return m->aligned + m->offset; }

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

void _mlir_ciface_kiln_rt_dot_accumulate(KilnMemRef2D* a, KilnMemRef2D* b, KilnMemRef2D* c, int64_t transpose_a,
                                         int64_t transpose_b, float alpha, float beta) {
  int64_t k = transpose_a ? a->sizes[0] : a->sizes[1];
  kiln::kernels::GemmDims d{c->sizes[0], c->sizes[1], k, transpose_a != 0, transpose_b != 0};
  kiln::kernels::gemm_onednn_accumulate(d, data(a), data(b), alpha, beta, data(c));
}
}
