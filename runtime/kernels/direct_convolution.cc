// Direct convolutions on nchw in 8-float vectors. Each image is first copied into a zero-padded
// scratch whose rows are long enough for every vector load, so the inner loops have no edge
// cases. A tile then keeps in registers a block of output channels × vectors along the output's
// width (the forward), of kernel taps × vectors of the output gradient (the data gradient, added
// into a padded scratch of dx), or of output channels × kernel columns (the weight gradient; for
// 16 output channels or more, kernel taps × vectors of output channels). Images are split across
// kiln's threads.
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

// 8-float vectors on every host: rows of few channels' images are short (LeNet's are 8, 12 and
// 24 wide), and 16 lanes would leave more of each vector past a row's end. The vector registers
// (16 with AVX2, 32 with AVX-512) and the most accumulators a tile keeps in them.
constexpr int kLanes = 8;
#if defined(__AVX512F__)
constexpr int kRegisters = 32, kAccumulators = 24;
#else
constexpr int kRegisters = 16, kAccumulators = 12;
#endif
typedef float Vec __attribute__((vector_size(kLanes * sizeof(float))));
typedef int32_t Mask __attribute__((vector_size(kLanes * sizeof(float))));

constexpr int kMaxKernel = 7;
// Tiles hold a block of up to kMaxBlock channels (or kernel taps, or channel vectors) × as many
// vectors (or kernel columns) as the accumulators allow.
constexpr int kMaxBlock = 4;

