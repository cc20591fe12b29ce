// Direct convolutions on nchw, vectorised over the output's width. Each image is first copied
// into a zero-padded scratch whose rows are long enough for every vector load, so the inner
// loops have no edge cases; a tile then keeps a block of output channels × output vectors in
// registers (the forward), or a block of output channels × kernel columns (the weight gradient).
// Images are split across kiln's threads.
#include "runtime/kernels/direct_convolution.h"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/threads.h"

namespace kiln::kernels::direct {
namespace {

// The vector the host's registers hold, and how many accumulators fit beside a tile's operands
// (16 registers with AVX2, 32 with AVX-512).
#if defined(__AVX512F__)
constexpr int kLanes = 16;
constexpr int kAccumulators = 24;
#else
constexpr int kLanes = 8;
constexpr int kAccumulators = 12;
#endif
typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));
typedef int32_t Mask __attribute__((vector_size(kLanes * sizeof(float))));

constexpr int kMaxKernel = 7;
// Forward tiles hold up to kMaxBlockChannels output channels × as many output vectors as the
// accumulators allow.
constexpr int kMaxBlockChannels = 4;

inline Vec splat(float s) { return s - Vec{}; }  // one broadcast: s − 0 is s, −0 included
inline Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// The first `count` lanes of p; the others zero (nothing past them is read).
inline Vec load_first(const float* p, int64_t count) {
  Vec v{};
  std::memcpy(&v, p, count * sizeof(float));
  return v;
}
inline void store_first(float* p, Vec v, int64_t count) {
  if (count == kLanes) std::memcpy(p, &v, sizeof v);
  else std::memcpy(p, &v, count * sizeof(float));
}
inline Vec keep_first(Vec v, int64_t count) {
  Mask lane;
  for (int i = 0; i < kLanes; ++i) lane[i] = i;
  return reinterpret_cast<Vec>(reinterpret_cast<Mask>(v) & (lane < static_cast<int32_t>(count)));
}
inline float sum_lanes(Vec v) {
  float s = 0;
  for (int i = 0; i < kLanes; ++i) s += v[i];
  return s;
}

// One output vector of an image: its output row, where its first input is in the padded image
// (row · stride + column), where it goes in the output plane, and how many of its lanes are
// inside the row.
struct OutVector {
  int64_t row, in, out, count;
};

// An image's input, zero-padded: `channels` planes of rows × stride floats.
struct PaddedImage {
  const float* data;
  int64_t channels, rows, stride;
  int64_t plane() const { return rows * stride; }
};

// Everything about a geometry that does not depend on the image.
struct Plan {
  int64_t rows, stride;             // of the padded image
  std::vector<OutVector> vectors;   // every output vector of a plane, row by row
};

Plan plan(const ConvGeometry& g) {
  Plan p;
  int64_t per_row = (g.ow + kLanes - 1) / kLanes;
  p.rows = g.h + 2 * g.pad_h;
  p.stride = std::max(g.w + 2 * g.pad_w, per_row * kLanes + g.kw - 1);
  for (int64_t r = 0; r < g.oh; ++r)
    for (int64_t v = 0; v < per_row; ++v)
      p.vectors.push_back({r, r * p.stride + v * kLanes, r * g.ow + v * kLanes, std::min<int64_t>(kLanes, g.ow - v * kLanes)});
  return p;
}

// Copies image `x` (c × h × w) into the calling thread's scratch, padded as `p` says.
PaddedImage pad_image(const ConvGeometry& g, const Plan& p, const float* x) {
  thread_local std::vector<float> scratch;
  scratch.assign(g.c * p.rows * p.stride, 0.f);
  for (int64_t ch = 0; ch < g.c; ++ch)
    for (int64_t r = 0; r < g.h; ++r)
      std::memcpy(&scratch[(ch * p.rows + r + g.pad_h) * p.stride + g.pad_w], x + (ch * g.h + r) * g.w, g.w * sizeof(float));
  return {scratch.data(), g.c, p.rows, p.stride};
}

