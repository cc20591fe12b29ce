// One optimizer update of one weight, compiled (in place, one fused pass) and eagerly (a chain
// of nd:: ops): the per-parameter cost a Trainer step pays.
#include <benchmark/benchmark.h>

#include "frontend/kiln.h"

namespace kiln {
namespace {

void update(benchmark::State& state, const char* name, Shape shape, bool compiled) {
  auto opt = optimizer::create(name, {{"learning_rate", 0.01f}});
  opt->set_compile(compiled);
  NDArray w = nd::random::uniform(shape), g = nd::random::uniform(shape);
  std::vector<NDArray> states;
  for (size_t i = 0; i < opt->num_states(); ++i) states.push_back(nd::zeros(shape));
  int64_t t = 0;
  opt->update(w, g, states, ++t);  // compiles outside the timing
  for (auto _ : state) opt->update(w, g, states, ++t);
}

void BM_SgdCompiled_10(benchmark::State& s) { update(s, "sgd", {10}, true); }
void BM_SgdEager_10(benchmark::State& s) { update(s, "sgd", {10}, false); }
void BM_SgdCompiled_256x784(benchmark::State& s) { update(s, "sgd", {256, 784}, true); }
void BM_SgdEager_256x784(benchmark::State& s) { update(s, "sgd", {256, 784}, false); }
void BM_AdamCompiled_256x784(benchmark::State& s) { update(s, "adam", {256, 784}, true); }
void BM_AdamEager_256x784(benchmark::State& s) { update(s, "adam", {256, 784}, false); }
BENCHMARK(BM_SgdCompiled_10);
BENCHMARK(BM_SgdEager_10);
BENCHMARK(BM_SgdCompiled_256x784);
BENCHMARK(BM_SgdEager_256x784);
BENCHMARK(BM_AdamCompiled_256x784);
BENCHMARK(BM_AdamEager_256x784);

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

// A Trainer step over the seed MLP's four parameters, against the same SGD written by hand
// (two eager ops a parameter); the backward before each is the same in both.
struct SeedStep {
  SeedStep() {
    nd::random::seed(0);
    net.add(nn::Dense(256, "relu"));
    net.add(nn::Dense(10));
    net.initialize();
    NDArray x = nd::random::uniform({2, 20});
    auto rec = autograd::record();
    loss = nd::sum(net(x));
  }
  nn::Sequential net;
  NDArray loss;
};

void BM_TrainerStep_SeedMLP(benchmark::State& state) {
  SeedStep s;
  gluon::Trainer trainer(s.net.collect_params(), "sgd", {{"learning_rate", 0.1f}});
  for (auto _ : state) {
    s.loss.backward();
    trainer.step(2);
  }
}
void BM_HandWrittenSgd_SeedMLP(benchmark::State& state) {
  SeedStep s;
  for (auto _ : state) {
    s.loss.backward();
    for (const auto& [name, p] : s.net.collect_params()) {
      NDArray w = p->data();
      w -= p->grad() * 0.05f;
    }
  }
}
void BM_BackwardOnly_SeedMLP(benchmark::State& state) {
  SeedStep s;
  for (auto _ : state) s.loss.backward();
}
BENCHMARK(BM_TrainerStep_SeedMLP);
BENCHMARK(BM_HandWrittenSgd_SeedMLP);
BENCHMARK(BM_BackwardOnly_SeedMLP);

}  // namespace
}  // namespace kiln
