// Where oneDNN starts to beat the simple loops: both gemm implementations on square and
// MLP-like shapes. kernels::kOneDnnGemmThreshold (multiply-adds) is set from this table.
#include <benchmark/benchmark.h>

#include "runtime/array.h"
#include "runtime/kernels/gemm.h"
#include "runtime/random.h"

namespace kiln {
namespace {

template <bool UseOneDnn>
void BM_Gemm(benchmark::State& state) {
  int64_t m = state.range(0), n = state.range(1), k = state.range(2);
  bool trans_b = state.range(3);
  Array a({m, k}), b(trans_b ? Shape{n, k} : Shape{k, n}), bias({n}), c({m, n});
  random::fill_uniform(a, -1, 1);
  random::fill_uniform(b, -1, 1);
  random::fill_uniform(bias, -1, 1);
  kernels::GemmDims d{m, n, k, false, trans_b};
  for (auto _ : state) {
    if (UseOneDnn) kernels::gemm_onednn(d, a.data(), b.data(), bias.data(), c.data());
    else kernels::gemm_loops(d, a.data(), b.data(), bias.data(), c.data());
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["madds"] = static_cast<double>(m * n * k);
  state.counters["GFLOPs"] = benchmark::Counter(2.0 * m * n * k, benchmark::Counter::kIsIterationInvariantRate);
}

// {m, n, k, trans_b}: the seed MLP's layers (Dense is trans_b), then squares.
void Shapes(benchmark::internal::Benchmark* b) {
  for (auto s : std::vector<std::vector<int64_t>>{{2, 256, 20, 1}, {2, 10, 256, 1}, {1, 64, 64, 1}, {16, 16, 16, 0},
                                                  {32, 32, 32, 0}, {32, 32, 32, 1}, {48, 48, 48, 0}, {64, 64, 64, 0},
                                                  {64, 64, 64, 1}, {96, 96, 96, 0}, {128, 128, 128, 0},
                                                  {128, 128, 128, 1}, {256, 256, 256, 0}, {256, 1024, 784, 1}})
    b->Args(s);
}

BENCHMARK(BM_Gemm<false>)->Name("loops")->Apply(Shapes);
BENCHMARK(BM_Gemm<true>)->Name("onednn")->Apply(Shapes);

}  // namespace
}  // namespace kiln
