// BatchNorm and Dropout: the ops against their definitions, gradients against finite
// differences (eager, traced and compiled), running statistics written in place by compiled
// graphs and compiled training steps, and random draws inside compiled code.
#include <gtest/gtest.h>

#include <cmath>

#include "frontend/kiln.h"
#include "tests/test_util.h"

namespace kiln {
namespace {

using testing::check_gradients;
using testing::expect_close;
using Inputs = std::vector<NDArray>;

class Norm : public ::testing::Test {
 protected:
  void SetUp() override { nd::random::seed(5); }
};

// Each channel's mean and biased variance of n×c×s data, in double.
std::pair<std::vector<double>, std::vector<double>> channel_stats(const NDArray& x) {
  const Shape& s = x.shape();
  int64_t n = s[0], c = s[1], plane = x.size() / (n * c);
  std::vector<float> v = x.to_vector();
  std::vector<double> mean(c, 0.0), var(c, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t j = 0; j < plane; ++j) mean[k] += v[(i * c + k) * plane + j] / double(n * plane);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t j = 0; j < plane; ++j) {
        double d = v[(i * c + k) * plane + j] - mean[k];
        var[k] += d * d / double(n * plane);
      }
  return {mean, var};
}

// (x − mean) / √(var + eps) · gamma + beta by definition.
NDArray reference_norm(const NDArray& x, const NDArray& gamma, const NDArray& beta, const std::vector<double>& mean,
                       const std::vector<double>& var, double eps) {
  const Shape& s = x.shape();
  int64_t n = s[0], c = s[1], plane = x.size() / (n * c);
  std::vector<float> v = x.to_vector(), g = gamma.to_vector(), b = beta.to_vector(), out(v.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t j = 0; j < plane; ++j) {
        int64_t at = (i * c + k) * plane + j;
        out[at] = static_cast<float>((v[at] - mean[k]) / std::sqrt(var[k] + eps) * g[k] + b[k]);
      }
  return NDArray(Array::from_values(s, out));
}

std::vector<double> as_double(const NDArray& a) {
  std::vector<float> v = a.to_vector();
  return {v.begin(), v.end()};
}

// A net of `layers` (in order), Xavier-initialised on the first call.
template <class... Layers>
std::shared_ptr<nn::HybridSequential> net_of(Layers... layers) {
  auto net = std::make_shared<nn::HybridSequential>();
  (net->add(std::move(layers)), ...);
  net->initialize(init::Xavier());
  return net;
}

// Twins for eager-against-compiled checks: `b` gets `a`'s values after both have seen x.
void make_twins(nn::Block& a, nn::Block& b, const NDArray& x) {
  a(x);
  b(x);
  testing::copy_parameters(a, b);
}

TEST_F(Norm, OpsAreTheirDefinitions) {
  for (Shape shape : {Shape{4, 3}, Shape{2, 3, 5, 4}, Shape{3, 2, 7}}) {
    SCOPED_TRACE(shape_str(shape));
    NDArray x = nd::random::uniform(-2, 3, shape), gamma = nd::random::uniform(0.5f, 2, {shape[1]}),
            beta = nd::random::uniform(-1, 1, {shape[1]}), mean = nd::random::uniform(-1, 1, {shape[1]}),
            var = nd::random::uniform(0.5f, 2, {shape[1]});
    auto [m, v] = channel_stats(x);
    NDArray stats = nd::batch_norm_stats(x);
    EXPECT_EQ(stats.shape(), (Shape{2, shape[1]}));
    std::vector<float> s = stats.to_vector();
    for (int64_t k = 0; k < shape[1]; ++k) {
      EXPECT_NEAR(s[k], m[k], 1e-5);
      EXPECT_NEAR(s[shape[1] + k], v[k], 1e-5);
    }
    expect_close(nd::batch_norm(x, gamma, beta, mean, var, 1e-3f), reference_norm(x, gamma, beta, as_double(mean), as_double(var), 1e-3),
                 1e-5f, 1e-5f);
  }
}

TEST_F(Norm, GradientsMatchFiniteDifferences) {
  auto row = [](const NDArray& a, int64_t k) { return nd::reshape(nd::slice_axis(a, 0, k, k + 1), {a.shape()[1]}); };
  // With the batch's statistics (training): x's gradient runs through the mean and variance.
  auto batch = [&](const Inputs& in) {
    NDArray stats = nd::batch_norm_stats(in[0]);
    return nd::batch_norm(in[0], in[1], in[2], row(stats, 0), row(stats, 1), 1e-5f, true);
  };
  // Nonlinear in x: eps 4e-3 keeps the truncation error below fp32's rounding of the loss.
  check_gradients(batch, {nd::random::uniform(-1, 1, {4, 3, 3, 2}), nd::random::uniform(0.5f, 1.5f, {3}),
                          nd::random::uniform(-1, 1, {3})}, testing::Hybrid::Compiles, 4e-3f);
  check_gradients(batch, {nd::random::uniform(-1, 1, {6, 4}), nd::random::uniform(0.5f, 1.5f, {4}),
                          nd::random::uniform(-1, 1, {4})}, testing::Hybrid::Compiles, 4e-3f);
  // With fixed statistics (predict mode): linear in x, gamma and beta.
  NDArray mean = nd::random::uniform(-0.5f, 0.5f, {3}), var = nd::random::uniform(0.5f, 1.5f, {3});
  check_gradients([&](const Inputs& in) { return nd::batch_norm(in[0], in[1], in[2], mean, var, 1e-5f, false); },
                  {nd::random::uniform(-1, 1, {2, 3, 2, 3}), nd::random::uniform(0.5f, 1.5f, {3}),
                   nd::random::uniform(-1, 1, {3})},
                  testing::Hybrid::Compiles, 0.05f);
}

TEST_F(Norm, BatchNormTrainsOnTheBatchAndPredictsWithRunningAverages) {
  nn::BatchNorm bn;
  bn.initialize();
  NDArray x = nd::random::uniform(-1, 3, {8, 2, 3, 3});
  NDArray predicted = bn(x);  // predict mode: running mean 0, variance 1
  expect_close(predicted, reference_norm(x, nd::ones({2}), nd::zeros({2}), {0, 0}, {1, 1}, 1e-5), 1e-5f, 1e-5f);
  auto [m, v] = channel_stats(x);
  NDArray trained;
  {
    auto rec = autograd::record();
    trained = bn(x);
  }
  expect_close(trained, reference_norm(x, nd::ones({2}), nd::zeros({2}), m, v, 1e-5), 1e-4f, 1e-4f);
  for (int64_t k = 0; k < 2; ++k) {
    EXPECT_NEAR(bn.running_mean->data().to_vector()[k], 0.1 * m[k], 1e-6);
    EXPECT_NEAR(bn.running_var->data().to_vector()[k], 0.9 + 0.1 * v[k], 1e-6);
  }
  nn::BatchNorm global({.use_global_stats = true});
  global.initialize();
  {
    auto rec = autograd::record();
    expect_close(global(x), predicted, 1e-6f, 1e-6f);
  }
  EXPECT_EQ(global.running_mean->data().to_vector(), (std::vector<float>{0, 0})) << "use_global_stats leaves them";
  EXPECT_EQ(bn.running_mean->grad_req(), GradReq::Null);
  EXPECT_EQ(bn.gamma->grad_req(), GradReq::Write);
  EXPECT_EQ(nn::BatchNorm({.scale = false}).gamma->grad_req(), GradReq::Null);
}

// A hybridized BatchNorm in training mode: each compiled call writes the running averages in
// place, as the eager calls do.
TEST_F(Norm, CompiledTrainingCallsUpdateTheRunningAverages) {
  auto make = [] { return net_of(nn::Conv2D(4, 3, 1, 1), nn::BatchNorm(), nn::Activation("relu")); };
  auto eager = make(), hybrid = make();
  NDArray x = nd::random::uniform(-1, 1, {2, 3, 5, 5});
  make_twins(*eager, *hybrid, x);
  hybrid->hybridize();
  for (int call = 0; call < 4; ++call) {
    SCOPED_TRACE(call);
    NDArray xi = x * static_cast<float>(call + 1);
    auto train = autograd::train_mode();
    expect_close((*hybrid)(xi), (*eager)(xi), 1e-5f, 1e-4f);
  }
  EXPECT_EQ(hybrid->hybrid_stats().compiled, 3u);
  // The running averages the calls write are not what the prepared values (the packed
  // convolution weight) are computed from: they are prepared once.
  EXPECT_EQ(hybrid->hybrid_stats().prepares, 1u);
  for (const auto& [name, p] : eager->collect_params()) {
    SCOPED_TRACE(name);
    expect_close(hybrid->collect_params()[name].data(), p->data(), 1e-5f, 1e-4f);
  }
  EXPECT_NE(hybrid->traced_ir().find("kiln.batch_norm_stats"), std::string::npos);
  expect_close((*hybrid)(x), (*eager)(x), 1e-5f, 1e-4f);  // predict mode: its own compiled graph
}

// Recorded calls (compiled forward and backward) give the eager gradients and averages.
TEST_F(Norm, RecordedCompiledCallsGiveTheEagerGradients) {
  auto make = [] { return net_of(nn::Conv2D(3, 3), nn::BatchNorm(), nn::Dense(2)); };
  auto eager = make(), hybrid = make();
  NDArray x = nd::random::uniform(-1, 1, {4, 2, 5, 5});
  make_twins(*eager, *hybrid, x);
  hybrid->hybridize();
  auto step = [&](nn::Block& net) {
    NDArray l;
    {
      auto rec = autograd::record();
      l = nd::sum(nd::square(net(x)));
    }
    l.backward();
  };
  for (int call = 0; call < 3; ++call) {
    SCOPED_TRACE(call);
    step(*eager);
    step(*hybrid);
    for (const auto& [name, p] : eager->collect_params()) {
      SCOPED_TRACE(name);
      const Parameter& q = hybrid->collect_params()[name];
      expect_close(q.data(), p->data(), 1e-5f, 1e-4f);
      if (p->grad_req() != GradReq::Null) expect_close(q.grad(), p->grad(), 1e-4f, 1e-3f);
    }
  }
  EXPECT_GE(hybrid->hybrid_stats().compiled, 2u);
}

// The whole training step compiled (forward, BatchNorm's batch statistics and running averages,
// backward, SGD): the eager loop's parameters and averages after 10 steps.
TEST_F(Norm, CompiledTrainingStepMatchesTheEagerLoop) {
  auto make = [] {
    return net_of(nn::Conv2D(4, 3, 1, 1), nn::BatchNorm(), nn::Activation("relu"), nn::MaxPool2D(2, 2), nn::Dense(3));
  };
  auto eager = make(), compiled = make();
  NDArray x = nd::random::uniform(-1, 1, {6, 2, 6, 6}), y = nd::array({0, 1, 2, 0, 1, 2});
  loss::SoftmaxCrossEntropyLoss loss;
  make_twins(*eager, *compiled, x);
  gluon::Trainer eager_trainer(eager->collect_params(), optimizer::SGD{.learning_rate = 0.1f, .momentum = 0.9f});
  gluon::Trainer trainer(compiled->collect_params(), optimizer::SGD{.learning_rate = 0.1f, .momentum = 0.9f});
  auto step = trainer.compile_step(*compiled, loss);
  for (int i = 0; i < 10; ++i) {
    NDArray l;
    {
      auto rec = autograd::record();
      l = loss((*eager)(x), y);
    }
    l.backward();
    eager_trainer.step(6);
    step(x, y);
  }
  EXPECT_TRUE(step.last_call_compiled());
  EXPECT_EQ(step.compile_count(), 1u);
  for (const auto& [name, p] : eager->collect_params()) {
    SCOPED_TRACE(name);
    expect_close(compiled->collect_params()[name].data(), p->data(), 1e-5f, 1e-3f);
  }
}

TEST_F(Norm, BadInputIsNamed) {
  nn::BatchNorm bn(1, 0.9f, 1e-5f, true, true, false, 3);
  bn.initialize();
  EXPECT_THROW_WITH(bn(nd::ones({2, 4, 2, 2})), ShapeError, "4 channels");
  EXPECT_THROW_WITH(bn(nd::ones({5})), ShapeError, "batch and a channel axis");
  EXPECT_THROW_WITH(nn::BatchNorm({.axis = 3}), ValueError, "axis 1");
  EXPECT_THROW_WITH(nn::BatchNorm({.momentum = 2.f}), ValueError, "momentum");
  EXPECT_THROW_WITH(nd::batch_norm(nd::ones({2, 3}), nd::ones({3}), nd::ones({2}), nd::ones({3}), nd::ones({3})),
                    ShapeError, "beta of shape 2 does not match data 2x3");
}

// --- Dropout ------------------------------------------------------------------------------------

TEST_F(Norm, DropoutZeroesAndScalesInTrainingOnly) {
  nn::Dropout drop(0.25f);
  NDArray x = nd::ones({100, 100});
  expect_close(drop(x), x, 0.f, 0.f);  // predict mode: unchanged
  NDArray y;
  {
    auto train = autograd::train_mode();
    y = drop(x);
  }
  std::vector<float> v = y.to_vector();
  int64_t zeros = 0;
  for (float e : v) {
    if (e == 0.f) ++zeros;
    else EXPECT_FLOAT_EQ(e, 1.f / 0.75f);
  }
  EXPECT_NEAR(zeros / 10000.0, 0.25, 0.02);
  EXPECT_THROW_WITH(nn::Dropout(1.f), ValueError, "rate");
}

// A hybridized Dropout draws its mask inside compiled code, from the same generator: with the
// same seed the compiled calls give the eager calls' values and gradients, and no call runs
// eagerly.
TEST_F(Norm, HybridizedDropoutDrawsTheEagerMasksFromTheSeed) {
  auto make = [] { return net_of(nn::Dense(16, "relu"), nn::Dropout(0.5f), nn::Dense(4)); };
  auto eager = make(), hybrid = make();
  NDArray x = nd::random::uniform({8, 6});
  make_twins(*eager, *hybrid, x);
  hybrid->hybridize();
  auto run = [&](nn::Block& net, uint64_t seed) {
    nd::random::seed(seed);
    NDArray out;
    {
      auto rec = autograd::record();
      out = net(x);
    }
    out.backward();
    return std::pair{out.copy(), net.collect_params().begin()->second->grad().copy()};
  };
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    auto [want, want_grad] = run(*eager, seed);
    auto [got, got_grad] = run(*hybrid, seed);
    expect_close(got, want, 1e-6f, 1e-5f);
    expect_close(got_grad, want_grad, 1e-6f, 1e-5f);
  }
  EXPECT_EQ(hybrid->hybrid_stats().eager, 0u);
  EXPECT_EQ(hybrid->hybrid_stats().compiled, 2u);
  EXPECT_NE(hybrid->traced_ir().find("kiln.random_uniform"), std::string::npos);
  // Two compiled calls draw different masks.
  auto train = autograd::train_mode();
  EXPECT_NE((*hybrid)(x).to_vector(), (*hybrid)(x).to_vector());
}

}  // namespace
}  // namespace kiln
