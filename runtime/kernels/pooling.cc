// Pooling as loops over each nchw plane, with no reorder and no workspace. oneDNN 2.6's pooling
// was tried first and measured slower on LeNet's pools (1 thread, AVX2 host): on plain nchw its
// "simple_nchw" kernels, and in its blocked layout the training forward (which keeps a
// workspace) ran 9.2 ms and the backward 8.8 ms on 256×6×24×24, against 1.8 ms for its inference
// forward — while these loops read each input once (docs/performance.md).
#include "runtime/kernels/pooling.h"

#include <algorithm>
#include <cstring>


namespace kiln::kernels {
namespace {

// The clipped extent [lo, hi) of window `o` along one axis, and its size counting the padding it
// covers (clipped at the padded edge).
struct Span {
  int64_t lo, hi, padded;
};
inline Span span(int64_t o, int64_t stride, int64_t pad, int64_t kernel, int64_t extent) {
  int64_t start = o * stride - pad, end = std::min(start + kernel, extent + pad);
  return {std::max<int64_t>(start, 0), std::min(end, extent), end - start};
}

// Visits every window of every plane: fn(plane, out index, rows, columns).
template <class Fn>
void for_each_window(const PoolGeometry& g, Fn fn) {
  for (int64_t p = 0; p < g.n * g.c; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      Span rows = span(oy, g.stride_h, g.pad_h, g.kernel_h, g.h);
      for (int64_t ox = 0; ox < g.ow; ++ox)
        fn(p, (p * g.oh + oy) * g.ow + ox, rows, span(ox, g.stride_w, g.pad_w, g.kernel_w, g.w));
    }
}

inline float divisor(const PoolGeometry& g, const Span& rows, const Span& cols) {
  return static_cast<float>(g.kind == PoolKind::AvgIncludePad ? rows.padded * cols.padded
                                                              : (rows.hi - rows.lo) * (cols.hi - cols.lo));
}

// The offset of the window's maximum in `plane`: the first, NaN counting as largest (kiln's max).
inline int64_t argmax(const float* __restrict plane, int64_t width, const Span& rows, const Span& cols) {
  int64_t best = rows.lo * width + cols.lo;
  float m = plane[best];
  for (int64_t y = rows.lo; y < rows.hi; ++y)
    for (int64_t x = cols.lo; x < cols.hi; ++x) {
      float v = plane[y * width + x];
      if (v > m || (v != v && m == m)) {
        m = v;
        best = y * width + x;
      }
    }
  return best;
}

// 2×2 windows at stride 2 without padding (LeNet's and VGG's pools): the four candidates are read
// directly. `fn(plane, out index, offsets of the window's four elements in the plane)`.
bool is_2x2_stride_2(const PoolGeometry& g) {
  return g.kernel_h == 2 && g.kernel_w == 2 && g.stride_h == 2 && g.stride_w == 2 && g.pad_h == 0 && g.pad_w == 0;
}
template <class Fn>
void for_each_2x2(const PoolGeometry& g, Fn fn) {
  for (int64_t p = 0; p < g.n * g.c; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        int64_t top = 2 * oy * g.w + 2 * ox;
        fn(p, (p * g.oh + oy) * g.ow + ox, top, top + g.w);
      }
}
// Which of a window's four values (row-major) is its maximum, by argmax's rule. Selects, not
// branches: which element wins is data, and mispredicted branches cost more than the loads.
inline int64_t best_of_four(const float* __restrict plane, int64_t top, int64_t bottom) {
  int64_t at[4] = {top, top + 1, bottom, bottom + 1};
  int64_t best = at[0];
  float m = plane[best];
  for (int i = 1; i < 4; ++i) {
    float v = plane[at[i]];
    bool take = (v > m) | ((v != v) & (m == m));
    m = take ? v : m;
    best = take ? at[i] : best;
  }
  return best;
}

// The larger of m and v by argmax's rule, as a value: NaN if either is.
inline float max_value(float m, float v) { return (v > m) | (v != v) ? v : m; }

// The 2×2 stride-2 max pool's values, row by row: no indices, so the loop vectorises.
void max_pool_2x2_values(const PoolGeometry& g, const float* __restrict x, float* __restrict y) {
  for (int64_t p = 0; p < g.n * g.c; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const float* top = x + (p * g.h + 2 * oy) * g.w;
      const float* bottom = top + g.w;
      float* out = y + (p * g.oh + oy) * g.ow;
      for (int64_t ox = 0; ox < g.ow; ++ox)
        out[ox] = max_value(max_value(max_value(top[2 * ox], top[2 * ox + 1]), bottom[2 * ox]), bottom[2 * ox + 1]);
    }
}

}  // namespace

void pool2d_forward(const PoolGeometry& g, const float* x, float* y) {
  int64_t plane = g.h * g.w;
  if (g.kind == PoolKind::Max && is_2x2_stride_2(g)) return max_pool_2x2_values(g, x, y);
  for_each_window(g, [&](int64_t p, int64_t out, const Span& rows, const Span& cols) {
    const float* in = x + p * plane;
    if (g.kind == PoolKind::Max) {
      y[out] = in[argmax(in, g.w, rows, cols)];
      return;
    }
    float sum = 0.f;
    for (int64_t yy = rows.lo; yy < rows.hi; ++yy)
      for (int64_t xx = cols.lo; xx < cols.hi; ++xx) sum += in[yy * g.w + xx];
    y[out] = sum / divisor(g, rows, cols);
  });
}

void pool2d_backward(const PoolGeometry& g, const float* dy, const float* x, float* dx) {
  int64_t plane = g.h * g.w;
  std::memset(dx, 0, sizeof(float) * g.n * g.c * plane);
  if (g.kind == PoolKind::Max && is_2x2_stride_2(g)) {
    for_each_2x2(g, [&](int64_t p, int64_t out, int64_t top, int64_t bottom) {
      dx[p * plane + best_of_four(x + p * plane, top, bottom)] += dy[out];
    });
    return;
  }
  for_each_window(g, [&](int64_t p, int64_t out, const Span& rows, const Span& cols) {
    float* grad = dx + p * plane;
    if (g.kind == PoolKind::Max) {
      grad[argmax(x + p * plane, g.w, rows, cols)] += dy[out];
      return;
    }
    float share = dy[out] / divisor(g, rows, cols);
    for (int64_t yy = rows.lo; yy < rows.hi; ++yy)
      for (int64_t xx = cols.lo; xx < cols.hi; ++xx) grad[yy * g.w + xx] += share;
  });
}

}  // namespace kiln::kernels