inline Vec splat(float s) { return s - Vec{}; }  // one broadcast: s − 0 is s, −0 included
inline Vec load(const float* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// A load kept in a register: GCC would otherwise fold it into each FMA that reads it, loading
// the same vector once per FMA, and the tiles are bound by loads.
inline Vec load_once(const float* p) {
  Vec v = load(p);
  asm("" : "+x"(v));
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
// All ones in the first `count` lanes, zeros after.
inline Mask first_lanes(int64_t count) {
  Mask lane;
  for (int i = 0; i < kLanes; ++i) lane[i] = i;
  return lane < static_cast<int32_t>(count);
}
inline Vec keep(Vec v, Mask lanes) { return reinterpret_cast<Vec>(reinterpret_cast<Mask>(v) & lanes); }
inline float sum_lanes(Vec v) {
  float s = 0;
  for (int i = 0; i < kLanes; ++i) s += v[i];
  return s;
}

// One output vector of an image: its output row, where its first input is in the padded image
// (row · stride + column), where it goes in the output plane, and how many of its lanes are
// inside the row (also as a mask).
struct OutVector {
  int64_t row, in, out, count;
  Mask inside;
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
    for (int64_t v = 0; v < per_row; ++v) {
      int64_t count = std::min<int64_t>(kLanes, g.ow - v * kLanes);
      p.vectors.push_back({r, r * p.stride + v * kLanes, r * g.ow + v * kLanes, count, first_lanes(count)});
    }
  return p;
}

// The calling thread's scratch buffer `slot`, `size` floats of zeros.
enum Scratch { kPaddedInput, kGradient, kPaddedDataGradient, kPerThreadSums, kScratchSlots };
float* zeroed_scratch(Scratch slot, int64_t size) {
  thread_local std::array<std::vector<float>, kScratchSlots> scratch;
  scratch[slot].assign(size, 0.f);
  return scratch[slot].data();
}

// Copies image `x` (c × h × w) into the calling thread's scratch, padded as `p` says.
PaddedImage pad_image(const ConvGeometry& g, const Plan& p, const float* x) {
  float* padded = zeroed_scratch(kPaddedInput, g.c * p.rows * p.stride);
  for (int64_t ch = 0; ch < g.c; ++ch)
    for (int64_t r = 0; r < g.h; ++r)
      std::memcpy(padded + (ch * p.rows + r + g.pad_h) * p.stride + g.pad_w, x + (ch * g.h + r) * g.w, g.w * sizeof(float));
  return {padded, g.c, p.rows, p.stride};
}

// Copies one image's output gradient (o × oh × ow) into the calling thread's scratch vector by
// vector, each vector's channels side by side and zeros past a row's end: the layout the
// gradient tiles read in order, with no partial loads.
const float* gather_gradient(const ConvGeometry& g, const Plan& p, const float* dy) {
  const int64_t count = static_cast<int64_t>(p.vectors.size()), plane = g.oh * g.ow;
  float* grad = zeroed_scratch(kGradient, count * g.o * kLanes);
  for (int64_t v = 0; v < count; ++v)
    for (int64_t k = 0; k < g.o; ++k)
      std::memcpy(grad + (v * g.o + k) * kLanes, dy + k * plane + p.vectors[v].out, p.vectors[v].count * sizeof(float));
  return grad;
}

// A table of a tile's instantiations: table[B − 1][V − 1] is Tile<B, V>::run for blocks B up to
// kMaxBlock and V up to kAccumulators / B (null beyond): B × V accumulators, V being vectors or,
// in the width weight tile, kernel columns.
template <template <int, int> class Tile, int B, int... V>
constexpr auto tile_row(std::integer_sequence<int, V...>) {
  constexpr int most = kAccumulators / B;
  return std::array<decltype(&Tile<1, 1>::run), kAccumulators>{
      (V + 1 <= most ? &Tile<B, std::min(V + 1, most)>::run : nullptr)...};
}
template <template <int, int> class Tile, int... B>
constexpr auto tile_table(std::integer_sequence<int, B...>) {
  return std::array{tile_row<Tile, B + 1>(std::make_integer_sequence<int, kAccumulators>())...};
}
template <template <int, int> class Tile>
constexpr auto kTiles = tile_table<Tile>(std::make_integer_sequence<int, kMaxBlock>());

// Blocks of at most kMaxBlock for `count` channels or taps: the fewest, as even as they can be (6
// is 3 + 3, not 4 + 2), so that few accumulators go unused; and the vectors a tile takes beside,
// as many as leave room in the registers for the block's broadcasts and one loaded vector (more
// spill: 4 × 3 accumulators ran at half the speed of 4 × 2 on AVX2).
struct Blocking {
  int block, vectors;
};
Blocking blocking_for(int64_t count) {
  int64_t blocks = (count + kMaxBlock - 1) / kMaxBlock;
  int block = static_cast<int>((count + blocks - 1) / blocks);
  return {block, std::min(kAccumulators, kRegisters - block - 1) / block};
}

// Packs w, `rows` × `cols` row-major, for tiles that take `block` rows at a time: for each block
// of rows, column by column, the block's values side by side.
void pack_blocks(const float* w, int64_t rows, int64_t cols, int64_t block, float* packed) {
  for (int64_t r0 = 0; r0 < rows; r0 += block) {
    int64_t b = std::min(block, rows - r0);
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t k = 0; k < b; ++k) packed[r0 * cols + c * b + k] = w[(r0 + k) * cols + c];
  }
}

// Runs fn(image) for every image, split across kiln's threads; fn(thread, image).
template <class Fn>
void for_each_image(int64_t n, int threads, Fn fn) {
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (int64_t i = 0; i < n; ++i) fn(omp_get_thread_num(), i);
}

int threads_for(int64_t n) { return static_cast<int>(std::clamp<int64_t>(n, 1, num_threads())); }

// --- forward ---

// The kernel rows [first, end) through which a tile's output rows see data rather than only the
// padding's zero rows, which a tile skips.
struct KernelRows {
  int64_t first, end;
};
KernelRows kernel_rows(const ConvGeometry& g, int64_t first_row, int64_t last_row) {
  return {std::max<int64_t>(0, g.pad_h - last_row), std::min(g.kh, g.pad_h + g.h - first_row)};
}

// OB output channels × NV output vectors of one image, in registers across every input channel
// and kernel tap. `packed` holds the block's weights tap by tap (pack_blocks).
template <int OB, int NV>
struct ForwardTile {
static void run(const PaddedImage& x, KernelRows rows, int64_t kh, int64_t kw, const OutVector* vectors,
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
          Vec xv = load_once(row + in[v] + j);
          for (int b = 0; b < OB; ++b) acc[b][v] += xv * wb[b];
        }
      }
    }
  for (int b = 0; b < OB; ++b)
    for (int v = 0; v < NV; ++v) store_first(y + b * plane + vectors[v].out, acc[b][v], vectors[v].count);
}
};

