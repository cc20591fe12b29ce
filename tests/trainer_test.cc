// gluon::Trainer and the optimizers: each rule against the same arithmetic on the host, compiled
// (in place) and eagerly; the Trainer's loop against one written by hand, eagerly and
// hybridized; Gluon's errors.
#include <cmath>
#include <functional>

#include <filesystem>

#include "examples/seed_models.h"
#include "runtime/file_io.h"
#include "test_util.h"

namespace kiln {
namespace {

using Host = std::vector<double>;
// One host step of a rule on every element: (weight, gradient, states, t) -> updated in place.
using HostRule = std::function<void(double& w, double g, std::vector<double>& states, int t)>;

// Three updates of a 5-element weight by `name` with `options`, compiled and eagerly, against
// `host` run on the same numbers (gradients already rescaled: rescale_grad = 1).
void expect_rule(const std::string& name, const optimizer::Options& options, size_t states, const HostRule& host) {
  SCOPED_TRACE(name);
  for (bool compiled : {true, false}) {
    auto opt = optimizer::create(name, options);
    opt->set_compile(compiled);
    ASSERT_EQ(opt->num_states(), states);
    NDArray w = nd::array({0.5f, -1.f, 2.f, 0.f, -0.25f});
    std::vector<NDArray> state;
    for (size_t k = 0; k < states; ++k) state.push_back(nd::zeros({5}));
    Host host_w(w.data(), w.data() + 5);
    std::vector<std::vector<double>> host_states(5, std::vector<double>(states, 0.0));
    for (int t = 1; t <= 3; ++t) {
      NDArray g = nd::array({0.3f * t, -0.7f, 1.5f, 0.1f, -2.f + t});
      opt->update(w, g, state, t);
      for (int i = 0; i < 5; ++i) host(host_w[i], std::as_const(g).data()[i], host_states[i], t);
      for (int i = 0; i < 5; ++i)
        EXPECT_NEAR(std::as_const(w).data()[i], host_w[i], 1e-5 + 1e-5 * std::fabs(host_w[i]))
            << (compiled ? "compiled" : "eager") << ", step " << t << ", element " << i;
    }
    EXPECT_EQ(opt->compiles(), compiled) << "the compiled update fell back to eager execution";
  }
}

double clip(double g, double c) { return std::fmin(std::fmax(g, -c), c); }

TEST(Optimizers, SgdWithWeightDecayAndClipping) {
  expect_rule("sgd", {{"learning_rate", 0.1f}, {"wd", 0.01f}, {"clip_gradient", 1.f}}, 0,
              [](double& w, double g, std::vector<double>&, int) { w -= 0.1 * (clip(g, 1) + 0.01 * w); });
}

TEST(Optimizers, SgdWithMomentumAndNesterov) {
  expect_rule("sgd", {{"learning_rate", 0.1f}, {"momentum", 0.9f}}, 1, [](double& w, double g, std::vector<double>& s, int) {
    s[0] = 0.9 * s[0] - 0.1 * g;
    w += s[0];
  });
  expect_rule("nag", {{"learning_rate", 0.1f}, {"momentum", 0.8f}}, 1, [](double& w, double g, std::vector<double>& s, int) {
    s[0] = 0.8 * s[0] + g;
    w -= 0.1 * (g + 0.8 * s[0]);
  });
}

TEST(Optimizers, AdamAndAdamW) {
  auto adam = [](bool decoupled) {
    return [decoupled](double& w, double g, std::vector<double>& s, int t) {
      double wd = 0.1, lr = 0.01;
      double ge = decoupled ? g : g + wd * w;
      s[0] = 0.9 * s[0] + 0.1 * ge;
      s[1] = 0.999 * s[1] + 0.001 * ge * ge;
      double correction = std::sqrt(1 - std::pow(0.999, t)) / (1 - std::pow(0.9, t));
      w -= lr * correction * s[0] / (std::sqrt(s[1]) + 1e-8) + (decoupled ? lr * wd * w : 0.0);
    };
  };
  expect_rule("adam", {{"learning_rate", 0.01f}, {"wd", 0.1f}}, 2, adam(false));
  expect_rule("adamw", {{"learning_rate", 0.01f}, {"wd", 0.1f}}, 2, adam(true));
}

TEST(Optimizers, RmsPropAndAdaGrad) {
  expect_rule("rmsprop", {{"learning_rate", 0.01f}, {"gamma1", 0.8f}}, 1, [](double& w, double g, std::vector<double>& s, int) {
    s[0] = 0.8 * s[0] + 0.2 * g * g;
    w -= 0.01 * g / (std::sqrt(s[0]) + 1e-8);
  });
  expect_rule("adagrad", {{"learning_rate", 0.1f}}, 1, [](double& w, double g, std::vector<double>& s, int) {
    s[0] += g * g;
    w -= 0.1 * g / (std::sqrt(s[0]) + 1e-7);
  });
}

// The typed settings make the optimizer their string form names, with the same values.
TEST(Optimizers, TypedSettingsAreTheStringForm) {
  using optimizer::Options;
  std::vector<std::pair<std::unique_ptr<optimizer::Optimizer>, std::unique_ptr<optimizer::Optimizer>>> pairs;
  pairs.emplace_back(optimizer::make(optimizer::SGD{.learning_rate = 0.1f, .momentum = 0.8f, .wd = 0.01f}),
                     optimizer::create("sgd", Options{{"learning_rate", 0.1f}, {"momentum", 0.8f}, {"wd", 0.01f}}));
  pairs.emplace_back(optimizer::make(optimizer::SGD{.learning_rate = 0.1f, .nesterov = true}),
                     optimizer::create("nag", Options{{"learning_rate", 0.1f}}));
  pairs.emplace_back(optimizer::make(optimizer::Adam{.beta1 = 0.8f, .decoupled = true, .wd = 0.1f, .clip_gradient = 0.5f}),
                     optimizer::create("adamw", Options{{"beta1", 0.8f}, {"wd", 0.1f}, {"clip_gradient", 0.5f}}));
  pairs.emplace_back(optimizer::make(optimizer::RMSProp{.learning_rate = 0.01f, .gamma1 = 0.7f}),
                     optimizer::create("rmsprop", Options{{"learning_rate", 0.01f}, {"gamma1", 0.7f}}));
  pairs.emplace_back(optimizer::make(optimizer::AdaGrad{.epsilon = 1e-5f, .rescale_grad = 0.5f}),
                     optimizer::create("adagrad", Options{{"epsilon", 1e-5f}, {"rescale_grad", 0.5f}}));
  for (auto& [typed, named] : pairs) {
    SCOPED_TRACE(named->name());
    EXPECT_EQ(typed->name(), named->name());
    NDArray w1 = nd::array({1.f, -2.f, 3.f}), w2 = w1.copy(), g = nd::array({0.5f, 2.f, -1.f});
    std::vector<NDArray> s1, s2;
    for (size_t i = 0; i < named->num_states(); ++i) {
      s1.push_back(nd::zeros({3}));
      s2.push_back(nd::zeros({3}));
    }
    for (int t = 1; t <= 3; ++t) {
      typed->update(w1, g, s1, t);
      named->update(w2, g, s2, t);
    }
    EXPECT_EQ(w1.to_vector(), w2.to_vector());
  }
  EXPECT_THROW_WITH(optimizer::make(optimizer::SGD{.momentum = 1.f}), ValueError, "momentum must be in [0, 1)");
  nn::Dense dense(2, "", true, 3);
  dense.initialize();
  gluon::Trainer trainer(dense.collect_params(), optimizer::SGD{.learning_rate = 0.25f});
  EXPECT_EQ(trainer.learning_rate(), 0.25f);
}

TEST(Optimizers, BadSettingsAreClearErrors) {
  EXPECT_THROW_WITH(optimizer::create("sgdd"), ValueError, "unknown optimizer 'sgdd'", "adam");
  EXPECT_THROW_WITH(optimizer::create("sgd", {{"learning_rat", 0.1f}}), ValueError, "unknown option 'learning_rat'",
                    "learning_rate");
  EXPECT_THROW_WITH(optimizer::create("sgd", {{"learning_rate", NAN}}), ValueError, "learning_rate must be finite");
  EXPECT_THROW_WITH(optimizer::create("sgd", {{"learning_rate", -1.f}}), ValueError, "not negative", "-1");
  EXPECT_THROW_WITH(optimizer::create("sgd", {{"momentum", 1.f}}), ValueError, "momentum must be in [0, 1)");
  EXPECT_THROW_WITH(optimizer::create("adam", {{"beta2", 1.5f}}), ValueError, "beta2");
  auto opt = optimizer::create("sgd");
  EXPECT_THROW_WITH(opt->set_learning_rate(INFINITY), ValueError, "learning rate");
  NDArray w = nd::zeros({3});
  EXPECT_THROW_WITH(opt->update(w, nd::zeros({4}), {}, 1), ShapeError, "gradient of shape 4", "weight of shape 3");
  auto adam = optimizer::create("adam");
  std::vector<NDArray> shared{nd::zeros({3}), nd::zeros({3})};
  shared[1] = shared[0];
  EXPECT_THROW_WITH(adam->update(w, nd::ones({3}), shared, 1), ValueError, "share");
}

// The d2l loop: loss, backward, trainer.step(batch) — against the same loop updating by hand.
std::vector<float> train(bool use_trainer, bool hybridize, const std::string& name = "sgd") {
  nd::random::seed(3);
  auto net = seed::make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({8, 20}), y = nd::random::uniform({8, 10});
  if (hybridize) net->hybridize();
  gluon::Trainer trainer(net->collect_params(), name, {{"learning_rate", 0.5f}});
  std::vector<float> losses;
  for (int step = 0; step < 20; ++step) {
    NDArray loss;
    {
      auto rec = autograd::record();
      loss = nd::sum(nd::square((*net)(x) - y));
    }
    loss.backward();
    losses.push_back(loss.asscalar());
    if (use_trainer) {
      trainer.step(8);
    } else {
      for (const auto& [n, p] : net->collect_params()) p->set_data(p->data() - p->grad() * (0.5f / 8));
    }
  }
  return losses;
}

TEST(Trainer, StepFollowsTheHandWrittenLoopEagerlyAndHybridized) {
  std::vector<float> by_hand = train(false, false);
  for (bool hybridize : {false, true}) {
    std::vector<float> trained = train(true, hybridize);
    for (size_t i = 0; i < by_hand.size(); ++i)
      EXPECT_NEAR(trained[i], by_hand[i], 1e-4f + 1e-4f * std::fabs(by_hand[i])) << (hybridize ? "hybridized" : "eager")
                                                                                   << ", step " << i;
  }
  EXPECT_LT(by_hand.back(), 0.5f * by_hand.front());
}

class TrainerOfADense : public ::testing::Test {
 protected:
  void SetUp() override {
    nd::random::seed(5);
    net.initialize();
    net(x);
  }
  void backward() {
    NDArray l;
    {
      auto rec = autograd::record();
      l = net(x).sum();
    }
    l.backward();
  }
  nn::Dense net{3};
  NDArray x = nd::random::uniform({2, 4});
};

TEST_F(TrainerOfADense, AStaleGradientIsAnErrorNamingTheParameterAndChangesNothing) {
  gluon::Trainer trainer(net.collect_params(), "sgd", {{"learning_rate", 0.1f}});
  backward();
  trainer.step(2);
  std::vector<float> before = net.weight->data().to_vector();
  EXPECT_THROW_WITH(trainer.step(2), ValueError, "weight", "has not been updated by backward", "ignore_stale_grad");
  testing::expect_values(net.weight->data(), before);
  trainer.step(2, /*ignore_stale_grad=*/true);  // skipped, not updated
  testing::expect_values(net.weight->data(), before);
  backward();
  trainer.step(2);
  EXPECT_NE(net.weight->data().to_vector(), before);
}

TEST_F(TrainerOfADense, ParametersWithoutGradientsAreSkipped) {
  net.bias->set_grad_req(GradReq::Null);
  std::vector<float> bias = net.bias->data().to_vector(), weight = net.weight->data().to_vector();
  gluon::Trainer trainer(net.collect_params(), "sgd", {{"learning_rate", 0.1f}});
  backward();
  trainer.step(2);
  testing::expect_values(net.bias->data(), bias);
  EXPECT_NE(net.weight->data().to_vector(), weight);
}

// The learning rate is an argument of the compiled update: a new one takes effect at once.
TEST_F(TrainerOfADense, ANewLearningRateTakesEffectAtTheNextStep) {
  gluon::Trainer trainer(net.collect_params(), "sgd", {{"learning_rate", 0.1f}});
  EXPECT_FLOAT_EQ(trainer.learning_rate(), 0.1f);
  trainer.set_learning_rate(0.f);
  backward();
  std::vector<float> before = net.weight->data().to_vector();
  trainer.step(2);
  testing::expect_values(net.weight->data(), before);
  trainer.set_learning_rate(1.f);
  backward();
  std::vector<float> grad = net.weight->grad().to_vector(), expected = before;
  for (size_t i = 0; i < expected.size(); ++i) expected[i] -= grad[i] / 2;
  trainer.step(2);
  testing::expect_values(net.weight->data(), expected, 1e-6f, 1e-5f);
  EXPECT_TRUE(trainer.optimizer().compiles());
  EXPECT_THROW_WITH(trainer.set_learning_rate(NAN), ValueError, "learning rate");
  EXPECT_THROW_WITH(trainer.step(0), ValueError, "batch_size must be positive");
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

TEST(LRSchedulers, FollowMXNetsSchedules) {
  optimizer::FactorScheduler factor(2, 0.5f, 1.f, 0.2f);
  std::vector<float> rates;
  for (int64_t u = 1; u <= 7; ++u) rates.push_back(factor(u));
  EXPECT_EQ(rates, (std::vector<float>{1, 1, 0.5f, 0.5f, 0.25f, 0.25f, 0.2f}));
  optimizer::MultiFactorScheduler multi({2, 4}, 0.1f, 1.f);
  EXPECT_FLOAT_EQ(multi(2), 1.f);
  EXPECT_FLOAT_EQ(multi(3), 0.1f);
  EXPECT_FLOAT_EQ(multi(5), 0.01f);
  optimizer::CosineScheduler cosine(10, 1.f, 0.f, {.steps = 2, .begin_lr = 0.f});
  EXPECT_FLOAT_EQ(cosine(1), 0.5f);  // warming up linearly
  EXPECT_FLOAT_EQ(cosine(2), 1.f);
  EXPECT_NEAR(cosine(6), 0.5f, 1e-6f);
  EXPECT_FLOAT_EQ(cosine(10), 0.f);
  EXPECT_FLOAT_EQ(cosine(11), 0.f);
  EXPECT_THROW_WITH(optimizer::FactorScheduler(0, 0.5f, 1.f), ValueError, "step must be at least 1");
  EXPECT_THROW_WITH(optimizer::MultiFactorScheduler({3, 2}, 0.5f, 1.f), ValueError, "increasing");
  EXPECT_THROW_WITH(optimizer::CosineScheduler(2, 1.f, 0.f, {.steps = 2}), ValueError, "max_update");
}

// The Trainer takes each step's rate from the schedule: with rate 0 from the third update on,
// the weights stop moving, and nothing recompiles.
TEST(LRSchedulers, DriveTheTrainersSteps) {
  nd::random::seed(2);
  nn::Dense net(3);
  net.initialize();
  NDArray x = nd::random::uniform({2, 4});
  net(x);
  auto sgd = optimizer::create("sgd", {{"learning_rate", 1.f}});
  sgd->set_lr_scheduler(std::make_shared<optimizer::MultiFactorScheduler>(std::vector<int64_t>{2}, 1e-30f, 1.f));
  gluon::Trainer trainer(net.collect_params(), std::move(sgd));
  std::vector<std::vector<float>> weights;
  for (int step = 0; step < 4; ++step) {
    NDArray l;
    {
      auto rec = autograd::record();
      l = net(x).sum();
    }
    l.backward();
    trainer.step(2);
    weights.push_back(net.weight->data().to_vector());
  }
  EXPECT_NE(weights[0], weights[1]);
  EXPECT_LT(trainer.learning_rate(), 1e-20f);
  for (size_t i = 0; i < weights[1].size(); ++i) EXPECT_NEAR(weights[3][i], weights[1][i], 1e-12f);
  EXPECT_TRUE(trainer.optimizer().compiles());
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

class TrainerStates : public ::testing::Test {
 protected:
  void TearDown() override { std::filesystem::remove_all(dir); }
  // One momentum step of a Dense(3) net on fixed data.
  static void step(nn::Dense& net, gluon::Trainer& trainer) {
    NDArray x = nd::array({1, 2, 3, 4, 0.5f, -1, 2, 0}, {2, 4});
    NDArray l;
    {
      auto rec = autograd::record();
      l = nd::sum(nd::square(net(x)));
    }
    l.backward();
    trainer.step(2);
  }
  std::filesystem::path dir = std::filesystem::temp_directory_path() / fmt("kiln_trainer_states_", ::getpid());
  std::string file(const char* name) {
    std::filesystem::create_directories(dir);
    return (dir / name).string();
  }
};

// Saved after two steps, then loaded into a fresh Trainer beside the same weights: the third
// step is the same as the uninterrupted run's.
TEST_F(TrainerStates, SavedStatesResumeTrainingExactly) {
  nd::random::seed(4);
  nn::Dense net(3);
  net.initialize();
  net(nd::zeros({2, 4}));
  gluon::Trainer trainer(net.collect_params(), "sgd", {{"learning_rate", 0.05f}, {"momentum", 0.9f}});
  step(net, trainer);
  step(net, trainer);
  net.save_parameters(file("net.params"));
  trainer.save_states(file("sgd.states"));
  step(net, trainer);
  std::vector<float> uninterrupted = net.weight->data().to_vector();

  nn::Dense resumed(3);
  resumed.initialize();
  resumed(nd::zeros({2, 4}));
  resumed.load_parameters(file("net.params"));
  gluon::Trainer fresh(resumed.collect_params(), "sgd", {{"learning_rate", 0.05f}, {"momentum", 0.9f}});
  fresh.load_states(file("sgd.states"));
  step(resumed, fresh);
  testing::expect_values(resumed.weight->data(), uninterrupted, 1e-6f, 1e-5f);
}

TEST_F(TrainerStates, AnotherOptimizersOrModelsStatesAreClearErrorsThatChangeNothing) {
  nd::random::seed(4);
  nn::Dense net(3);
  net.initialize();
  net(nd::zeros({2, 4}));
  gluon::Trainer adam(net.collect_params(), "adam");
  step(net, adam);
  adam.save_states(file("adam.states"));
  gluon::Trainer sgd(net.collect_params(), "sgd", {{"momentum", 0.9f}});
  step(net, sgd);
  sgd.save_states(file("sgd.states"));
  EXPECT_THROW_WITH(sgd.load_states(file("adam.states")), FileError, "adam.states", "optimizer adam", "sgd",
                    "nothing was loaded");
  nn::Dense wider(5);
  wider.initialize();
  wider(nd::zeros({2, 4}));
  gluon::Trainer other(wider.collect_params(), "sgd", {{"momentum", 0.9f}});
  step(wider, other);
  EXPECT_THROW_WITH(other.load_states(file("sgd.states")), FileError, "shape 3x4", "5x4");
  EXPECT_THROW_WITH(sgd.load_states(file("missing.states")), FileError, "missing.states");
  // The failed loads left sgd's states as they were: saving again gives the same file.
  sgd.save_states(file("again.states"));
  EXPECT_EQ(file_io::read(file("again.states"), "test"), file_io::read(file("sgd.states"), "test"));
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

// An MLP (16 × features -> units relu -> 10) with sparse labels and SoftmaxCrossEntropyLoss,
// or with L2Loss.
struct StepFixture {
  explicit StepFixture(bool classify, const std::string& optimizer, optimizer::Options options, int64_t features = 30,
                       int64_t units = 64) {
    nd::random::seed(11);
    net.add(nn::Dense(units, "relu"));
    net.add(nn::Dense(10));
    net.initialize(init::Normal(0.1f));
    x = nd::random::uniform({16, features});
    if (classify) {
      std::vector<float> labels;
      for (int i = 0; i < 16; ++i) labels.push_back(static_cast<float>((i * 7) % 10));
      y = nd::array(labels);
      loss = std::make_shared<loss::SoftmaxCrossEntropyLoss>();
    } else {
      y = nd::random::uniform({16, 10});
      loss = std::make_shared<loss::L2Loss>();
    }
    net(x);
    trainer = std::make_unique<gluon::Trainer>(net.collect_params(), optimizer, options);
  }
  std::vector<std::vector<float>> weights() const {
    std::vector<std::vector<float>> out;
    for (const auto& [name, p] : net.collect_params()) out.push_back(p->data().to_vector());
    return out;
  }
  nn::Sequential net;
  NDArray x, y;
  std::shared_ptr<loss::Loss> loss;
  std::unique_ptr<gluon::Trainer> trainer;
};

// 100 steps of the compiled step leave the same parameters as the eager loop (rtol 1e-4).
TEST(CompileStep, HundredStepsMatchTheEagerLoop) {
  for (auto [classify, name] : {std::pair{true, "sgd"}, std::pair{false, "adam"}}) {
    SCOPED_TRACE(name);
    optimizer::Options options = std::string(name) == "sgd" ? optimizer::Options{{"learning_rate", 0.2f}, {"momentum", 0.9f}}
                                                             : optimizer::Options{{"learning_rate", 0.01f}};
    StepFixture eager(classify, name, options), compiled(classify, name, options);
    auto step = compiled.trainer->compile_step(compiled.net, *compiled.loss);
    std::vector<float> eager_losses, compiled_losses;
    for (int i = 0; i < 100; ++i) {
      NDArray l, prediction;
      {
        auto rec = autograd::record();
        prediction = eager.net(eager.x);
        l = (*eager.loss)(prediction, eager.y);
      }
      l.backward();
      eager.trainer->step(16);
      eager_losses.push_back(nd::mean(l).asscalar());
      compiled_losses.push_back(nd::mean(step(compiled.x, compiled.y)).asscalar());
      if (i == 50) testing::expect_close(step.last_prediction(), prediction, 1e-5f, 1e-4f);
    }
    EXPECT_TRUE(step.last_call_compiled());
    EXPECT_EQ(step.compile_count(), 1u);
    auto want = eager.weights(), got = compiled.weights();
    for (size_t p = 0; p < want.size(); ++p) testing::expect_values(NDArray(nd::array(got[p])), want[p], 1e-5f, 1e-4f);
    for (size_t i = 0; i < 100; i += 33) EXPECT_NEAR(compiled_losses[i], eager_losses[i], 1e-5f + 1e-4f * eager_losses[i]);
    EXPECT_LT(compiled_losses.back(), 0.5f * compiled_losses.front());
  }
}

// d2l's first layer at batch 16 (16×784 -> 256): its weight gradient is a oneDNN product, and
// plain SGD's step is applied inside it (kiln-fuse-product-updates); with weight decay, or
// clipping, the update stays a loop of its own. Either way: the eager loop's parameters.
TEST(CompileStep, SgdInsideALargeWeightGradientMatchesTheEagerLoop) {
  for (optimizer::Options options : {optimizer::Options{{"learning_rate", 0.1f}},
                                     optimizer::Options{{"learning_rate", 0.1f}, {"wd", 0.01f}},
                                     optimizer::Options{{"learning_rate", 0.1f}, {"clip_gradient", 0.001f}}}) {
    SCOPED_TRACE(fmt(options.size(), " options"));
    StepFixture eager(true, "sgd", options, 784, 256), compiled(true, "sgd", options, 784, 256);
    auto step = compiled.trainer->compile_step(compiled.net, *compiled.loss);
    for (int i = 0; i < 20; ++i) {
      NDArray l;
      {
        auto rec = autograd::record();
        l = (*eager.loss)(eager.net(eager.x), eager.y);
      }
      l.backward();
      eager.trainer->step(16);
      step(compiled.x, compiled.y);
    }
    EXPECT_TRUE(step.last_call_compiled());
    auto want = eager.weights(), got = compiled.weights();
    for (size_t p = 0; p < want.size(); ++p) testing::expect_values(NDArray(nd::array(got[p])), want[p], 1e-5f, 1e-4f);
  }
}

TEST(CompileStep, ALabelOutOfRangeIsAnErrorBeforeAnythingIsWritten) {
  StepFixture f(true, "sgd", {{"learning_rate", 0.1f}});
  auto step = f.trainer->compile_step(f.net, *f.loss);
  NDArray first_bad = f.y.copy();
  first_bad.data()[0] = -1;
  EXPECT_THROW_WITH(step(f.x, first_bad), ValueError, "label -1");  // while tracing: nothing kept
  EXPECT_EQ(step.compile_count(), 0u);
  step(f.x, f.y);
  step(f.x, f.y);
  ASSERT_TRUE(step.last_call_compiled());
  auto before = f.weights();
  NDArray bad = f.y.copy();
  bad.data()[3] = 12;
  EXPECT_THROW_WITH(step(f.x, bad), ValueError, "label 12", "[0, 10)");
  EXPECT_EQ(f.weights(), before);
  EXPECT_THROW_WITH(step(f.x, nd::zeros({15})), ShapeError, "disagree in length");
}

// The learning rate and the batch size are arguments: a new rate recompiles nothing, a new
// batch size is a new signature.
TEST(CompileStep, NewRatesAndBatchSizes) {
  StepFixture f(true, "sgd", {{"learning_rate", 0.1f}});
  auto step = f.trainer->compile_step(f.net, *f.loss);
  step(f.x, f.y);
  step(f.x, f.y);
  f.trainer->set_learning_rate(0.f);
  auto before = f.weights();
  step(f.x, f.y);
  EXPECT_TRUE(step.last_call_compiled());
  EXPECT_EQ(f.weights(), before) << "learning rate 0";
  EXPECT_EQ(step.compile_count(), 1u);
  f.trainer->set_learning_rate(0.1f);
  step(nd::slice_axis(f.x, 0, 0, 8), nd::slice_axis(f.y, 0, 0, 8));
  EXPECT_EQ(step.compile_count(), 2u);
  EXPECT_NE(f.weights(), before);
}

// Loading states saved before any update (none yet) leaves the compiled step with states to
// pass: they are made again, as zeros, and the step matches a fresh momentum run.
TEST(CompileStep, StatesLoadedFromBeforeTheFirstUpdateAreMadeAgain) {
  auto path = (std::filesystem::temp_directory_path() / fmt("kiln_step_states_", ::getpid())).string();
  StepFixture f(true, "sgd", {{"learning_rate", 0.1f}, {"momentum", 0.9f}}), fresh(true, "sgd", {{"learning_rate", 0.1f}, {"momentum", 0.9f}});
  f.trainer->save_states(path);  // no states yet
  auto step = f.trainer->compile_step(f.net, *f.loss);
  auto fresh_step = fresh.trainer->compile_step(fresh.net, *fresh.loss);
  step(f.x, f.y);
  step(f.x, f.y);
  f.trainer->load_states(path);  // back to no states and no updates
  for (const auto& [name, p] : fresh.net.collect_params()) p->set_data(f.net.collect_params()[name].data());
  for (int i = 0; i < 3; ++i) testing::expect_close(step(f.x, f.y), fresh_step(fresh.x, fresh.y), 1e-6f, 1e-5f);
  EXPECT_TRUE(step.last_call_compiled());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace kiln

namespace kiln {
namespace {

// A forward that reads a value on the host (as FancyMLP's loop does) has guards: each trip count
// is a path with its own backward and update. A call whose reads come out as no compiled path's
// leaves the graph before writing anything and is traced eagerly along its path, which joins the
// graph; either way every step is the eager loop's.
class HalvesWhileLarge : public nn::Block {
 public:
  nn::Child<nn::Dense> dense = register_block("dense", nn::Dense(4));

 protected:
  NDArray forward(const NDArray& x) override {
    NDArray h = dense(x);
    while (h.norm().asscalar() > 1) h = h / 2.f;
    return h;
  }
};

TEST(CompileStep, HostReadsInTheForwardAreGuardsAndEachPathCompiles) {
  NDArray small = nd::random::uniform({3, 5}) * 0.05f, large = nd::random::uniform({3, 5}) * 40.f;
  NDArray y = nd::random::uniform({3, 4}) * 0.1f;
  auto make = [&] {
    nd::random::seed(6);
    auto net = std::make_shared<HalvesWhileLarge>();
    net->initialize();
    (*net)(small);  // the deferred weights are drawn now, from the same seed for both
    return net;
  };
  auto eager_net = make(), step_net = make();
  loss::L2Loss loss;
  gluon::Trainer eager(eager_net->collect_params(), "sgd", {{"learning_rate", 0.5f}, {"momentum", 0.5f}});
  gluon::Trainer trainer(step_net->collect_params(), "sgd", {{"learning_rate", 0.5f}, {"momentum", 0.5f}});
  auto step = trainer.compile_step(*step_net, loss);
  std::vector<bool> compiled;
  for (int i = 0; i < 12; ++i) {
    const NDArray& x = i % 3 == 1 ? large : small;
    NDArray l;
    {
      auto rec = autograd::record();
      l = loss((*eager_net)(x), y);
    }
    l.backward();
    eager.step(3);
    SCOPED_TRACE(fmt("step ", i));
    testing::expect_close(step(x, y), l, 1e-6f, 1e-5f);
    testing::expect_close(step_net->dense->weight->data(), eager_net->dense->weight->data(), 1e-6f, 1e-5f);
    compiled.push_back(step.last_call_compiled());
  }
  EXPECT_EQ(step.compile_count(), 1u);
  EXPECT_FALSE(compiled[0]) << "traced";
  EXPECT_TRUE(compiled[2]) << "the small inputs' path";
  EXPECT_FALSE(compiled[1]) << "the large inputs leave the graph and add their path";
  EXPECT_TRUE(compiled[10] && compiled[11]) << "both paths compiled";
}

}  // namespace
}  // namespace kiln
