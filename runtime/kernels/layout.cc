#include "runtime/kernels/layout.h"

#include <algorithm>
#include <cstring>

namespace kiln::kernels {

void transpose_2d(const float* x, int64_t rows, int64_t cols, float* out) {
  constexpr int64_t kTile = 32;  // a 32×32 tile of each side fits L1
  for (int64_t i0 = 0; i0 < rows; i0 += kTile)
    for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
      int64_t i1 = std::min(rows, i0 + kTile), j1 = std::min(cols, j0 + kTile);
      for (int64_t j = j0; j < j1; ++j)
        for (int64_t i = i0; i < i1; ++i) out[j * rows + i] = x[i * cols + j];
    }
}

void transpose(const Array& x, const std::vector<int64_t>& perm, Array& out) {
  const Shape& out_shape = out.shape();
  size_t rank = out_shape.size();
  std::vector<int64_t> in_strides = row_major_strides(x.shape());
  std::vector<int64_t> src_stride(rank);  // stride in x of each out axis
  for (size_t j = 0; j < rank; ++j) src_stride[j] = in_strides[perm[j]];
  const float* src = x.data();
  float* dst = out.data();
  int64_t n = out.size();
  if (n == 0) return;
  if (rank == 2) return transpose_2d(src, x.shape()[0], x.shape()[1], dst);
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (int64_t k = 0; k < n; ++k) {
    dst[k] = src[offset];
    for (size_t d = rank; d-- > 0;) {
      offset += src_stride[d];
      if (++index[d] < out_shape[d]) break;
      offset -= src_stride[d] * out_shape[d];
      index[d] = 0;
    }
  }
}

// Both concat and slice see an array as [outer][extent on axis][inner] and copy contiguous
// blocks of extent*inner elements.
static int64_t outer_count(const Shape& s, int axis) {
  int64_t n = 1;
  for (int i = 0; i < axis; ++i) n *= s[i];
  return n;
}
static int64_t inner_count(const Shape& s, int axis) {
  int64_t n = 1;
  for (size_t i = axis + 1; i < s.size(); ++i) n *= s[i];
  return n;
}

void concat(const std::vector<Array>& parts, int axis, Array& out) {
  int64_t outer = outer_count(out.shape(), axis), inner = inner_count(out.shape(), axis);
  int64_t out_block = out.shape()[axis] * inner;
  int64_t offset = 0;
  for (const Array& p : parts) {
    int64_t block = p.shape()[axis] * inner;
    for (int64_t o = 0; o < outer; ++o)
      std::memcpy(out.data() + o * out_block + offset, p.data() + o * block, sizeof(float) * block);
    offset += block;
  }
}

void slice(const Array& x, int axis, int64_t begin, Array& out) {
  int64_t outer = outer_count(x.shape(), axis), inner = inner_count(x.shape(), axis);
  int64_t in_block = x.shape()[axis] * inner, out_block = out.shape()[axis] * inner;
  for (int64_t o = 0; o < outer; ++o)
    std::memcpy(out.data() + o * out_block, x.data() + o * in_block + begin * inner, sizeof(float) * out_block);
}

}  // namespace kiln::kernels