void convolve(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  thread_local std::vector<float> packed;
  const int64_t taps = g.c * g.kh * g.kw;
  packed.resize(g.o * taps);
  const Blocking blocking = blocking_for(g.o);
  pack_blocks(w, g.o, taps, blocking.block, packed.data());
  const float* weights = packed.data();  // `packed` names each thread's own vector inside the loop
  const Plan p = plan(g);
  const int64_t plane = g.oh * g.ow, count = static_cast<int64_t>(p.vectors.size());
  for_each_image(g.n, threads_for(g.n), [&](int, int64_t image) {
    PaddedImage padded = pad_image(g, p, x + image * g.c * g.h * g.w);
    float* out = y + image * g.o * plane;
    for (int64_t o0 = 0; o0 < g.o; o0 += blocking.block) {
      int64_t block = std::min<int64_t>(blocking.block, g.o - o0);
      for (int64_t v = 0; v < count; v += blocking.vectors) {
        int64_t vectors = std::min<int64_t>(blocking.vectors, count - v);
        KernelRows rows = kernel_rows(g, p.vectors[v].row, p.vectors[v + vectors - 1].row);
        kTiles<ForwardTile>[block - 1][vectors - 1](padded, rows, g.kh, g.kw, &p.vectors[v], weights + o0 * taps,
                                                    bias ? bias + o0 : nullptr, out + o0 * plane, plane);
      }
    }
  });
}

// --- data gradient ---

// dx[c, r + i, q + j] += Σ_o w[o, c, i, j] · dy[o, r, q] for TB taps (c, i, j) and NV vectors of
// dy: the sums over every output channel in registers, then added into the image's padded dx at
// each tap's offset (`taps`). `dy` holds the image's gradient vector by vector, each vector's
// channels side by side (zeros past a row's end), so a tile reads it in order; `packed` the
// block's weights channel by channel.
template <int TB, int NV>
struct DataTile {
static void run(const float* dy, int64_t outputs, const float* packed, const int64_t* taps, const OutVector* vectors,
                float* dx) {
  Vec acc[TB][NV];
  for (int t = 0; t < TB; ++t)
    for (int v = 0; v < NV; ++v) acc[t][v] = splat(0.f);
  const int64_t vector_stride = outputs * kLanes;
  for (int64_t k = 0; k < outputs; ++k, dy += kLanes, packed += TB) {
    Vec wb[TB];
    for (int t = 0; t < TB; ++t) wb[t] = splat(packed[t]);
    for (int v = 0; v < NV; ++v) {
      Vec d = load_once(dy + v * vector_stride);
      for (int t = 0; t < TB; ++t) acc[t][v] += d * wb[t];
    }
  }
  for (int t = 0; t < TB; ++t)
    for (int v = 0; v < NV; ++v) {
      float* at = dx + taps[t] + vectors[v].in;
      int64_t lanes = vectors[v].count;  // only the row's lanes: the rest of the vector is another place's
      store_first(at, (lanes == kLanes ? load(at) : load_first(at, lanes)) + acc[t][v], lanes);
    }
}
};

