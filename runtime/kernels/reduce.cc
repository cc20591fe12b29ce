#include "runtime/kernels/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/error.h"
#include "runtime/kernels/elementwise.h"

namespace kiln::kernels {
namespace {

// x viewed as [outer][n][inner]; reduces the middle axis.
template <ReduceFn F>
void reduce_middle(const float* x, int64_t outer, int64_t n, int64_t inner, float* out) {
  for (int64_t o = 0; o < outer; ++o) {
    float* dst = out + o * inner;
    const float* src = x + o * n * inner;
    float init = F == ReduceFn::Max ? -std::numeric_limits<float>::infinity() : 0.f;
    for (int64_t j = 0; j < inner; ++j) dst[j] = init;
    for (int64_t i = 0; i < n; ++i) {
      const float* row = src + i * inner;
      for (int64_t j = 0; j < inner; ++j) {
        if constexpr (F == ReduceFn::Max) dst[j] = ieee_maximum(row[j], dst[j]);
        else if constexpr (F == ReduceFn::L2Norm) dst[j] += row[j] * row[j];
        else dst[j] += row[j];
      }
    }
    for (int64_t j = 0; j < inner; ++j) {
      if constexpr (F == ReduceFn::Mean) dst[j] /= static_cast<float>(n);
      if constexpr (F == ReduceFn::L2Norm) dst[j] = std::sqrt(dst[j]);
    }
  }
}

// Reducing everything: the n elements as a column of width 1 would defeat vectorisation, so
// sum into 16 lanes (one AVX-512 register) and combine at the end.
template <ReduceFn F>
float reduce_all(const float* x, int64_t n) {
  constexpr int kLanes = 16;
  float lanes[kLanes];
  float init = F == ReduceFn::Max ? -std::numeric_limits<float>::infinity() : 0.f;
  for (float& l : lanes) l = init;
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int l = 0; l < kLanes; ++l) {
      float v = x[i + l];
      if constexpr (F == ReduceFn::Max) lanes[l] = ieee_maximum(v, lanes[l]);
      else if constexpr (F == ReduceFn::L2Norm) lanes[l] += v * v;
      else lanes[l] += v;
    }
  float acc = init;
  for (float l : lanes) acc = F == ReduceFn::Max ? ieee_maximum(l, acc) : acc + l;
  for (; i < n; ++i) {
    float v = x[i];
    if constexpr (F == ReduceFn::Max) acc = ieee_maximum(v, acc);
    else if constexpr (F == ReduceFn::L2Norm) acc += v * v;
    else acc += v;
  }
  if constexpr (F == ReduceFn::Mean) acc /= static_cast<float>(n);
  if constexpr (F == ReduceFn::L2Norm) acc = std::sqrt(acc);
  return acc;
}

template <ReduceFn F>
void reduce_impl(const Array& x, std::optional<int> axis, Array& out) {
  if (!axis) {
    out.data()[0] = reduce_all<F>(x.data(), x.size());
    return;
  }
  const Shape& s = x.shape();
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < *axis; ++i) outer *= s[i];
  for (size_t i = *axis + 1; i < s.size(); ++i) inner *= s[i];
  reduce_middle<F>(x.data(), outer, s[*axis], inner, out.data());
}

}  // namespace

void reduce(ReduceFn fn, const Array& x, std::optional<int> axis, Array& out) {
  switch (fn) {
    case ReduceFn::Sum: return reduce_impl<ReduceFn::Sum>(x, axis, out);
    case ReduceFn::Mean: return reduce_impl<ReduceFn::Mean>(x, axis, out);
    case ReduceFn::Max: return reduce_impl<ReduceFn::Max>(x, axis, out);
    case ReduceFn::L2Norm: return reduce_impl<ReduceFn::L2Norm>(x, axis, out);
  }
}

void argmax(const Array& x, std::optional<int> axis, Array& out) {
  const Shape& s = x.shape();
  int64_t outer = 1, n = x.size(), inner = 1;
  if (axis) {
    n = s[*axis];
    for (int i = 0; i < *axis; ++i) outer *= s[i];
    for (size_t i = *axis + 1; i < s.size(); ++i) inner *= s[i];
  }
  // `v` replaces the best so far when larger, or when it is the first NaN.
  auto beats = [](float v, float best) { return v > best || (std::isnan(v) && !std::isnan(best)); };
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < inner; ++j) {
      const float* src = x.data() + o * n * inner + j;
      float best = -std::numeric_limits<float>::infinity();
      int64_t at = 0;
      for (int64_t i = 0; i < n; ++i)
        if (beats(src[i * inner], best)) best = src[i * inner], at = i;
      out.data()[o * inner + j] = static_cast<float>(at);
    }
}

void sum_to(const Array& x, Array& out) {
  std::fill_n(out.data(), out.size(), 0.f);
  const Shape& shape = x.shape();
  size_t rank = shape.size();
  // out's strides aligned to x's axes, 0 on the axes being summed away.
  std::vector<int64_t> own = row_major_strides(out.shape()), stride(rank, 0);
  size_t lead = rank - out.ndim();
  for (size_t i = 0; i < out.ndim(); ++i) stride[lead + i] = out.shape()[i] == 1 ? 0 : own[i];
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  const float* src = x.data();
  float* dst = out.data();
  for (int64_t k = 0, n = x.size(); k < n; ++k) {
    dst[offset] += src[k];
    for (size_t d = rank; d-- > 0;) {  // odometer over x's index space
      offset += stride[d];
      if (++index[d] < shape[d]) break;
      offset -= stride[d] * shape[d];
      index[d] = 0;
    }
  }
}

}  // namespace kiln::kernels
