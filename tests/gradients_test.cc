// Every op's gradient against central finite differences (float32: eps 1e-3, tolerance
// 2e-3 + 2e-2·|numeric|). Inputs avoid kinks (relu at 0, ties for max) where the derivative jumps.
#include "test_util.h"

namespace kiln {
namespace {

using testing::check_gradients;
using Inputs = std::vector<NDArray>;

class Gradients : public ::testing::Test {
 protected:
  void SetUp() override { nd::random::seed(1234); }
  // Uniform values away from zero: |x| in [0.2, 1.2], random signs.
  static NDArray away_from_zero(const Shape& s) {
    NDArray mag = nd::random::uniform(0.2f, 1.2f, s);
    NDArray sign = (nd::random::uniform(s) > 0.5f) * 2.f - 1.f;
    return mag * sign;
  }
  static NDArray positive(const Shape& s) { return nd::random::uniform(0.5f, 2.f, s); }
};

TEST_F(Gradients, UnaryOps) {
  check_gradients([](const Inputs& x) { return nd::relu(x[0]); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::sigmoid(x[0]); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::tanh(x[0]); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::exp(x[0]); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::log(x[0]); }, {positive({3, 4})});
  check_gradients([](const Inputs& x) { return -x[0]; }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::sqrt(x[0]); }, {positive({5})});
  check_gradients([](const Inputs& x) { return nd::abs(x[0]); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::softrelu(x[0] * 4.f); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::softsign(x[0]); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::leaky_relu(x[0], 0.1f); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::clip(x[0], -0.5f, 0.7f); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return nd::square(x[0]); }, {away_from_zero({5})});
}

TEST_F(Gradients, BinaryOpsWithBroadcasting) {
  for (auto [sa, sb] : {std::pair<Shape, Shape>{{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{2, 1}, {1, 3}}, {{2, 3}, {}}}) {
    check_gradients([](const Inputs& x) { return x[0] + x[1]; }, {away_from_zero(sa), away_from_zero(sb)});
    check_gradients([](const Inputs& x) { return x[0] - x[1]; }, {away_from_zero(sa), away_from_zero(sb)});
    check_gradients([](const Inputs& x) { return x[0] * x[1]; }, {away_from_zero(sa), away_from_zero(sb)});
    check_gradients([](const Inputs& x) { return x[0] / x[1]; }, {away_from_zero(sa), positive(sb)});
  }
  // maximum: operands apart, so no tie sits within eps.
  check_gradients([](const Inputs& x) { return nd::maximum(x[0], x[1]); },
                  {nd::array({1, -1, 2, 0.5f}), nd::array({0, 0, 3, -2})});
}

TEST_F(Gradients, MinimumAndTheSoftmaxFamily) {
  check_gradients([](const Inputs& x) { return nd::minimum(x[0], x[1]); }, {away_from_zero({3, 4}), away_from_zero({4})});
  for (int axis : {-1, 0}) {
    check_gradients([axis](const Inputs& x) { return nd::softmax(x[0], axis); }, {away_from_zero({3, 5})});
    check_gradients([axis](const Inputs& x) { return nd::log_softmax(x[0], axis); }, {away_from_zero({3, 5})});
  }
  NDArray index = nd::array({2, 0, 4});
  check_gradients([&](const Inputs& x) { return nd::pick(x[0], index); }, {away_from_zero({3, 5})});
  check_gradients([&](const Inputs& x) { return nd::pick(x[0], nd::array({1, 0, 2, 2, 1}), 0, true); },
                  {away_from_zero({3, 5})});
}

TEST_F(Gradients, WhereRoutesTheGradientByItsCondition) {
  NDArray c = nd::array({1, 0, 0, 1, 0, 1}, {2, 3});
  check_gradients([&](const Inputs& x) { return nd::where(c, x[0], x[1]); }, {away_from_zero({2, 3}), away_from_zero({3})});
  // A condition computed from the input passes it no gradient.
  check_gradients([](const Inputs& x) { return nd::where(x[0] > 0.f, x[0] * x[0], -x[0]); }, {away_from_zero({3, 4})});
}

// argmax's value is constant near these inputs (no ties within eps), so it acts as a constant
// factor; it passes no gradient itself.
TEST_F(Gradients, ArgmaxPassesNoGradient) {
  NDArray x = nd::array({0.1f, 0.9f, -0.4f, 0.7f, 0.2f, 0.3f}, {2, 3});
  check_gradients([](const Inputs& in) { return nd::argmax(in[0], 1, true) * in[0]; }, {x});
  check_gradients([](const Inputs& in) { return nd::argmax(in[0]) + in[0]; }, {x});
}

TEST_F(Gradients, ScalarOperands) {
  check_gradients([](const Inputs& x) { return (2.f - x[0]) * 3.f + 1.f / x[0]; }, {positive({4})});
}

TEST_F(Gradients, DotInEveryTransposeCombination) {
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      NDArray a = away_from_zero(ta ? Shape{4, 3} : Shape{3, 4});
      NDArray b = away_from_zero(tb ? Shape{5, 4} : Shape{4, 5});
      check_gradients([=](const Inputs& x) { return nd::dot(x[0], x[1], ta, tb); }, {a, b});
    }
  check_gradients([](const Inputs& x) { return nd::dot(x[0], x[1]); }, {away_from_zero({4}), away_from_zero({4, 2})});
  // Large enough for the oneDNN path.
  check_gradients([](const Inputs& x) { return nd::dot(x[0], x[1]); }, {away_from_zero({8, 64}), away_from_zero({64, 70})},
                  testing::Hybrid::Compiles, 1e-2f, 5e-3f, 3e-2f);
}

TEST_F(Gradients, FullyConnected) {
  check_gradients([](const Inputs& x) { return nd::fully_connected(x[0], x[1], x[2]); },
                  {away_from_zero({2, 5}), away_from_zero({3, 5}), away_from_zero({3})});
  check_gradients([](const Inputs& x) { return nd::fully_connected(x[0], x[1]); },
                  {away_from_zero({2, 5}), away_from_zero({3, 5})});
}

TEST_F(Gradients, Reductions) {
  check_gradients([](const Inputs& x) { return x[0].sum(); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return x[0].sum(0); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return x[0].sum(1, true); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return x[0].mean(); }, {away_from_zero({3, 4})});
  check_gradients([](const Inputs& x) { return x[0].mean(-1); }, {away_from_zero({3, 4})});
  // Distinct values so the maximum is unique.
  NDArray distinct = nd::array({0.1f, 0.9f, -0.4f, 0.5f, 1.3f, -1.1f}, {2, 3});
  check_gradients([](const Inputs& x) { return x[0].max(); }, {distinct});
  check_gradients([](const Inputs& x) { return x[0].max(0); }, {distinct});
  check_gradients([](const Inputs& x) { return x[0].max(1, true); }, {distinct});
  check_gradients([](const Inputs& x) { return x[0].norm(); }, {away_from_zero({3, 4})});
}

TEST_F(Gradients, MaxSharesTheGradientAmongTies) {
  NDArray x = nd::array({2, 2, 1});
  x.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    y = x.max();
  }
  y.backward();
  testing::expect_values(x.grad(), {0.5f, 0.5f, 0});
}