void data_gradient(const ConvGeometry& g, const float* dy, const float* w, float* dx) {
  thread_local std::vector<float> packed;
  const int64_t taps = g.c * g.kh * g.kw;
  packed.resize(g.o * taps);
  // Taps in the order (kernel column, channel, kernel row), and a tile's taps from one column:
  // where two of its additions into dx overlap they overlap exactly, so the load reads what the
  // store before it wrote (a partial overlap would stall store forwarding).
  const int64_t column_taps = g.c * g.kh;
  const Blocking blocking = blocking_for(column_taps);
  const Plan p = plan(g);
  thread_local std::vector<float> transposed;  // w as taps × o, in that order
  transposed.resize(g.o * taps);
  std::vector<int64_t> offsets;  // of each tap in the padded dx
  for (int64_t j = 0; j < g.kw; ++j)
    for (int64_t ch = 0; ch < g.c; ++ch)
      for (int64_t i = 0; i < g.kh; ++i) {
        for (int64_t k = 0; k < g.o; ++k)
          transposed[offsets.size() * g.o + k] = w[((k * g.c + ch) * g.kh + i) * g.kw + j];
        offsets.push_back((ch * p.rows + i) * p.stride + j);
      }
  for (int64_t j = 0; j < g.kw; ++j)
    pack_blocks(&transposed[j * column_taps * g.o], column_taps, g.o, blocking.block, &packed[j * column_taps * g.o]);
  const float* weights = packed.data();  // thread_local names each thread's own vector inside the loop
  const int64_t plane = g.oh * g.ow, count = static_cast<int64_t>(p.vectors.size()), vector_stride = g.o * kLanes;
  for_each_image(g.n, threads_for(g.n), [&](int, int64_t image) {
    const float* grad = gather_gradient(g, p, dy + image * g.o * plane);
    float* padded = zeroed_scratch(kPaddedDataGradient, g.c * p.rows * p.stride);
    for (int64_t column = 0; column < taps; column += column_taps)
      for (int64_t t0 = column; t0 < column + column_taps; t0 += blocking.block) {
        int64_t block = std::min<int64_t>(blocking.block, column + column_taps - t0);
        for (int64_t v = 0; v < count; v += blocking.vectors) {
          int64_t vectors = std::min<int64_t>(blocking.vectors, count - v);
          kTiles<DataTile>[block - 1][vectors - 1](grad + v * vector_stride, g.o, weights + t0 * g.o, &offsets[t0],
                                                   &p.vectors[v], padded);
        }
      }
    float* out = dx + image * g.c * g.h * g.w;  // the padded dx without its padding
    for (int64_t ch = 0; ch < g.c; ++ch)
      for (int64_t r = 0; r < g.h; ++r)
        std::memcpy(out + (ch * g.h + r) * g.w, padded + (ch * p.rows + r + g.pad_h) * p.stride + g.pad_w,
                    g.w * sizeof(float));
  });
}

// --- weight gradient ---

// dw for OB output channels, one input channel and one kernel row, every kernel column, summed
// over one image: `dy` is the image's gathered gradient (gather_gradient) at the block's first
// channel, `row` the padded input at the channel and kernel row. Past a row's end dy is zero and
// the input is masked to zero too (0 · inf would be NaN).
template <int OB, int KW>
struct WidthWeightsTile {
static void run(const float* dy, int64_t vector_stride, const float* row, const OutVector* vectors, int64_t count,
                float* dw, int64_t dw_channel_stride) {
  Vec acc[OB][KW];
  for (int b = 0; b < OB; ++b)
    for (int j = 0; j < KW; ++j) acc[b][j] = splat(0.f);
  for (int64_t v = 0; v < count; ++v, dy += vector_stride) {
    const OutVector& ov = vectors[v];
    Vec d[OB];
    for (int b = 0; b < OB; ++b) d[b] = load(dy + b * kLanes);
    for (int j = 0; j < KW; ++j) {
      Vec xv = keep(load(row + ov.in + j), ov.inside);  // no branch: the accumulators stay in registers
      for (int b = 0; b < OB; ++b) acc[b][j] += d[b] * xv;
    }
  }
  for (int b = 0; b < OB; ++b)
    for (int j = 0; j < KW; ++j) dw[b * dw_channel_stride + j] += sum_lanes(acc[b][j]);
}
};

