// Where kiln's direct convolutions (runtime/kernels/direct_convolution.h) beat oneDNN: each pass
// of each geometry through both. kernels::direct::runs_direct is set from this table
// (docs/performance.md).
#include <benchmark/benchmark.h>

#include "runtime/array.h"
#include "runtime/kernels/convolution.h"
#include "runtime/kernels/direct_convolution.h"
#include "runtime/random.h"

namespace kiln {
namespace {

enum Pass { kForward, kBackwardData, kBackwardWeights };

// {n, c, h, w, o, k, pad}: LeNet's two convolutions at batch 256, then wider channel counts.
kernels::ConvGeometry geometry(const benchmark::State& s) {
  int64_t n = s.range(0), c = s.range(1), h = s.range(2), w = s.range(3), o = s.range(4), k = s.range(5), pad = s.range(6);
  return {n, c, h, w, o, k, k, h + 2 * pad - k + 1, w + 2 * pad - k + 1, 1, 1, pad, pad, 1, 1, 1};
}

template <bool Direct, Pass P>
void BM_Conv(benchmark::State& state) {
  kernels::ConvGeometry g = geometry(state);
  Array x({g.n, g.c, g.h, g.w}), w({g.o, g.c, g.kh, g.kw}), b({g.o}), y({g.n, g.o, g.oh, g.ow});
  for (Array* a : {&x, &w, &b, &y}) random::fill_uniform(*a, -1, 1);
  for (auto _ : state) {
    if (P == kForward) {
      if (Direct) kernels::direct::forward(g, x.data(), w.data(), b.data(), y.data());
      else kernels::conv2d_forward_onednn(g, x.data(), w.data(), b.data(), y.data());
    } else if (P == kBackwardData) {
      if (Direct) kernels::direct::backward_data(g, y.data(), w.data(), x.data());
      else kernels::conv2d_backward_data_onednn(g, y.data(), w.data(), x.data());
    } else {
      if (Direct) kernels::direct::backward_weights(g, y.data(), x.data(), w.data());
      else kernels::conv2d_backward_weights_onednn(g, y.data(), x.data(), w.data());
    }
    benchmark::ClobberMemory();
  }
  double madds = static_cast<double>(g.n * g.o * g.oh * g.ow * g.c * g.kh * g.kw);
  state.counters["GFLOPs"] = benchmark::Counter(2 * madds, benchmark::Counter::kIsIterationInvariantRate);
}

void Geometries(benchmark::internal::Benchmark* b) {
  for (auto s : std::vector<std::vector<int64_t>>{{256, 1, 28, 28, 6, 5, 0}, {256, 6, 12, 12, 16, 5, 0},
                                                  {256, 1, 28, 28, 6, 5, 2}, {32, 3, 32, 32, 8, 3, 1},
                                                  {32, 8, 32, 32, 8, 3, 1}, {32, 8, 16, 16, 24, 3, 1},
                                                  {32, 16, 16, 16, 12, 3, 1}})
    b->Args(s);
  b->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_Conv<true, kForward>)->Name("direct_forward")->Apply(Geometries);
BENCHMARK(BM_Conv<false, kForward>)->Name("onednn_forward")->Apply(Geometries);
BENCHMARK(BM_Conv<true, kBackwardData>)->Name("direct_backward_data")->Apply(Geometries);
BENCHMARK(BM_Conv<false, kBackwardData>)->Name("onednn_backward_data")->Apply(Geometries);
BENCHMARK(BM_Conv<true, kBackwardWeights>)->Name("direct_backward_weights")->Apply(Geometries);
BENCHMARK(BM_Conv<false, kBackwardWeights>)->Name("onednn_backward_weights")->Apply(Geometries);

}  // namespace
}  // namespace kiln
