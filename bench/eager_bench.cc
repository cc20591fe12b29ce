// Eager per-op overhead and the seed MLP per call: the cost that hybridize() removes.
#include <benchmark/benchmark.h>

#include "examples/seed_models.h"

namespace kiln {
namespace {

void BM_EagerRelu_2x20(benchmark::State& state) {
  NDArray x = nd::random::uniform(-1, 1, {2, 20});
  for (auto _ : state) benchmark::DoNotOptimize(nd::relu(x).data());
}
BENCHMARK(BM_EagerRelu_2x20);

void BM_EagerDot_2x20_20x256(benchmark::State& state) {
  NDArray a = nd::random::uniform({2, 20}), b = nd::random::uniform({20, 256});
  for (auto _ : state) benchmark::DoNotOptimize(nd::dot(a, b).data());
}
BENCHMARK(BM_EagerDot_2x20_20x256);

void BM_EagerAddScalar_2x20(benchmark::State& state) {
  NDArray x = nd::random::uniform({2, 20});
  for (auto _ : state) benchmark::DoNotOptimize((x + 1.f).data());
}
BENCHMARK(BM_EagerAddScalar_2x20);

// The seed chapter's Sequential: 2x20 -> Dense(256, relu) -> Dense(10).
void BM_EagerSeedMLP(benchmark::State& state) {
  nd::random::seed(0);
  auto net = seed::make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20});
  (*net)(x);  // completes deferred initialisation outside the timing
  for (auto _ : state) benchmark::DoNotOptimize((*net)(x).data());
}
BENCHMARK(BM_EagerSeedMLP);

void BM_EagerSeedMLPWithBackward(benchmark::State& state) {
  nd::random::seed(0);
  auto net = seed::make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20});
  (*net)(x);
  for (auto _ : state) {
    NDArray loss;
    {
      auto rec = autograd::record();
      loss = (*net)(x).sum();
    }
    loss.backward();
  }
}
BENCHMARK(BM_EagerSeedMLPWithBackward);

}  // namespace
}  // namespace kiln
