// Compiled backward: a hybridized block called under autograd::record() runs its compiled
// forward, records one tape node, and backward() runs a compiled gradient graph. Its gradients
// equal the eager ones (rtol 1e-4, atol 1e-5) for the seed chapter's networks, through every
// GradReq, inside eager graphs, through autograd::grad and across training steps.
#include "bench/training_workloads.h"
#include "bench/workloads.h"
#include "examples/seed_models.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::expect_close;
using namespace kiln::seed;

constexpr float kAtol = 1e-5f, kRtol = 1e-4f;

// d(sum(net(x) · w))/d(every parameter, and x): the gradients a recorded call gives.
std::vector<NDArray> gradients(nn::Block& net, const NDArray& x, const NDArray& w) {
  net.collect_params().zero_grad();  // a gradient left by an earlier call must not pass for this one's
  NDArray input = x.copy();
  input.attach_grad();
  NDArray loss;
  {
    auto rec = autograd::record();
    loss = nd::sum(net(input) * w);
  }
  loss.backward();
  std::vector<NDArray> g{input.grad().copy()};
  for (const auto& [name, p] : net.collect_params())
    if (p->grad_req() != GradReq::Null) g.push_back(p->grad().copy());
  return g;
}

// Hybridized gradients, traced then compiled, equal the eager ones (within atol + rtol·|eager|).
void expect_compiled_gradients_match(nn::Block& net, Shape input_shape, float atol = kAtol, float rtol = kRtol) {
  NDArray x = nd::random::uniform(-1, 1, input_shape);
  NDArray w = nd::random::uniform(0.5f, 1.5f, net(x).shape());
  std::vector<NDArray> eager = gradients(net, x, w);
  net.hybridize();
  std::vector<NDArray> traced = gradients(net, x, w);
  std::vector<NDArray> compiled = gradients(net, x, w);
  ASSERT_EQ(compiled.size(), eager.size());
  for (size_t i = 0; i < eager.size(); ++i) {
    SCOPED_TRACE(i == 0 ? std::string("input") : "parameter " + std::to_string(i - 1));
    expect_close(traced[i], eager[i], atol, rtol);
    expect_close(compiled[i], eager[i], atol, rtol);
  }
  nn::HybridStats stats = net.hybrid_stats();
  EXPECT_EQ(stats.recorded, 2u);
  EXPECT_EQ(stats.compiled, 1u) << "the second recorded call ran compiled";
}

class CompiledBackward : public ::testing::Test {
 protected:
  void SetUp() override { nd::random::seed(7); }
};

TEST_F(CompiledBackward, SeedChapterNetsMatchEagerGradients) {
  {
    SCOPED_TRACE("sequential mlp");
    auto net = make_sequential_mlp();
    net->initialize();
    expect_compiled_gradients_match(*net, {2, 20});
  }
  {
    SCOPED_TRACE("MLP");
    MLP net;
    net.initialize();
    expect_compiled_gradients_match(net, {3, 20});
  }
  {
    SCOPED_TRACE("NestMLP");
    NestMLP net;
    net.initialize();
    expect_compiled_gradients_match(net, {2, 20});
  }
  {
    SCOPED_TRACE("chimera");
    auto net = make_chimera();
    net->initialize();
    expect_compiled_gradients_match(*net, {2, 20});
  }
  {
    SCOPED_TRACE("FancyMLP");
    FancyMLP net;
    net.initialize();
    expect_compiled_gradients_match(net, {2, 20});
  }
}

TEST_F(CompiledBackward, EveryWorkloadMatchesEagerGradients) {
  for (const workloads::Workload& w : workloads::all()) {
    SCOPED_TRACE(w.name);
    workloads::Instance instance = workloads::instantiate(w, 5);
    // ResNet-18's gradients pass 20 convolutions and BatchNorms in training mode, each of which
    // divides by the batch's deviation: summation-order differences (fused loops against eager
    // ones) grow to ~5e-4 of a value at the stem.
    bool deep = w.name.starts_with("resnet18");
    expect_compiled_gradients_match(*instance.net, w.input_shape, deep ? 1e-4f : kAtol, deep ? 2e-3f : kRtol);
  }
}

// Random nets: depth, widths and activations drawn from the seed.
TEST_F(CompiledBackward, RandomNetsMatchEagerGradients) {
  const char* activations[] = {"relu", "sigmoid", "tanh", "softrelu", "softsign", ""};
  for (int trial = 0; trial < 6; ++trial) {
    SCOPED_TRACE(trial);
    nd::random::seed(100 + trial);
    std::vector<float> draws = nd::random::uniform({8}).to_vector();
    nn::Sequential net;
    int depth = 1 + static_cast<int>(draws[0] * 4);
    for (int i = 0; i < depth; ++i)
      net.add(nn::Dense(1 + static_cast<int64_t>(draws[1 + i] * 40), activations[static_cast<int>(draws[5 + i % 3] * 6) % 6]));
    net.initialize(init::Normal(0.5f));
    expect_compiled_gradients_match(net, {1 + static_cast<int64_t>(draws[7] * 5), 7});
  }
}

