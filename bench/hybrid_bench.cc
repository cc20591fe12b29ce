// The seed MLP (2x20 -> Dense(256, relu) -> Dense(10)) eager vs hybridized, per call, and the
// first hybridized call (trace + compile).
#include <benchmark/benchmark.h>

#include <chrono>

#include "examples/seed_models.h"

namespace kiln {
namespace {

std::shared_ptr<nn::Sequential> seed_mlp(NDArray& x) {
  nd::random::seed(0);
  auto net = seed::make_sequential_mlp();
  net->initialize();
  x = nd::random::uniform({2, 20});
  (*net)(x);  // completes deferred initialisation
  return net;
}

void BM_SeedMLP_Eager(benchmark::State& state) {
  NDArray x;
  auto net = seed_mlp(x);
  for (auto _ : state) benchmark::DoNotOptimize((*net)(x).data());
}
BENCHMARK(BM_SeedMLP_Eager);

void BM_SeedMLP_Hybridized(benchmark::State& state) {
  NDArray x;
  auto net = seed_mlp(x);
  net->hybridize();
  (*net)(x);  // trace + compile
  for (auto _ : state) benchmark::DoNotOptimize((*net)(x).data());
  state.counters["compiles"] = static_cast<double>(net->compile_count());
}
BENCHMARK(BM_SeedMLP_Hybridized);

// Each iteration builds a fresh block and times its first hybridized call.
void BM_SeedMLP_FirstHybridizedCall(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    NDArray x;
    auto net = seed_mlp(x);
    net->hybridize();
    state.ResumeTiming();
    benchmark::DoNotOptimize((*net)(x).data());
  }
}
BENCHMARK(BM_SeedMLP_FirstHybridizedCall)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace kiln