// Runs fn(image) for every image, split across kiln's threads; fn(thread, image).
template <class Fn>
void for_each_image(int64_t n, int threads, Fn fn) {
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < n; ++i) fn(omp_get_thread_num(), i);
}

int threads_for(int64_t n) { return static_cast<int>(std::min<int64_t>(num_threads(), n)); }

// --- forward ---

// The forward tiles of o output channels: the fewest blocks of at most kMaxBlockChannels, as even
// as they can be (6 is 3 + 3, not 4 + 2), so that few accumulators go unused.
struct ForwardBlocking {
  int channels, vectors;
};
ForwardBlocking forward_blocking(int64_t o) {
  int64_t blocks = (o + kMaxBlockChannels - 1) / kMaxBlockChannels;
  int channels = static_cast<int>((o + blocks - 1) / blocks);
  return {channels, kAccumulators / channels};
}

// Weights for the forward tiles: for each block of output channels, the block's weights for
// (input channel, kernel row, kernel column) side by side, so a tile reads them in order.
void pack_forward_weights(const ConvGeometry& g, int64_t channels, const float* w, float* packed) {
  int64_t taps = g.c * g.kh * g.kw;
  for (int64_t o0 = 0; o0 < g.o; o0 += channels) {
    int64_t block = std::min<int64_t>(channels, g.o - o0);
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t k = 0; k < block; ++k) packed[o0 * taps + t * block + k] = w[(o0 + k) * taps + t];
  }
}

// The kernel rows [first, end) through which a tile's output rows see data rather than only the
// padding's zero rows (a transposed convolution's padding is most of its input).
struct KernelRows {
  int64_t first, end;
};
KernelRows kernel_rows(const ConvGeometry& g, int64_t first_row, int64_t last_row) {
  return {std::max<int64_t>(0, g.pad_h - last_row), std::min(g.kh, g.pad_h + g.h - first_row)};
}

// OB output channels × NV output vectors of one image, in registers across every input channel
// and kernel tap.
template <int OB, int NV>
void forward_tile(const PaddedImage& x, KernelRows rows, int64_t kh, int64_t kw, const OutVector* vectors,
                  const float* packed, const float* bias, float* y, int64_t plane) {
  Vec acc[OB][NV];
  for (int b = 0; b < OB; ++b)
    for (int v = 0; v < NV; ++v) acc[b][v] = splat(bias ? bias[b] : 0.f);
  int64_t in[NV];
  for (int v = 0; v < NV; ++v) in[v] = vectors[v].in;
  const float* channel = x.data;
  for (int64_t ch = 0; ch < x.channels; ++ch, channel += x.plane())
    for (int64_t i = rows.first; i < rows.end; ++i) {
      const float* row = channel + i * x.stride;
      const float* w = packed + (ch * kh + i) * kw * OB;
      for (int64_t j = 0; j < kw; ++j, w += OB) {
        Vec wb[OB];
        for (int b = 0; b < OB; ++b) wb[b] = splat(w[b]);
        for (int v = 0; v < NV; ++v) {
          Vec xv = load(row + in[v] + j);
          for (int b = 0; b < OB; ++b) acc[b][v] += xv * wb[b];
        }
      }
    }
  for (int b = 0; b < OB; ++b)
    for (int v = 0; v < NV; ++v) store_first(y + b * plane + vectors[v].out, acc[b][v], vectors[v].count);
}

using ForwardTile = void (*)(const PaddedImage&, KernelRows, int64_t, int64_t, const OutVector*, const float*,
                             const float*, float*, int64_t);

template <int OB, int... V>
constexpr std::array<ForwardTile, kAccumulators> forward_tiles_of(std::integer_sequence<int, V...>) {
  constexpr int most = kAccumulators / OB;
  return {(V + 1 <= most ? &forward_tile<OB, std::min(V + 1, most)> : nullptr)...};
}
template <int... B>
constexpr auto forward_tile_table(std::integer_sequence<int, B...>) {
  return std::array{forward_tiles_of<B + 1>(std::make_integer_sequence<int, kAccumulators>())...};
}
// kForwardTiles[OB − 1][NV − 1], NV up to kAccumulators / OB
constexpr auto kForwardTiles = forward_tile_table(std::make_integer_sequence<int, kMaxBlockChannels>());

