// One hybridized Dense layer (bias, relu) per shape: where the generated kernels stop paying and
// oneDNN should take over. Run twice and compare, 1 thread:
//   OMP_NUM_THREADS=1 build/bin/dense_shapes_bench                                   # default split
//   OMP_NUM_THREADS=1 KILN_ONEDNN_MULTIPLY_ADDS=1 build/bin/dense_shapes_bench       # all oneDNN
//   OMP_NUM_THREADS=1 KILN_ONEDNN_MULTIPLY_ADDS=1e18 build/bin/dense_shapes_bench    # all generated
#include <benchmark/benchmark.h>

#include "frontend/kiln.h"

namespace kiln {
namespace {

// args: batch, in features, units
void BM_HybridizedDense(benchmark::State& state) {
  nd::random::seed(0);
  nn::Dense dense(state.range(2), "relu");
  dense.initialize();
  NDArray x = nd::random::uniform({state.range(0), state.range(1)});
  dense.hybridize();
  dense(x);
  for (auto _ : state) benchmark::DoNotOptimize(dense(x).data());
  state.counters["madds"] = static_cast<double>(state.range(0) * state.range(1) * state.range(2));
}
BENCHMARK(BM_HybridizedDense)
    ->Args({2, 20, 256})
    ->Args({1, 64, 64})
    ->Args({32, 64, 64})
    ->Args({64, 128, 128})
    ->Args({128, 128, 128})
    ->Args({64, 256, 256})
    ->Args({128, 256, 256})
    ->Args({256, 256, 256})
    ->Args({16, 784, 256})  // mlp_train_b16's first layer
    ->Args({256, 784, 1024})
    ->Args({8, 16384, 10})  // conv_block's Dense, after the flattened pool
    ->Args({64, 4096, 10})   // narrow products (fewer than passes::kNarrowProduct units) with more rows
    ->Args({256, 1024, 10})
    ->Args({256, 16384, 10})
    ->Args({32, 16384, 4});

}  // namespace
}  // namespace kiln