// The training workloads (net and loss hybridized, hand-written SGD): the loss curve of 20
// steps is the eager one.
TEST_F(CompiledBackward, TrainingWorkloadsFollowTheEagerLossCurve) {
  for (const workloads::TrainingWorkload& w : workloads::training_all()) {
    SCOPED_TRACE(w.name);
    workloads::TrainingRun eager(w, workloads::StepKind::Eager), hybrid(w, workloads::StepKind::Hybridized),
        compiled(w, workloads::StepKind::Compiled);
    for (int step = 0; step < 20; ++step) {
      float e = eager.step(true), h = hybrid.step(true), c = compiled.step(true);
      ASSERT_NEAR(h, e, 1e-5f + 1e-4f * std::fabs(e)) << "hybridized, step " << step;
      ASSERT_NEAR(c, e, 1e-5f + 1e-4f * std::fabs(e)) << "compiled step, step " << step;
    }
    EXPECT_TRUE(compiled.compiled_step()->last_call_compiled());
    EXPECT_EQ(hybrid.net().hybrid_stats().compiled, 19u);
    EXPECT_EQ(hybrid.loss().hybrid_stats().compiled, 19u);
  }
}

TEST_F(CompiledBackward, TrainingAndPredictGraphsAreSeparateAndBothCached) {
  auto net = make_sequential_mlp();
  net->initialize();
  net->hybridize();
  NDArray x = nd::random::uniform({2, 20});
  for (int i = 0; i < 3; ++i) {
    (*net)(x);
    auto rec = autograd::record();
    (*net)(x);
  }
  EXPECT_EQ(net->compile_count(), 2u);
  EXPECT_EQ(net->hybrid_stats().compiled, 4u);
  EXPECT_EQ(net->hybrid_stats().recorded, 3u);
}

TEST_F(CompiledBackward, HonoursEveryGradReq) {
  auto net = make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20});
  net->hybridize();
  ParameterDict params = net->collect_params();
  params["0.bias"].set_grad_req(GradReq::Null);
  params["1.weight"].set_grad_req(GradReq::Add);
  auto step = [&] {
    NDArray loss;
    {
      auto rec = autograd::record();
      loss = (*net)(x).sum();
    }
    loss.backward();
  };
  step();
  NDArray once = params["1.weight"].grad().copy();
  step();
  expect_close(params["1.weight"].grad(), once * 2.f, kAtol, kRtol);
  EXPECT_EQ(net->hybrid_stats().compiled, 1u);
  // A parameter that starts to require a gradient is a new signature, not a missing gradient.
  params["0.bias"].set_grad_req(GradReq::Write);
  step();
  NDArray compiled_bias = params["0.bias"].grad().copy();
  net->hybridize(false);
  step();
  expect_close(compiled_bias, params["0.bias"].grad(), kAtol, kRtol);
}

// Gradients flow on into the eager graph around a compiled call, and out of it.
TEST_F(CompiledBackward, GradientsFlowThroughEnclosingEagerGraphs) {
  auto net = make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20});
  NDArray a = nd::random::uniform({2, 20});
  auto run = [&] {
    net->collect_params().zero_grad();
    NDArray xa = x.copy();
    xa.attach_grad();
    NDArray loss;
    {
      auto rec = autograd::record();
      NDArray h = nd::tanh(xa * a);      // eager, before
      loss = nd::sum(nd::square((*net)(h)));  // eager, after
    }
    loss.backward();
    return std::vector<NDArray>{xa.grad().copy(), net->collect_params()["0.weight"].grad().copy()};
  };
  auto eager = run();
  net->hybridize();
  run();
  auto compiled = run();
  EXPECT_EQ(net->hybrid_stats().compiled, 1u);
  for (size_t i = 0; i < eager.size(); ++i) expect_close(compiled[i], eager[i], kAtol, kRtol);
}

TEST_F(CompiledBackward, AutogradGradReturnsCompiledGradients) {
  MLP net;
  net.initialize();
  NDArray x = nd::random::uniform({4, 20});
  auto grad_of_input = [&] {
    NDArray input = x.copy();
    input.attach_grad();
    NDArray out;
    {
      auto rec = autograd::record();
      out = nd::sum(net(input));
    }
    return autograd::grad({out}, {input}).front();
  };
  NDArray eager = grad_of_input();
  net.hybridize();
  grad_of_input();
  expect_close(grad_of_input(), eager, kAtol, kRtol);
  EXPECT_EQ(net.hybrid_stats().compiled, 1u);
}

// A block with several inputs and outputs: each output's gradient reaches every input.
class TwoInTwoOut : public nn::Block {
 public:
  nn::Child<nn::Dense> dense = register_block("dense", nn::Dense(5, "tanh"));

 protected:
  std::vector<NDArray> forward_multi(const std::vector<NDArray>& xs) override {
    NDArray h = dense(xs[0] * xs[1]);
    return {h, nd::sum(h, 1) * nd::sum(xs[1], 1)};
  }
};