// Output channels a width tile holds for kernel width KW (its kTiles entry is [OB − 1][KW − 1]).
constexpr int weights_block(int kw) { return std::clamp(kAccumulators / kw, 1, kMaxBlock); }

// The weight gradient vectorised over the output's width (WidthWeightsTile), for fewer output
// channels than two vectors hold.
void weight_gradient_over_width(const ConvGeometry& g, const float* dy, const float* x, float* dw) {
  const Plan p = plan(g);
  const int64_t size = g.o * g.c * g.kh * g.kw, plane = g.oh * g.ow, count = static_cast<int64_t>(p.vectors.size());
  const int64_t vector_stride = g.o * kLanes;
  const int threads = threads_for(g.n);
  float* partials = zeroed_scratch(kPerThreadSums, threads * size);  // one dw per thread
  const int block = weights_block(static_cast<int>(g.kw));
  for_each_image(g.n, threads, [&](int thread, int64_t image) {
    PaddedImage padded = pad_image(g, p, x + image * g.c * g.h * g.w);
    const float* grad = gather_gradient(g, p, dy + image * g.o * plane);
    float* sums = partials + thread * size;
    for (int64_t ch = 0; ch < g.c; ++ch)
      for (int64_t i = 0; i < g.kh; ++i) {
        const float* row = padded.data + ch * padded.plane() + i * padded.stride;
        for (int64_t o0 = 0; o0 < g.o; o0 += block) {
          int64_t b = std::min<int64_t>(block, g.o - o0);
          kTiles<WidthWeightsTile>[b - 1][g.kw - 1](grad + o0 * kLanes, vector_stride, row, p.vectors.data(), count,
                                                    sums + ((o0 * g.c + ch) * g.kh + i) * g.kw, g.c * g.kh * g.kw);
        }
      }
  });
  std::copy(partials, partials + size, dw);
  for (int t = 1; t < threads; ++t)
    for (int64_t k = 0; k < size; ++k) dw[k] += partials[t * size + k];
}

// dw[o, tap] summed over one image's output positions, vectorised over the output channels: TB
// taps × OV vectors of 8 output channels in registers, no horizontal sums and no partial vectors.
// `dy` holds the image's gradient position by position, each position's channels side by side
// (zeros past the last); the input of tap t at position p is x[taps[t] + positions[p]]; `sums`
// is the block's [tap][channel] rows, `sums_stride` floats apart.
template <int OV, int TB>
struct ChannelWeightsTile {
static void run(const float* dy, int64_t position_stride, const float* x, const int64_t* taps, const int64_t* positions,
                int64_t count, float* sums, int64_t sums_stride) {
  Vec acc[TB][OV];
  for (int t = 0; t < TB; ++t)
    for (int v = 0; v < OV; ++v) acc[t][v] = splat(0.f);
  int64_t tap[TB];
  for (int t = 0; t < TB; ++t) tap[t] = taps[t];
  for (int64_t q = 0; q < count; ++q, dy += position_stride) {
    Vec d[OV];
    for (int v = 0; v < OV; ++v) d[v] = load_once(dy + v * kLanes);
    const float* at = x + positions[q];
    for (int t = 0; t < TB; ++t) {
      Vec xb = splat(at[tap[t]]);
      for (int v = 0; v < OV; ++v) acc[t][v] += d[v] * xb;
    }
  }
  for (int t = 0; t < TB; ++t)
    for (int v = 0; v < OV; ++v) {
      float* s = sums + t * sums_stride + v * kLanes;
      store_first(s, load(s) + acc[t][v], kLanes);
    }
}
};