void convolve(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  thread_local std::vector<float> packed;
  packed.resize(g.o * g.c * g.kh * g.kw);
  const ForwardBlocking blocking = forward_blocking(g.o);
  pack_forward_weights(g, blocking.channels, w, packed.data());
  const float* weights = packed.data();  // `packed` names each thread's own vector inside the loop
  const Plan p = plan(g);
  const int64_t plane = g.oh * g.ow, count = static_cast<int64_t>(p.vectors.size()), taps = g.c * g.kh * g.kw;
  for_each_image(g.n, threads_for(g.n), [&](int, int64_t image) {
    PaddedImage padded = pad_image(g, p, x + image * g.c * g.h * g.w);
    float* out = y + image * g.o * plane;
    for (int64_t o0 = 0; o0 < g.o; o0 += blocking.channels) {
      int64_t block = std::min<int64_t>(blocking.channels, g.o - o0);
      for (int64_t v = 0; v < count; v += blocking.vectors) {
        int64_t vectors = std::min<int64_t>(blocking.vectors, count - v);
        KernelRows rows = kernel_rows(g, p.vectors[v].row, p.vectors[v + vectors - 1].row);
        kForwardTiles[block - 1][vectors - 1](padded, rows, g.kh, g.kw, &p.vectors[v], weights + o0 * taps,
                                              bias ? bias + o0 : nullptr, out + o0 * plane, plane);
      }
    }
  });
}

// --- weight gradient ---

// dw for OB output channels, one input channel and one kernel row, every kernel column, summed
// over one image: `dy` is the image's gradient at the block's first channel, `row` the padded
// input at the channel and kernel row. Lanes past a row's end are zero in both factors.
template <int OB, int KW>
void weights_tile(const float* dy, int64_t plane, const float* row, const OutVector* vectors, int64_t count, float* dw,
                  int64_t dw_channel_stride) {
  Vec acc[OB][KW] = {};
  for (int64_t v = 0; v < count; ++v) {
    const OutVector& ov = vectors[v];
    Vec d[OB];
    bool full = ov.count == kLanes;
    for (int b = 0; b < OB; ++b) d[b] = full ? load(dy + b * plane + ov.out) : load_first(dy + b * plane + ov.out, ov.count);
    for (int j = 0; j < KW; ++j) {
      Vec xv = load(row + ov.in + j);
      if (!full) xv = keep_first(xv, ov.count);  // 0 · inf would be NaN
      for (int b = 0; b < OB; ++b) acc[b][j] += d[b] * xv;
    }
  }
  for (int b = 0; b < OB; ++b)
    for (int j = 0; j < KW; ++j) dw[b * dw_channel_stride + j] += sum_lanes(acc[b][j]);
}

using WeightsTile = void (*)(const float*, int64_t, const float*, const OutVector*, int64_t, float*, int64_t);

// Output channels a weight tile holds for kernel width KW.
constexpr int weights_block(int kw) { return std::clamp(kAccumulators / kw, 1, 4); }
constexpr int kMaxWeightsBlock = 4;

template <int KW, int... B>
constexpr std::array<WeightsTile, kMaxWeightsBlock> weights_tiles_of(std::integer_sequence<int, B...>) {
  return {(B + 1 <= weights_block(KW) ? &weights_tile<std::min(B + 1, weights_block(KW)), KW> : nullptr)...};
}
template <int... K>
constexpr auto weights_tile_table(std::integer_sequence<int, K...>) {
  return std::array{weights_tiles_of<K + 1>(std::make_integer_sequence<int, kMaxWeightsBlock>())...};
}
// kWeightsTiles[KW − 1][OB − 1], OB up to weights_block(KW)
constexpr auto kWeightsTiles = weights_tile_table(std::make_integer_sequence<int, kMaxKernel>());

}  // namespace