TEST_F(CompiledBackward, SeveralInputsAndOutputs) {
  TwoInTwoOut net;
  net.initialize();
  NDArray a = nd::random::uniform({3, 4}), b = nd::random::uniform({3, 4});
  NDArray w = nd::random::uniform({3, 5});
  auto run = [&] {
    net.collect_params().zero_grad();
    NDArray ga = a.copy(), gb = b.copy();
    ga.attach_grad();
    gb.attach_grad();
    NDArray loss;
    {
      auto rec = autograd::record();
      std::vector<NDArray> outs = net({ga, gb});
      loss = nd::sum(outs[0] * w) + nd::sum(nd::square(outs[1]));
    }
    loss.backward();
    return std::vector<NDArray>{ga.grad().copy(), gb.grad().copy(), net.dense->params()["weight"].grad().copy()};
  };
  auto eager = run();
  net.hybridize();
  run();
  auto compiled = run();
  EXPECT_EQ(net.hybrid_stats().compiled, 1u);
  for (size_t i = 0; i < eager.size(); ++i) expect_close(compiled[i], eager[i], kAtol, kRtol);
}

// Twenty SGD steps written by hand: the same loss curve and parameters eagerly and hybridized.
TEST_F(CompiledBackward, TwentySgdStepsGiveTheEagerLossCurve) {
  auto train = [](bool hybridize) {
    nd::random::seed(3);
    auto net = make_sequential_mlp();
    net->initialize();
    NDArray x = nd::random::uniform({8, 20}), y = nd::random::uniform({8, 10});
    if (hybridize) net->hybridize();
    std::vector<float> losses;
    for (int step = 0; step < 20; ++step) {
      NDArray loss;
      {
        auto rec = autograd::record();
        loss = nd::mean(nd::square((*net)(x) - y));
      }
      loss.backward();
      losses.push_back(loss.asscalar());
      for (const auto& [name, p] : net->collect_params()) p->set_data(p->data() - p->grad() * 0.1f);
    }
    return std::make_pair(losses, net->hybrid_stats().compiled);
  };
  auto [eager, eager_compiled] = train(false);
  auto [hybrid, compiled] = train(true);
  EXPECT_EQ(compiled, 19u);
  for (size_t i = 0; i < eager.size(); ++i) EXPECT_NEAR(hybrid[i], eager[i], 1e-5f + 1e-4f * std::fabs(eager[i])) << i;
  EXPECT_LT(eager.back(), eager.front());
}

// FancyMLP's while loop runs a different number of times for differently scaled inputs: each
// count is another path of the recorded signature. Whatever runs (compiled for the first path,
// eagerly for the others), the gradients are the eager ones.
TEST_F(CompiledBackward, HostReadLoopsGiveEagerGradientsOnEveryPath) {
  FancyMLP net, reference;
  net.initialize();
  reference.initialize();
  net(nd::ones({2, 20}));  // completes the deferred shapes
  reference(nd::ones({2, 20}));
  ParameterDict from = net.collect_params(), to = reference.collect_params();
  for (const auto& [name, p] : from) to[name].set_data(p->data());
  net.hybridize();
  for (float scale : {1.f, 30.f, 1.f, 900.f, 30.f}) {
    SCOPED_TRACE(scale);
    NDArray x = nd::random::uniform(-1, 1, {2, 20}) * scale;
    NDArray w = nd::random::uniform(0.5f, 1.5f, {1});
    std::vector<NDArray> eager = gradients(reference, x, w);
    for (int repeat = 0; repeat < 2; ++repeat) {
      std::vector<NDArray> hybrid = gradients(net, x, w);
      for (size_t i = 0; i < eager.size(); ++i) expect_close(hybrid[i], eager[i], kAtol, kRtol);
    }
  }
  EXPECT_GT(net.hybrid_stats().compiled, 0u);
}

// static_params bakes the parameters in: a recorded call runs eagerly, so they still get their
// gradients.
TEST_F(CompiledBackward, StaticParamsTrainEagerly) {
  auto net = make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20}), w = nd::random::uniform({2, 10});
  std::vector<NDArray> eager = gradients(*net, x, w);
  net->hybridize({.static_params = true});
  for (int i = 0; i < 2; ++i) {
    std::vector<NDArray> hybrid = gradients(*net, x, w);
    for (size_t k = 0; k < eager.size(); ++k) expect_close(hybrid[k], eager[k], kAtol, kRtol);
  }
}

// detach() stops gradients in the compiled backward as it does eagerly.
TEST_F(CompiledBackward, DetachStopsGradients) {
  class HalfDetached : public nn::Block {
   public:
    nn::Child<nn::Dense> a = register_block("a", nn::Dense(4));
    nn::Child<nn::Dense> b = register_block("b", nn::Dense(4));

   protected:
    NDArray forward(const NDArray& x) override { return b(a(x).detach()) + a(x); }
  };
  HalfDetached net;
  net.initialize();
  expect_compiled_gradients_match(net, {2, 3});
}

}  // namespace
}  // namespace kiln
