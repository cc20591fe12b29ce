// nd::cond, nd::while_loop and nd::foreach (frontend/ops/control_flow.h): eager results, gradients
// against finite differences, and hybridized blocks that trace them to scf.if / scf.while /
// scf.for — compiled once, right for every input, compared with eager within kAtol + kRtol·|x|.
#include <cmath>

#include "tests/test_util.h"

namespace kiln {
namespace {

using testing::expect_close;
using testing::expect_values;
using nd::LoopVars;

constexpr float kAtol = 1e-5f, kRtol = 1e-4f;

// A block whose forward is any function of its input.
class Lambda : public nn::Block {
 public:
  explicit Lambda(std::function<NDArray(const NDArray&)> f) : f_(std::move(f)) {}

 protected:
  NDArray forward(const NDArray& x) override { return f_(x); }

 private:
  std::function<NDArray(const NDArray&)> f_;
};

NDArray sign_branch(const NDArray& x) {
  return nd::cond(x.sum() > 0.f, [&] { return x * 2.f; }, [&] { return nd::relu(-x) + 1.f; });
}

// Halves x until its norm is at most 1, counting the halvings.
LoopVars halve(const NDArray& x, int64_t max_iterations = 100) {
  return nd::while_loop([](const LoopVars& v) { return v[0].norm() > 1.f; },
                        [](const LoopVars& v) { return LoopVars{v[0] / 2.f, v[1] + 1.f}; }, {x, nd::zeros({1})},
                        max_iterations);
}

// A tiny recurrent cell over the rows of x (steps x batch x features): h = tanh(row·W + h·U).
std::pair<NDArray, LoopVars> recur(const NDArray& x, const NDArray& w, const NDArray& u) {
  NDArray h0 = nd::zeros({x.shape()[1], w.shape()[1]});
  return nd::foreach(
      [&](const NDArray& row, const LoopVars& s) {
        NDArray h = nd::tanh(nd::dot(row, w) + nd::dot(s[0], u));
        return std::make_pair(h * 2.f, LoopVars{h});
      },
      x, {h0});
}

TEST(ControlFlow, EagerResults) {
  expect_values(sign_branch(nd::array({1, 2, -0.5f})), {2, 4, -1});
  expect_values(sign_branch(nd::array({-1, -2, 0.5f})), {2, 3, 1});
  LoopVars v = halve(nd::array({3, 4}));  // norm 5 -> 2.5 -> 1.25 -> 0.625
  expect_values(v[0], {0.375f, 0.5f});
  expect_values(v[1], {3});
  NDArray x = nd::array({1, 0, 0, 1}, {2, 2, 1});  // 2 steps, batch 2, 1 feature
  auto [outs, states] = recur(x, nd::ones({1, 1}), nd::ones({1, 1}));
  float h1 = std::tanh(1.f), h2 = std::tanh(0.f + h1);
  expect_values(outs, {2 * h1, 0, 2 * h2, 2 * std::tanh(1.f)}, 1e-6f);
  EXPECT_EQ(outs.shape(), (Shape{2, 2, 1}));
  expect_values(states[0], {h2, std::tanh(1.f)}, 1e-6f);
}

TEST(ControlFlow, CondCompilesBothBranchesFromOneTrace) {
  Lambda net(sign_branch);
  net.hybridize();
  NDArray positive = nd::array({1, 2, -0.5f}), negative = nd::array({-1, -2, 0.5f});
  for (int i = 0; i < 3; ++i) {
    expect_values(net(positive), {2, 4, -1});
    expect_values(net(negative), {2, 3, 1});
  }
  EXPECT_EQ(net.compile_count(), 1u);
  EXPECT_EQ(net.hybrid_stats().traced, 1u);
  EXPECT_EQ(net.hybrid_stats().compiled, 5u);
  EXPECT_NE(net.traced_ir().find("scf.if"), std::string::npos) << net.traced_ir();
  EXPECT_EQ(net.traced_ir().find("compare_scalar \"gt\""), std::string::npos) << "no guard: " << net.traced_ir();
}

TEST(ControlFlow, WhileLoopCompilesOnceForEveryTripCount) {
  Lambda net([](const NDArray& x) {
    LoopVars v = halve(x);
    return nd::concat({v[0], v[1]}, 0);
  });
  std::vector<NDArray> xs, eager;
  for (int k = 0; k < 12; ++k) {
    xs.push_back(nd::array({0.3f, -0.4f}) * std::pow(3.f, static_cast<float>(k)));
    eager.push_back(net(xs.back()));
  }
  net.hybridize();
  for (int pass = 0; pass < 2; ++pass)
    for (size_t i = 0; i < xs.size(); ++i) expect_close(net(xs[i]), eager[i], kAtol, kRtol);
  EXPECT_EQ(net.compile_count(), 1u);
  EXPECT_EQ(net.hybrid_stats().side_exits, 0u);
  EXPECT_NE(net.traced_ir().find("scf.while"), std::string::npos) << net.traced_ir();
}

TEST(ControlFlow, ExceedingMaxIterationsIsAClearErrorEagerAndCompiled) {
  EXPECT_THROW_WITH(halve(nd::array({300, 400}), 5), ValueError, "max_iterations = 5");
  EXPECT_THROW_WITH(halve(nd::array({3, 4}), 0), ValueError, "max_iterations must be in [1,");
  Lambda net([](const NDArray& x) { return halve(x, 5)[0]; });
  net.hybridize();
  expect_values(net(nd::array({3, 4})), {0.375f, 0.5f});  // traced and compiled
  expect_values(net(nd::array({6, 8})), {0.375f, 0.5f});  // compiled, 4 iterations
  // 10 iterations: the compiled loop stops at 5 and leaves; completed on the host, it raises.
  EXPECT_THROW_WITH(net(nd::array({3000, 4000})), ValueError, "max_iterations = 5");
  EXPECT_EQ(net.compile_count(), 1u);
}

TEST(ControlFlow, ForEachCompilesToOneLoopAndMatchesEager) {
  nd::random::seed(5);
  NDArray w = nd::random::uniform(-1, 1, {3, 4}), u = nd::random::uniform(-1, 1, {4, 4});
  Lambda net([&](const NDArray& x) {
    auto [outs, states] = recur(x, w, u);
    return outs.sum(0) + states[0];
  });
  std::vector<NDArray> xs, eager;
  for (int i = 0; i < 4; ++i) {
    xs.push_back(nd::random::uniform(-2, 2, {6, 2, 3}));
    eager.push_back(net(xs.back()));
  }
  net.hybridize();
  for (size_t i = 0; i < xs.size(); ++i) expect_close(net(xs[i]), eager[i], kAtol, kRtol);
  EXPECT_EQ(net.compile_count(), 1u);
  EXPECT_EQ(net.hybrid_stats().compiled, xs.size() - 1);
  EXPECT_NE(net.traced_ir().find("scf.for"), std::string::npos) << net.traced_ir();
}

TEST(ControlFlow, ParametersInsideRegionsAreGraphArguments) {
  // A Dense inside the loop body: its parameters are arguments, so an update needs no recompile.
  class Recurrent : public nn::Block {
   public:
    nn::Child<nn::Dense> cell = register_block("cell", nn::Dense(3, "tanh"));

   protected:
    NDArray forward(const NDArray& x) override {
      return nd::foreach([&](const NDArray& row, const LoopVars& s) {
               NDArray h = cell(nd::concat({row, s[0]}, 1));
               return std::make_pair(h, LoopVars{h});
             },
                         x, {nd::zeros({2, 3})})
          .second[0];
    }
  } net;
  net.initialize();
  NDArray x = nd::random::uniform(-1, 1, {4, 2, 3});
  NDArray before = net(x);
  net.hybridize();
  expect_close(net(x), before, kAtol, kRtol);
  expect_close(net(x), before, kAtol, kRtol);
  for (auto& [name, p] : net.collect_params()) p->set_data(p->data() * 0.5f);
  NDArray compiled = net(x);
  EXPECT_EQ(net.compile_count(), 1u);
  net.hybridize(false);
  expect_close(compiled, net(x), kAtol, kRtol);
}

TEST(ControlFlow, GradientsMatchFiniteDifferences) {
  nd::random::seed(9);
  // Hybridized, these blocks' recorded calls run eagerly (compiled backward through control flow
  // is not derived yet); the traced first call must still give the right gradients.
  using testing::Hybrid;
  testing::check_gradients([](const std::vector<NDArray>& in) { return sign_branch(in[0]) * in[0]; },
                           {nd::random::uniform(-1, 1, {3})}, Hybrid::RunsEagerly);
  testing::check_gradients([](const std::vector<NDArray>& in) { return halve(in[0] * 3.f)[0]; },
                           {nd::array({0.7f, -0.9f})}, Hybrid::RunsEagerly);
  testing::check_gradients(
      [](const std::vector<NDArray>& in) {
        auto [outs, states] = recur(in[0], in[1], in[2]);
        return outs.sum() + states[0].sum();
      },
      {nd::random::uniform(-1, 1, {3, 2, 2}), nd::random::uniform(-1, 1, {2, 3}), nd::random::uniform(-1, 1, {3, 3})},
      Hybrid::RunsEagerly);
}

TEST(ControlFlow, WhatCannotBeCompiledRunsEagerlyAndStaysCorrect) {
  // A host read inside a branch, and a while_loop nested in a foreach body: both documented
  // limits. The block warns once, runs eagerly and gives the eager results.
  Lambda read_inside([](const NDArray& x) {
    return nd::cond(x.sum() > 0.f, [&] { return x * (x.max().asscalar() > 1 ? 2.f : 3.f); }, [&] { return -x; });
  });
  Lambda nested([](const NDArray& x) {
    return nd::foreach([](const NDArray& row, const LoopVars& s) {
             NDArray r = halve(row * 10.f)[0];
             return std::make_pair(r, s);
           },
                       x, {})
        .first;
  });
  for (Lambda* net : {&read_inside, &nested}) {
    std::vector<NDArray> xs{nd::array({0.5f, 2.f}, {1, 2}), nd::array({0.2f, 0.3f}, {1, 2}), nd::array({-1.f, -2.f}, {1, 2})};
    std::vector<NDArray> eager;
    for (const NDArray& x : xs) eager.push_back((*net)(x));
    net->hybridize();
    for (int pass = 0; pass < 2; ++pass)
      for (size_t i = 0; i < xs.size(); ++i) expect_close((*net)(xs[i]), eager[i], kAtol, kRtol);
    EXPECT_EQ(net->hybrid_stats().compiled, 0u);
  }
}

TEST(ControlFlow, ShapeErrorsNameTheFunction) {
  NDArray x = nd::array({1, 2});
  Lambda mismatched([](const NDArray& x) { return nd::cond(x.sum() > 0.f, [&] { return x; }, [&] { return x.sum(); }); });
  mismatched.hybridize();
  EXPECT_THROW_WITH(mismatched(x), ShapeError, "nd::cond: else_fn's results differ in shape");
  EXPECT_THROW_WITH(nd::while_loop([](const LoopVars& v) { return v[0].sum() > 0.f; },
                                   [](const LoopVars& v) { return LoopVars{v[0].sum()}; }, {x}, 3),
                    ShapeError, "body_fn must keep each loop variable's shape");
  EXPECT_THROW_WITH(nd::cond(x, [&] { return x; }, [&] { return x; }), ShapeError, "the predicate must have one element");
  EXPECT_THROW_WITH(nd::foreach([](const NDArray& r, const LoopVars& s) { return std::make_pair(r, s); }, x.sum().reshape({}), {}),
                    ShapeError, "non-empty axis 0");
}

}  // namespace
}  // namespace kiln
