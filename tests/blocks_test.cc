// Blocks: naming, Sequential, deferred initialisation, parameter sharing, constants,
// collect_params, initialisers.
#include <thread>

#include "test_util.h"

namespace kiln {
namespace {

using testing::expect_close;
using testing::expect_values;

class TwoLayer : public nn::Block {
 public:
  nn::Child<nn::Dense> hidden = register_block("hidden", nn::Dense(4, "relu"));
  nn::Child<nn::Dense> output = register_block("output", nn::Dense(2));

 protected:
  NDArray forward(const NDArray& x) override { return output(hidden(x)); }
};

TEST(Blocks, ParametersHaveHierarchicalNames) {
  nn::Sequential outer;
  outer.add(TwoLayer(), nn::Dense(3));
  EXPECT_EQ(outer.collect_params().names(),
            (std::vector<std::string>{"0.hidden.weight", "0.hidden.bias", "0.output.weight", "0.output.bias",
                                      "1.weight", "1.bias"}));
  EXPECT_EQ(outer[0].collect_params().names()[0], "hidden.weight");
  EXPECT_EQ(outer.collect_params()["0.hidden.weight"].name(), "0.hidden.weight");
  EXPECT_EQ(outer[1].path(), "1");
  EXPECT_EQ(outer[0].type_name(), "TwoLayer");
}

TEST(Blocks, CollectParamsSelectsByRegex) {
  TwoLayer net;
  EXPECT_EQ(net.collect_params(".*weight").names(), (std::vector<std::string>{"hidden.weight", "output.weight"}));
  EXPECT_EQ(net.collect_params("hidden\\..*|.*bias").size(), 3u);
  EXPECT_THROW(net.collect_params("("), ValueError);
}

TEST(Blocks, SequentialRunsChildrenInOrder) {
  nn::Sequential net;
  net.add(nn::Dense(3, "", true, 2));
  net.add(nn::Activation("relu"));
  EXPECT_EQ(net.size(), 2u);
  net.initialize(init::Constant(1.f));
  // Dense: x·1ᵀ + 0 (bias keeps its own zero initialiser), then relu.
  NDArray y = net(nd::array({1, 2, -5, 1}, {2, 2}));
  expect_values(y, {3, 3, 3, 0, 0, 0});
  EXPECT_THROW(net[2], ValueError);
}

TEST(Blocks, DenseDefersShapeUntilTheFirstInput) {
  nn::Dense dense(5);
  dense.initialize();
  EXPECT_FALSE(dense.weight->is_initialized());
  EXPECT_EQ(dense.weight->shape(), (Shape{5, 0}));
  EXPECT_TRUE(dense.bias->is_initialized());
  NDArray y = dense(nd::ones({3, 7}));
  EXPECT_EQ(y.shape(), (Shape{3, 5}));
  EXPECT_EQ(dense.weight->shape(), (Shape{5, 7}));
  EXPECT_TRUE(dense.weight->is_initialized());
  EXPECT_THROW(dense(nd::ones({3, 8})), ShapeError);
}

// Deferred initialisation under concurrent first calls: the weights are drawn once, and every
// thread computes with them.
TEST(Blocks, ConcurrentFirstEagerCallsDrawTheWeightsOnce) {
  for (int round = 0; round < 20; ++round) {
    nn::Sequential net;
    net.add(nn::Dense(64, "relu"), nn::Dense(10));
    net.initialize();
    NDArray x = nd::random::uniform({4, 20});
    std::vector<NDArray> outputs(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) threads.emplace_back([&, t] { outputs[t] = net(x); });
    for (auto& t : threads) t.join();
    NDArray again = net(x);
    for (const NDArray& out : outputs) testing::expect_close(out, again, 0.f, 0.f);
  }
}

TEST(Blocks, DenseFlattensInputsOfMoreThanTwoAxes) {
  nn::Dense dense(2);
  dense.initialize(init::One());
  NDArray y = dense(nd::ones({2, 3, 4}));
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  expect_values(y, {12, 12, 12, 12});
}

TEST(Blocks, DenseMatchesItsFormula) {
  nn::Dense dense(3, "sigmoid", true, 4);
  dense.initialize(init::Normal(0.5f));
  NDArray x = nd::random::uniform({2, 4});
  NDArray expected = nd::sigmoid(nd::dot(x, dense.weight->data().T()) + dense.bias->data());
  expect_close(dense(x), expected);
  nn::Dense no_bias(3, "", false, 4);
  EXPECT_EQ(no_bias.bias, nullptr);
  EXPECT_EQ(no_bias.collect_params().size(), 1u);
}

// FancyMLP's pattern: one Dense used twice accumulates the gradients of both uses.
TEST(Blocks, SharedLayerAccumulatesBothGradients) {
  nd::random::seed(3);
  nn::Dense shared(4, "tanh", true, 4);
  shared.initialize(init::Normal(0.5f));
  NDArray x = nd::random::uniform({2, 4});
  NDArray loss;
  {
    auto rec = autograd::record();
    loss = shared(shared(x)).sum();
  }
  loss.backward();
  NDArray grad_twice = shared.weight->grad().copy();

  // The same function with two independent copies of the weights: the shared gradient is their sum.
  nn::Dense first(4, "tanh", true, 4), second(4, "tanh", true, 4);
  first.initialize();
  second.initialize();
  for (nn::Dense* d : {&first, &second}) {
    d->weight->set_data(shared.weight->data());
    d->bias->set_data(shared.bias->data());
  }
  {
    auto rec = autograd::record();
    loss = second(first(x)).sum();
  }
  loss.backward();
  expect_close(grad_twice, first.weight->grad() + second.weight->grad());
}

TEST(Blocks, ConstantsNeverGetAGradient) {
  class Scaled : public nn::Block {
   public:
    std::shared_ptr<Parameter> c = params().get_constant("c", nd::array({2, 3}));
    std::shared_ptr<Parameter> w = params().get("w", {2});

   protected:
    NDArray forward(const NDArray& x) override { return x * c->data() * w->data(); }
  } block;
  block.initialize(init::One());
  expect_values(block.c->data(), {2, 3});  // initialize() does not overwrite a constant
  NDArray y;
  {
    auto rec = autograd::record();
    y = block(nd::array({1, 1})).sum();
  }
  y.backward();
  expect_values(block.w->grad(), {2, 3});
  EXPECT_EQ(block.c->grad_req(), GradReq::Null);
  EXPECT_THROW_WITH(block.c->grad(), ValueError, "'c'", "no gradient");
  EXPECT_FALSE(autograd::requires_grad(block.c->data()));
}

TEST(Blocks, InitializeSkipsInitialisedParametersUnlessForced) {
  nn::Dense d(2, "", true, 2);
  d.initialize(init::Constant(1.f));
  d.initialize(init::Constant(5.f));
  expect_values(d.weight->data(), {1, 1, 1, 1});
  NDArray handle = d.weight->data();
  d.initialize(init::Constant(5.f), /*force_reinit=*/true);
  expect_values(handle, {5, 5, 5, 5});  // the same array, re-filled
}

TEST(Initializers, DefaultUniformXavierNormalConstant) {
  nd::random::seed(11);
  Parameter p("w", {64, 32});
  p.initialize(init::Uniform());
  for (float v : p.data().to_vector()) EXPECT_LE(std::fabs(v), 0.07f);
  EXPECT_GT(p.data().max().asscalar(), 0.06f);  // the whole range is used

  p.initialize(init::Xavier(), true);
  float bound = std::sqrt(3.f / ((64 + 32) / 2.f));
  for (float v : p.data().to_vector()) EXPECT_LE(std::fabs(v), bound);
  EXPECT_GT(p.data().max().asscalar(), 0.9f * bound);

  p.initialize(init::Normal(0.5f), true);
  NDArray d = p.data();
  EXPECT_NEAR(std::sqrt(nd::square(d).mean().asscalar()), 0.5f, 0.03f);

  p.initialize(init::Constant(0.25f), true);
  for (float v : p.data().to_vector()) EXPECT_EQ(v, 0.25f);
  EXPECT_THROW(init::Xavier("bad"), ValueError);
  Parameter b("b", {3});
  EXPECT_THROW(b.initialize(init::Xavier()), ValueError);
}

TEST(Parameters, SetDataAndGradReq) {
  Parameter p("w", {2});
  p.set_data(nd::array({1, 2}));  // initialises
  expect_values(p.data(), {1, 2});
  p.set_data(nd::array({3, 4}));
  expect_values(p.data(), {3, 4});
  EXPECT_THROW(p.set_data(nd::zeros({3})), ShapeError);
  p.set_grad_req(GradReq::Null);
  EXPECT_FALSE(autograd::requires_grad(p.data()));
}

TEST(Blocks, PrintsTheTree) {
  TwoLayer net;
  net.initialize();
  net(nd::ones({1, 3}));
  EXPECT_EQ(net.str(), "TwoLayer(\n  (hidden): Dense(3 -> 4, relu)\n  (output): Dense(4 -> 2, linear)\n)");
}

}  // namespace
}  // namespace kiln
