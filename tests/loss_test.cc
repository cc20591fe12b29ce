// kiln::loss: each loss against a host-computed reference, per sample; eager = hybridized
// (values and compiled gradients); stability at extreme logits; labels out of range.
#include <cmath>

#include "test_util.h"

namespace kiln {
namespace {

using testing::expect_close;
using testing::expect_values;

constexpr float kAtol = 1e-5f, kRtol = 1e-4f;

class Losses : public ::testing::Test {
 protected:
  void SetUp() override { nd::random::seed(11); }
};

// Per-sample losses for pred 2x3 and label 2x3, by the formulas Gluon documents.
TEST_F(Losses, RegressionLossesMatchTheirFormulas) {
  std::vector<float> p{0.5f, -1.f, 2.f, 0.f, 3.f, -0.25f}, y{1.f, -1.f, 0.f, 0.5f, 1.f, 0.25f};
  NDArray pred = nd::array(p, {2, 3}), label = nd::array(y, {2, 3});
  auto per_sample = [&](auto f) {
    std::vector<float> out(2, 0.f);
    for (int i = 0; i < 6; ++i) out[i / 3] += f(p[i], y[i]) / 3.f;
    return out;
  };
  expect_values(loss::L2Loss()(pred, label), per_sample([](float a, float b) { return 0.5f * (a - b) * (a - b); }));
  expect_values(loss::L1Loss()(pred, label), per_sample([](float a, float b) { return std::fabs(a - b); }));
  expect_values(loss::HuberLoss(1.f)(pred, label), per_sample([](float a, float b) {
                  float d = std::fabs(a - b);
                  return d > 1.f ? d - 0.5f : 0.5f * d * d;
                }));
  expect_values(loss::SigmoidBinaryCrossEntropyLoss()(pred, nd::array({1, 0, 1, 0, 1, 1}, {2, 3})),
                [&] {
                  std::vector<float> z{1, 0, 1, 0, 1, 1}, out(2, 0.f);
                  for (int i = 0; i < 6; ++i) {
                    float s = 1.f / (1.f + std::exp(-p[i]));
                    out[i / 3] += -(z[i] * std::log(s) + (1 - z[i]) * std::log(1 - s)) / 3.f;
                  }
                  return out;
                }());
  // weight scales; sample_weight multiplies each element before the mean.
  expect_close(loss::L1Loss(2.f)(pred, label), loss::L1Loss()(pred, label) * 2.f);
  NDArray sw = nd::array({1, 0}, {2, 1});
  expect_values(loss::L1Loss()(pred, label, sw), {per_sample([](float a, float b) { return std::fabs(a - b); })[0], 0.f});
}

TEST_F(Losses, SoftmaxCrossEntropySparseAndDense) {
  std::vector<float> logits{1.f, 2.f, 3.f, -1.f, 0.f, 4.f};
  NDArray pred = nd::array(logits, {2, 3});
  auto ce = [&](int row, int cls) {
    float m = 0;
    for (int j = 0; j < 3; ++j) m += std::exp(logits[row * 3 + j]);
    return std::log(m) - logits[row * 3 + cls];
  };
  std::vector<float> expected{ce(0, 2), ce(1, 0)};
  loss::SoftmaxCrossEntropyLoss sparse;
  expect_values(sparse(pred, nd::array({2, 0})), expected);
  expect_values(sparse(pred, nd::array({2, 0}, {2, 1})), expected);  // (batch, 1) labels too
  loss::SoftmaxCrossEntropyLoss dense({.sparse_label = false});
  expect_values(dense(pred, nd::array({0, 0, 1, 1, 0, 0}, {2, 3})), expected);
  loss::SoftmaxCrossEntropyLoss logp({.from_logits = true});
  expect_values(logp(nd::log_softmax(pred), nd::array({2, 0})), expected);
  loss::SoftmaxCrossEntropyLoss first_axis({.axis = 0});
  expect_close(first_axis(pred.T(), nd::array({2, 0})), sparse(pred, nd::array({2, 0})));
}

TEST_F(Losses, StableAtExtremeLogits) {
  NDArray pred = nd::array({1000.f, 0.f, -1000.f, -1000.f, 1000.f, 0.f}, {2, 3});
  expect_values(loss::SoftmaxCrossEntropyLoss()(pred, nd::array({0, 0})), {0.f, 2000.f}, 1e-3f);
  expect_values(loss::SigmoidBinaryCrossEntropyLoss()(nd::array({100.f, -100.f}, {2, 1}), nd::array({0.f, 0.f}, {2, 1})),
                {100.f, 0.f}, 1e-3f);
}

// Every loss hybridizes: compiled values and compiled gradients equal eager ones.
TEST_F(Losses, HybridizedLossesMatchEagerValuesAndGradients) {
  NDArray pred = nd::random::uniform(-2, 2, {4, 5});
  NDArray dense_label = nd::random::uniform(0, 1, {4, 5});
  NDArray classes = nd::array({4, 0, 2, 1});
  std::vector<std::pair<std::shared_ptr<loss::Loss>, NDArray>> cases{
      {std::make_shared<loss::L2Loss>(), dense_label},
      {std::make_shared<loss::L1Loss>(), dense_label},
      {std::make_shared<loss::HuberLoss>(0.5f), dense_label},
      {std::make_shared<loss::SigmoidBinaryCrossEntropyLoss>(), dense_label},
      {std::make_shared<loss::SoftmaxCrossEntropyLoss>(), classes},
      {std::make_shared<loss::SoftmaxCrossEntropyLoss>(loss::SoftmaxCrossEntropyOptions{.sparse_label = false}),
       nd::softmax(dense_label)}};
  for (auto& [l, label] : cases) {
    SCOPED_TRACE(l->type_name());
    auto run = [&] {
      NDArray p = pred.copy();
      p.attach_grad();
      NDArray value;
      {
        auto rec = autograd::record();
        value = (*l)(p, label);
      }
      value.backward();
      return std::make_pair(value, p.grad().copy());
    };
    auto [eager, eager_grad] = run();
    EXPECT_EQ(eager.shape(), (Shape{4}));
    l->hybridize();
    run();
    auto [compiled, compiled_grad] = run();
    EXPECT_EQ(l->hybrid_stats().compiled, 1u);
    expect_close(compiled, eager, kAtol, kRtol);
    expect_close(compiled_grad, eager_grad, kAtol, kRtol);
    expect_close((*l)(pred, label), eager, kAtol, kRtol);  // predict mode, traced
    expect_close((*l)(pred, label), eager, kAtol, kRtol);  // and compiled
  }
}

// A label out of range is an error naming it and the range, eagerly and from compiled code
// (a guard's side exit completes the call on the host, which raises).
TEST_F(Losses, LabelsOutOfRangeNameTheLabelAndTheRange) {
  loss::SoftmaxCrossEntropyLoss l;
  NDArray pred = nd::random::uniform({3, 10});
  EXPECT_THROW_WITH(l(pred, nd::array({1, 12, 3})), ValueError, "label 12", "[0, 10)");
  l.hybridize();
  NDArray good = nd::array({1, 2, 3}), bad = nd::array({1, 2, -1});
  l(pred, good);
  l(pred, good);
  EXPECT_EQ(l.hybrid_stats().compiled, 1u);
  EXPECT_THROW_WITH(l(pred, bad), ValueError, "label -1", "[0, 10)");
  {
    auto rec = autograd::record();
    l(pred, good);
    l(pred, good);
    EXPECT_THROW_WITH(l(pred, nd::array({10, 2, 3})), ValueError, "label 10", "[0, 10)");
  }
  expect_close(l(pred, good), [&] {
    l.hybridize(false);
    return l(pred, good);
  }());
}

TEST_F(Losses, BadInputsAreClearErrors) {
  NDArray pred = nd::random::uniform({2, 3});
  EXPECT_THROW_WITH(loss::L2Loss()(pred, nd::ones({4})), ShapeError, "L2Loss", "2x3");
  EXPECT_THROW_WITH(loss::SoftmaxCrossEntropyLoss()(pred, nd::ones({3})), ShapeError, "sparse label", "shape 2");
  EXPECT_THROW_WITH(loss::L2Loss()(std::vector<NDArray>{pred}), ValueError, "(pred, label)");
  EXPECT_THROW_WITH(loss::HuberLoss(0.f), ValueError, "rho");
}

TEST_F(Losses, ActivationsAndLeakyReLU) {
  NDArray x = nd::array({-2.f, -0.5f, 0.f, 1.5f});
  expect_values(nn::Activation("softrelu")(x), {std::log1p(std::exp(-2.f)), std::log1p(std::exp(-0.5f)), std::log(2.f),
                                                1.5f + std::log1p(std::exp(-1.5f))});
  expect_values(nn::Activation("softsign")(x), {-2.f / 3, -0.5f / 1.5f, 0.f, 1.5f / 2.5f});
  expect_values(nn::LeakyReLU(0.1f)(x), {-0.2f, -0.05f, 0.f, 1.5f});
  EXPECT_THROW_WITH(nn::Activation("gelu"), ValueError, "gelu", "softsign");
  nn::Dense d(3, "softrelu");
  d.initialize();
  EXPECT_EQ(d(nd::ones({2, 4})).shape(), (Shape{2, 3}));
}

}  // namespace
}  // namespace kiln
