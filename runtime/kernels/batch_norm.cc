// Batch normalisation. oneDNN normalises (forward with given statistics) and computes the data
// gradient; its primitives are built once per geometry, epsilon and flags, per thread. The
// statistics and the scale/shift gradients are single passes of kiln's own (double sums, so a
// large batch loses no precision).
#include "runtime/kernels/batch_norm.h"

#include <bit>
#include <cmath>
#include <map>
#include <tuple>
#include <vector>

#include "runtime/onednn.h"

namespace kiln::kernels {
namespace {

using dnnl::memory;
using Flags = dnnl::normalization_flags;

enum class Pass { Forward, BackwardData, BackwardDataGlobal };

// x as n×c×s×1 in plain nchw: one layout for 2-D and 4-D input alike.
memory::desc data_desc(const NormGeometry& g) {
  return memory::desc({g.n, g.c, g.s, 1}, memory::data_type::f32, memory::format_tag::nchw);
}

dnnl::batch_normalization_forward::primitive_desc forward_pd(const NormGeometry& g, float epsilon, Flags flags) {
  dnnl::batch_normalization_forward::desc desc(dnnl::prop_kind::forward_training, data_desc(g), epsilon, flags);
  return {desc, onednn::engine()};
}

onednn::BoundPrimitive make(const NormGeometry& g, float epsilon, Pass pass) {
  memory::desc data = data_desc(g), channel({g.c}, memory::data_type::f32, memory::format_tag::x);
  onednn::BoundPrimitive b;
  Flags scale_shift = Flags::use_scale | Flags::use_shift;
  if (pass == Pass::Forward) {
    // Given statistics: the batch's own in training (computed by batch_norm_stats), the running
    // ones in predict mode; either way the same arithmetic.
    auto pd = forward_pd(g, epsilon, scale_shift | Flags::use_global_stats);
    b.primitive = dnnl::batch_normalization_forward(pd);
    b.bind({{DNNL_ARG_SRC, data}, {DNNL_ARG_DST, data}, {DNNL_ARG_MEAN, channel}, {DNNL_ARG_VARIANCE, channel},
            {DNNL_ARG_SCALE, channel}, {DNNL_ARG_SHIFT, channel}});
    return b;
  }
  // oneDNN 2.6 has no data-only backward with a scale, so the full backward runs: its scale/shift
  // gradients go to scratch memories (batch_norm_scale_shift_grad gives those), and it wants a
  // shift argument it does not read, bound to scratch too.
  Flags flags = scale_shift | (pass == Pass::BackwardDataGlobal ? Flags::use_global_stats : Flags::none);
  dnnl::batch_normalization_backward::desc desc(dnnl::prop_kind::backward, data, data, epsilon, flags);
  dnnl::batch_normalization_backward::primitive_desc pd(desc, onednn::engine(), forward_pd(g, epsilon, flags));
  b.primitive = dnnl::batch_normalization_backward(pd);
  b.bind({{DNNL_ARG_SRC, data}, {DNNL_ARG_DIFF_DST, data}, {DNNL_ARG_DIFF_SRC, data}, {DNNL_ARG_MEAN, channel},
          {DNNL_ARG_VARIANCE, channel}, {DNNL_ARG_SCALE, channel}});
  b.own(DNNL_ARG_DIFF_SCALE, channel);
  b.own(DNNL_ARG_DIFF_SHIFT, channel);
  b.own(DNNL_ARG_SHIFT, channel);
  return b;
}

onednn::BoundPrimitive& primitive(const NormGeometry& g, float epsilon, Pass pass) {
  using Key = std::tuple<int64_t, int64_t, int64_t, uint32_t, int>;
  thread_local std::map<Key, onednn::BoundPrimitive> cache;
  Key key{g.n, g.c, g.s, std::bit_cast<uint32_t>(epsilon), static_cast<int>(pass)};
  auto it = cache.find(key);
  if (it == cache.end()) it = cache.emplace(key, make(g, epsilon, pass)).first;
  return it->second;
}

// Calls f(channel, plane) for every n×s plane of x's channels, channel-major within each sample.
template <class F>
void for_each_plane(const NormGeometry& g, F&& f) {
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t c = 0; c < g.c; ++c) f(c, (n * g.c + c) * g.s);
}

}  // namespace

void batch_norm_stats(const NormGeometry& g, const float* x, float* mean_var) {
  std::vector<double> sum(static_cast<size_t>(g.c), 0.0), squares(static_cast<size_t>(g.c), 0.0);
  for_each_plane(g, [&](int64_t c, int64_t at) {
    double s = 0;
    for (int64_t i = 0; i < g.s; ++i) s += x[at + i];
    sum[c] += s;
  });
  const double count = static_cast<double>(g.n * g.s);
  for (int64_t c = 0; c < g.c; ++c) sum[c] /= count;
  for_each_plane(g, [&](int64_t c, int64_t at) {  // about the mean: no cancellation
    double s = 0, m = sum[c];
    for (int64_t i = 0; i < g.s; ++i) s += (x[at + i] - m) * (x[at + i] - m);
    squares[c] += s;
  });
  for (int64_t c = 0; c < g.c; ++c) {
    mean_var[c] = static_cast<float>(sum[c]);
    mean_var[g.c + c] = static_cast<float>(squares[c] / count);
  }
}

void batch_norm_forward(const NormGeometry& g, const float* x, const float* gamma, const float* beta, const float* mean,
                        const float* var, float epsilon, float* y) {
  primitive(g, epsilon, Pass::Forward)
      .execute({{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}, {DNNL_ARG_MEAN, mean}, {DNNL_ARG_VARIANCE, var},
                {DNNL_ARG_SCALE, gamma}, {DNNL_ARG_SHIFT, beta}});
}

void batch_norm_backward_data(const NormGeometry& g, const float* dy, const float* x, const float* gamma,
                              const float* mean, const float* var, float epsilon, bool batch_stats, float* dx) {
  primitive(g, epsilon, batch_stats ? Pass::BackwardData : Pass::BackwardDataGlobal)
      .execute({{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_SRC, dx}, {DNNL_ARG_MEAN, mean},
                {DNNL_ARG_VARIANCE, var}, {DNNL_ARG_SCALE, gamma}});
}

void batch_norm_scale_shift_grad(const NormGeometry& g, const float* dy, const float* x, const float* mean,
                                 const float* var, float epsilon, float* grads) {
  std::vector<double> dgamma(static_cast<size_t>(g.c), 0.0), dbeta(static_cast<size_t>(g.c), 0.0);
  for_each_plane(g, [&](int64_t c, int64_t at) {
    double sx = 0, s = 0;
    for (int64_t i = 0; i < g.s; ++i) {
      sx += static_cast<double>(dy[at + i]) * (x[at + i] - mean[c]);
      s += dy[at + i];
    }
    dgamma[c] += sx;
    dbeta[c] += s;
  });
  for (int64_t c = 0; c < g.c; ++c) {
    grads[c] = static_cast<float>(dgamma[c] / std::sqrt(static_cast<double>(var[c]) + epsilon));
    grads[g.c + c] = static_cast<float>(dbeta[c]);
  }
}

}  // namespace kiln::kernels