bool handles(const ConvGeometry& g) {
  return g.groups == 1 && g.stride_h == 1 && g.stride_w == 1 && g.dilate_h == 1 && g.dilate_w == 1 && g.kh <= kMaxKernel &&
         g.kw <= kMaxKernel && g.pad_h < g.kh && g.pad_w < g.kw;
}

bool runs_direct(const ConvGeometry& g, ConvPass pass) {
  static const bool enabled = [] {  // KILN_DIRECT_CONV=off: oneDNN for every convolution (to compare, or bisect)
    const char* v = std::getenv("KILN_DIRECT_CONV");
    return !(v && std::string_view(v) == "off");
  }();
  if (!enabled || !handles(g) || conv2d_runs_blocked(g.c, g.o)) return false;
  switch (pass) {
    case ConvPass::Forward: return g.o <= kLanes;
    case ConvPass::BackwardData: return g.c <= 4;
    case ConvPass::BackwardWeights: return g.c <= 2;
  }
  return false;
}

void forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  convolve(g, x, w, bias, y);
}

void backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  // dx[c, y, x] = Σ w[o, c, i, j] · dy[o, y + pad − i, x + pad − j]: the forward convolution of dy
  // padded by kernel − 1 − pad with w[o, c, kh − 1 − i, kw − 1 − j] as its weights for c ← o.
  thread_local std::vector<float> flipped;
  flipped.resize(g.o * g.c * g.kh * g.kw);
  for (int64_t o = 0; o < g.o; ++o)
    for (int64_t ch = 0; ch < g.c; ++ch)
      for (int64_t i = 0; i < g.kh; ++i)
        for (int64_t j = 0; j < g.kw; ++j)
          flipped[((ch * g.o + o) * g.kh + g.kh - 1 - i) * g.kw + g.kw - 1 - j] = w[((o * g.c + ch) * g.kh + i) * g.kw + j];
  ConvGeometry t = g;
  t.c = g.o, t.h = g.oh, t.w = g.ow;
  t.o = g.c, t.oh = g.h, t.ow = g.w;
  t.pad_h = g.kh - 1 - g.pad_h, t.pad_w = g.kw - 1 - g.pad_w;
  convolve(t, dy, flipped.data(), nullptr, dx);
}

void backward_weights(const ConvGeometry& g, const float* dy, const float* x, float* dw) {
  const Plan p = plan(g);
  const int64_t size = g.o * g.c * g.kh * g.kw, plane = g.oh * g.ow, count = static_cast<int64_t>(p.vectors.size());
  const int threads = threads_for(g.n);
  thread_local std::vector<float> partial;  // one dw per thread
  partial.assign(threads * size, 0.f);
  float* partials = partial.data();  // `partial` names each thread's own vector inside the loop
  const int block = weights_block(static_cast<int>(g.kw));
  const auto& tiles = kWeightsTiles[g.kw - 1];
  for_each_image(g.n, threads, [&](int thread, int64_t image) {
    PaddedImage padded = pad_image(g, p, x + image * g.c * g.h * g.w);
    const float* grad = dy + image * g.o * plane;
    float* sums = partials + thread * size;
    for (int64_t ch = 0; ch < g.c; ++ch)
      for (int64_t i = 0; i < g.kh; ++i) {
        const float* row = padded.data + ch * padded.plane() + i * padded.stride;
        for (int64_t o0 = 0; o0 < g.o; o0 += block) {
          int64_t b = std::min<int64_t>(block, g.o - o0);
          tiles[b - 1](grad + o0 * plane, plane, row, p.vectors.data(), count, sums + ((o0 * g.c + ch) * g.kh + i) * g.kw,
                       g.c * g.kh * g.kw);
        }
      }
  });
  std::copy(partials, partials + size, dw);
  for (int t = 1; t < threads; ++t)
    for (int64_t k = 0; k < size; ++k) dw[k] += partials[t * size + k];
}

}  // namespace kiln::kernels::direct
