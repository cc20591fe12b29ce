// Pooling as loops over each nchw plane, with no reorder and no workspace. oneDNN 2.6's pooling
// was tried first and measured slower on LeNet's pools (1 thread, AVX2 host): on plain nchw its
// "simple_nchw" kernels, and in its blocked layout the training forward (which keeps a
// workspace) ran 9.2 ms and the backward 8.8 ms on 256×6×24×24, against 1.8 ms for its inference
// forward — while these loops read each input once (docs/performance.md).
#include "runtime/kernels/pooling.h"

#include <algorithm>
#include <cstring>
#include <vector>

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

// Visits every window of `planes` planes (every n×c plane by default): fn(plane, out index,
// rows, columns).
template <class Fn>
void for_each_window(const PoolGeometry& g, Fn fn, int64_t planes = -1) {
  if (planes < 0) planes = g.n * g.c;
  for (int64_t p = 0; p < planes; ++p)
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

// 2×2 windows at stride 2 without padding (LeNet's and VGG's pools) have loops of their own:
// selects, not branches (which element wins is data), each loop over contiguous memory so it
// vectorises. Each pair of input rows is first reduced column by column (reduce_columns), then
// adjacent columns are compared, in one loop over a whole run of row pairs' windows.
bool is_2x2_stride_2(const PoolGeometry& g) {
  return g.kernel_h == 2 && g.kernel_w == 2 && g.stride_h == 2 && g.stride_w == 2 && g.pad_h == 0 && g.pad_w == 0;
}

// Whether v takes over from m by argmax's rule: larger, or the first NaN (per lane, on vectors).
template <class T>
inline auto beats(const T& v, const T& m) {
  return (v > m) | ((v != v) & (m == m));
}
inline bool ties(float v, float m) { return (v == m) | ((v != v) & (m != m)); }

// Floats in one run of row pairs' columns: a run's scratch stays in L1.
int64_t run_floats(const PoolGeometry& g) { return 2 * g.ow * std::max<int64_t>(1, 2048 / std::max<int64_t>(1, 2 * g.ow)); }

// Runs of row pairs: fn(input offset, output offset, pairs), the input rows 2·w apart and the
// output rows ow apart. When h is even, the row pairs of all planes are evenly spaced and a run
// may cross planes; otherwise each plane's pairs are a run of their own.
template <class Fn>
void for_each_run(const PoolGeometry& g, Fn fn) {
  if (g.oh == 0 || g.ow == 0) return;
  const int64_t chunk = run_floats(g) / (2 * g.ow);
  auto runs = [&](int64_t in_offset, int64_t out_offset, int64_t pairs) {
    for (int64_t r = 0; r < pairs; r += chunk)
      fn(in_offset + 2 * r * g.w, out_offset + r * g.ow, std::min(chunk, pairs - r));
  };
  if (g.h == 2 * g.oh) return runs(0, 0, g.n * g.c * g.oh);
  for (int64_t p = 0; p < g.n * g.c; ++p) runs(p * g.h * g.w, p * g.oh * g.ow, g.oh);
}

// The column winners of `pairs` row pairs: values, and (if `bottom_won` is given) whether the
// bottom row's element won. The forward needs only the values.
void reduce_columns(const PoolGeometry& g, const float* __restrict x, int64_t pairs, float* __restrict value,
                    float* __restrict bottom_won = nullptr) {
  const int64_t width = 2 * g.ow;
  for (int64_t r = 0; r < pairs; ++r) {
    const float* __restrict top = x + 2 * r * g.w;
    const float* __restrict bottom = top + g.w;
    float* __restrict v = value + r * width;
    if (!bottom_won) {
      for (int64_t i = 0; i < width; ++i) v[i] = beats(bottom[i], top[i]) ? bottom[i] : top[i];
      continue;
    }
    float* __restrict b = bottom_won + r * width;
    for (int64_t i = 0; i < width; ++i) {
      bool down = beats(bottom[i], top[i]);
      v[i] = down ? bottom[i] : top[i];
      b[i] = down ? 1.f : 0.f;
    }
  }
}

void max_pool_2x2_values(const PoolGeometry& g, const float* x, float* y) {
  std::vector<float> scratch(run_floats(g));
  float* __restrict v = scratch.data();
  for_each_run(g, [&](int64_t in, int64_t out, int64_t pairs) {
    reduce_columns(g, x + in, pairs, v);
    float* __restrict o = y + out;
    for (int64_t j = 0; j < pairs * g.ow; ++j) o[j] = beats(v[2 * j + 1], v[2 * j]) ? v[2 * j + 1] : v[2 * j];
  });
}

// Each window's gradient goes to its first maximum in row-major order (a b / c d): the column
// winners, then the right one if it beats the left, or ties with it while being the top element
// against a bottom one (b comes before c). Every covered element of dx is written once.
void max_pool_2x2_backward(const PoolGeometry& g, const float* dy, const float* x, float* dx) {
  if (g.h != 2 * g.oh || g.w != 2 * g.ow) std::memset(dx, 0, sizeof(float) * g.n * g.c * g.h * g.w);
  const int64_t chunk_floats = run_floats(g);
  std::vector<float> scratch(3 * chunk_floats);
  float* __restrict v = scratch.data();
  float* __restrict b = v + chunk_floats;
  float* __restrict column_grad = b + chunk_floats;
  const int64_t width = 2 * g.ow;
  for_each_run(g, [&](int64_t in, int64_t out, int64_t pairs) {
    reduce_columns(g, x + in, pairs, v, b);
    const float* __restrict grad = dy + out;
    for (int64_t j = 0; j < pairs * g.ow; ++j) {
      float l = v[2 * j], r = v[2 * j + 1];
      bool right = beats(r, l) | (ties(r, l) & (b[2 * j] > b[2 * j + 1]));
      column_grad[2 * j] = right ? 0.f : grad[j];
      column_grad[2 * j + 1] = right ? grad[j] : 0.f;
    }
    for (int64_t rr = 0; rr < pairs; ++rr) {
      float* __restrict top = dx + in + 2 * rr * g.w;
      float* __restrict bottom = top + g.w;
      const float* __restrict cg = column_grad + rr * width;
      const float* __restrict down = b + rr * width;
      for (int64_t i = 0; i < width; ++i) {
        top[i] = down[i] > 0.f ? 0.f : cg[i];
        bottom[i] = down[i] > 0.f ? cg[i] : 0.f;
      }
    }
  });
}

// In oneDNN's nChw{B}c layout each (image, block of B channels) is a plane of h×w pixels of B
// floats: the window loops run over pixels, a pixel's B channels are one vector's lanes. Each
// lane sees its window's elements in the order the nchw loops do, so the results are the same.
// (A member typedef: GCC drops vector_size from an alias template.)
template <int64_t B>
struct Vector {
  typedef float type __attribute__((vector_size(B * sizeof(float))));
};
template <int64_t B>
using Pixel = typename Vector<B>::type;
static_assert(sizeof(Pixel<8>) == 8 * sizeof(float));

template <int64_t B>
inline void load(Pixel<B>& v, const float* at) {
  std::memcpy(&v, at, sizeof v);
}

// m = v in the lanes where v beats m.
template <int64_t B>
inline void keep_max(Pixel<B>& m, const Pixel<B>& v) {
  m = beats(v, m) ? v : m;
}

template <int64_t B, PoolKind Kind>
void pool_forward_blocked(const PoolGeometry& g, const float* x, float* y) {
  const int64_t plane = g.h * g.w * B;
  for_each_window(
      g,
      [&](int64_t p, int64_t out, const Span& rows, const Span& cols) {
        const float* in = x + p * plane;
        Pixel<B> acc{}, v;
        if constexpr (Kind == PoolKind::Max) load<B>(acc, in + (rows.lo * g.w + cols.lo) * B);
        for (int64_t yy = rows.lo; yy < rows.hi; ++yy)
          for (int64_t xx = cols.lo; xx < cols.hi; ++xx) {
            load<B>(v, in + (yy * g.w + xx) * B);
            if constexpr (Kind == PoolKind::Max) keep_max<B>(acc, v);
            else acc += v;
          }
        if constexpr (Kind != PoolKind::Max) acc /= divisor(g, rows, cols);
        std::memcpy(y + out * B, &acc, sizeof acc);
      },
      g.n * g.c / B);
}

// The 2×2 stride-2 max pool without padding, blocked: two rows read front to back, no window
// bounds; each window in the order above (top-left, top-right, bottom-left, bottom-right).
template <int64_t B>
void max_pool_2x2_blocked(const PoolGeometry& g, const float* x, float* y) {
  const int64_t row = g.w * B;
  for (int64_t p = 0; p < g.n * g.c / B; ++p)
    for (int64_t oy = 0; oy < g.oh; ++oy) {
      const float* top = x + (p * g.h + 2 * oy) * row;
      const float* bottom = top + row;
      float* out = y + (p * g.oh + oy) * g.ow * B;
      for (int64_t ox = 0; ox < g.ow; ++ox) {
        Pixel<B> m, v;
        load<B>(m, top + 2 * ox * B);
        load<B>(v, top + (2 * ox + 1) * B);
        keep_max<B>(m, v);
        load<B>(v, bottom + 2 * ox * B);
        keep_max<B>(m, v);
        load<B>(v, bottom + (2 * ox + 1) * B);
        keep_max<B>(m, v);
        std::memcpy(out + ox * B, &m, sizeof m);
      }
    }
}

template <int64_t B>
void pool_forward_blocked(const PoolGeometry& g, const float* x, float* y) {
  if (g.kind == PoolKind::Max && is_2x2_stride_2(g)) return max_pool_2x2_blocked<B>(g, x, y);
  switch (g.kind) {
    case PoolKind::Max: return pool_forward_blocked<B, PoolKind::Max>(g, x, y);
    case PoolKind::AvgIncludePad: return pool_forward_blocked<B, PoolKind::AvgIncludePad>(g, x, y);
    case PoolKind::AvgExcludePad: return pool_forward_blocked<B, PoolKind::AvgExcludePad>(g, x, y);
  }
}

}  // namespace

void pool2d_forward(const PoolGeometry& g, const float* x, float* y, int64_t layout) {
  if (layout == 8) return pool_forward_blocked<8>(g, x, y);
  if (layout == 16) return pool_forward_blocked<16>(g, x, y);
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
  if (g.kind == PoolKind::Max && is_2x2_stride_2(g)) return max_pool_2x2_backward(g, dy, x, dx);
  std::memset(dx, 0, sizeof(float) * g.n * g.c * plane);
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