// The weight gradient vectorised over the output channels (ChannelWeightsTile), for two vectors of
// them or more: one vector leaves a tile a broadcast to load per FMA.
void weight_gradient_over_channels(const ConvGeometry& g, const float* dy, const float* x, float* dw) {
  const Plan p = plan(g);
  const int64_t taps = g.c * g.kh * g.kw, plane = g.oh * g.ow;
  const int64_t vectors = (g.o + kLanes - 1) / kLanes, channels = vectors * kLanes;  // output channels, padded
  const int most_vectors = 2;  // 3 leave a tile 4 taps: as many loads per FMA as 2 × 6, more sums to add
  std::vector<int64_t> tap_offsets, positions;
  for (int64_t ch = 0; ch < g.c; ++ch)
    for (int64_t i = 0; i < g.kh; ++i)
      for (int64_t j = 0; j < g.kw; ++j) tap_offsets.push_back((ch * p.rows + i) * p.stride + j);
  for (int64_t r = 0; r < g.oh; ++r)
    for (int64_t q = 0; q < g.ow; ++q) positions.push_back(r * p.stride + q);
  const int threads = threads_for(g.n);
  const int64_t size = taps * channels;
  float* partials = zeroed_scratch(kPerThreadSums, threads * size);  // one [tap][channel] sum per thread
  for_each_image(g.n, threads, [&](int thread, int64_t image) {
    PaddedImage padded = pad_image(g, p, x + image * g.c * g.h * g.w);
    float* grad = zeroed_scratch(kGradient, plane * channels);
    const float* dy_image = dy + image * g.o * plane;
    for (int64_t k = 0; k < g.o; ++k)
      for (int64_t q = 0; q < plane; ++q) grad[q * channels + k] = dy_image[k * plane + q];
    float* sums = partials + thread * size;
    for (int64_t v0 = 0; v0 < vectors; v0 += most_vectors) {
      int ov = static_cast<int>(std::min<int64_t>(most_vectors, vectors - v0));
      int most_taps = std::min(kAccumulators, kRegisters - ov - 1) / ov;
      int64_t blocks = (taps + most_taps - 1) / most_taps, block = (taps + blocks - 1) / blocks;
      for (int64_t t0 = 0; t0 < taps; t0 += block) {
        int64_t tb = std::min(block, taps - t0);
        kTiles<ChannelWeightsTile>[ov - 1][tb - 1](grad + v0 * kLanes, channels, padded.data, &tap_offsets[t0],
                                                   positions.data(), plane, sums + t0 * channels + v0 * kLanes,
                                                   channels);
      }
    }
  });
  for (int64_t k = 0; k < g.o; ++k)
    for (int64_t t = 0; t < taps; ++t) {
      float s = 0;
      for (int th = 0; th < threads; ++th) s += partials[th * size + t * channels + k];
      dw[k * taps + t] = s;
    }
}

}  // namespace

bool handles(const ConvGeometry& g) {
  return g.c > 0 && g.o > 0 && g.groups == 1 && g.stride_h == 1 && g.stride_w == 1 && g.dilate_h == 1 && g.dilate_w == 1 && g.kh <= kMaxKernel &&
         g.kw <= kMaxKernel && g.pad_h < g.kh && g.pad_w < g.kw;
}

bool runs_direct(const ConvGeometry& g, ConvPass pass) {
  static const bool enabled = [] {  // KILN_DIRECT_CONV=off: oneDNN for every convolution (to compare, or bisect)
    const char* v = std::getenv("KILN_DIRECT_CONV");
    return !(v && std::string_view(v) == "off");
  }();
  if (!enabled || !handles(g) || conv2d_runs_blocked(g.c, g.o)) return false;
  switch (pass) {
    case ConvPass::Forward: return g.o <= 2 * kLanes && g.c <= 2 * kLanes;
    case ConvPass::BackwardData: return g.c < kLanes;
    case ConvPass::BackwardWeights: return g.c <= 2 || (g.o >= 2 * kLanes && g.c < kLanes);
  }
  return false;
}

void forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y) {
  convolve(g, x, w, bias, y);
}

void backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx) { data_gradient(g, dy, w, dx); }

void backward_weights(const ConvGeometry& g, const float* dy, const float* x, float* dw) {
  if (g.o >= 2 * kLanes) weight_gradient_over_channels(g, dy, x, dw);
  else weight_gradient_over_width(g, dy, x, dw);
}

}  // namespace kiln::kernels::direct