TEST_F(Gradients, NormAtZeroUsesTheZeroSubgradient) {
  NDArray x = nd::zeros({3});
  x.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    y = x.norm();
  }
  y.backward();
  testing::expect_values(x.grad(), {0, 0, 0});
}

TEST_F(Gradients, LayoutOps) {
  check_gradients([](const Inputs& x) { return x[0].reshape({4, -1}); }, {away_from_zero({2, 6})});
  check_gradients([](const Inputs& x) { return x[0].T(); }, {away_from_zero({2, 5})});
  check_gradients([](const Inputs& x) { return x[0].transpose({1, 2, 0}); }, {away_from_zero({2, 3, 4})});
  check_gradients([](const Inputs& x) { return nd::concat({x[0], x[1]}, 0); },
                  {away_from_zero({2, 3}), away_from_zero({1, 3})});
  check_gradients([](const Inputs& x) { return nd::concat({x[0], x[1], x[0]}, 1); },
                  {away_from_zero({2, 3}), away_from_zero({2, 2})});
  check_gradients([](const Inputs& x) { return x[0].slice(1, 3); }, {away_from_zero({4, 2})});
  check_gradients([](const Inputs& x) { return nd::slice_axis(x[0], 1, 0, 2); }, {away_from_zero({2, 3})});
  check_gradients([](const Inputs& x) { return nd::broadcast_to(x[0], {3, 4}); }, {away_from_zero({3, 1})});
  check_gradients([](const Inputs& x) { return nd::sum_to(x[0], {1, 4}); }, {away_from_zero({3, 4})});
}

TEST_F(Gradients, ComparisonsPassNoGradient) {
  NDArray x = away_from_zero({4});
  x.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    y = (x > 0.f) * x;  // the mask is a constant factor
  }
  y.backward();
  testing::expect_values(x.grad(), (x > 0.f).to_vector());
}

}  // namespace
}  // namespace kiln
