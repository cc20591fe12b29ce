// Special values (NaN, ±0, ±inf) give the same answer eagerly, compiled and folded, for every
// elementwise op and reduction. kiln's semantics (docs/architecture.md, "Numerics"): IEEE 754
// arithmetic; maximum, relu and max are IEEE 754-2019 maximum (NaN if an operand is NaN, +0
// above -0); comparisons are false on NaN.
#include <cmath>
#include <functional>

#include "test_util.h"

namespace kiln {
namespace {

using Fn = std::function<NDArray(const std::vector<NDArray>&)>;

const std::vector<float> kSpecial = {NAN, -INFINITY, -2.5f, -1.f, -0.f, 0.f, 0.5f, 1.f, 3.f, INFINITY};

// NaN matches NaN; zeros and infinities match exactly, sign included; finite values to 2 ulps
// of rounding (compiled exp is a polynomial approximation, not libm).
void expect_same(const NDArray& got, const NDArray& want, const std::string& how) {
  ASSERT_EQ(got.shape(), want.shape()) << how;
  std::vector<float> g = got.to_vector(), w = want.to_vector();
  for (size_t i = 0; i < g.size(); ++i) {
    SCOPED_TRACE(how + ", flat index " + std::to_string(i));
    if (std::isnan(w[i]) || std::isnan(g[i])) {
      EXPECT_TRUE(std::isnan(w[i]) && std::isnan(g[i])) << g[i] << " vs " << w[i];
    } else if (w[i] == 0 || std::isinf(w[i]) || g[i] == 0 || std::isinf(g[i])) {
      EXPECT_EQ(g[i], w[i]);
      EXPECT_EQ(std::signbit(g[i]), std::signbit(w[i])) << g[i] << " vs " << w[i];
    } else {
      EXPECT_NEAR(g[i], w[i], 2.5e-7f * std::fabs(w[i]));
    }
  }
}

// `fn` applied to get_constant values: the compiler folds it (by running the eager kernels).
class AppliesToConstants : public nn::Block {
 public:
  AppliesToConstants(Fn fn, const std::vector<NDArray>& values) : fn_(std::move(fn)) {
    for (size_t i = 0; i < values.size(); ++i) constants_.push_back(params().get_constant(fmt("c", i), values[i]));
  }

 protected:
  NDArray forward(const NDArray&) override {
    std::vector<NDArray> cs;
    for (const auto& c : constants_) cs.push_back(c->data());
    return fn_(cs);  // the input only names the signature
  }
  Fn fn_;
  std::vector<std::shared_ptr<Parameter>> constants_;
};

void expect_eager_compiled_folded_agree(const std::string& name, const Fn& fn, const std::vector<NDArray>& inputs) {
  SCOPED_TRACE(name);
  NDArray eager = fn(inputs);
  testing::FunctionBlock compiled(fn);
  compiled.hybridize();
  compiled(inputs);
  expect_same(compiled(inputs)[0], eager, "compiled");
  EXPECT_EQ(compiled.hybrid_stats().compiled, 1u);
  AppliesToConstants folded(fn, inputs);
  folded.hybridize();
  NDArray zero = nd::zeros({1});
  folded(zero);
  expect_same(folded(zero), eager, "folded");
  EXPECT_EQ(folded.hybrid_stats().compiled, 1u);
}

TEST(SpecialValues, UnaryOps) {
  NDArray x = nd::array(kSpecial);
  std::vector<std::pair<std::string, std::function<NDArray(const NDArray&)>>> ops = {
      {"relu", nd::relu},         {"sigmoid", nd::sigmoid}, {"tanh", nd::tanh},   {"exp", nd::exp},
      {"log", nd::log},           {"negative", nd::negative}, {"sqrt", nd::sqrt}, {"square", nd::square},
      {"abs", nd::abs},           {"softrelu", nd::softrelu}, {"softsign", nd::softsign}};
  for (const auto& [name, op] : ops)
    expect_eager_compiled_folded_agree(name, [op](const std::vector<NDArray>& in) { return op(in[0]); }, {x});
}

// Compiled exp is MLIR's polynomial approximation (kiln-approximate-exp), not libm: within 2 ulps
// of the exact value up to x = 88.6, within 5 ulps from there to overflow (88.72, where the
// range reduction's exponent is clamped), +inf beyond, and within the smallest normal float of
// the exact value where the result is subnormal (libm gives the subnormal; this may give 0).
TEST(SpecialValues, CompiledExpIsWithinTwoUlpsOverItsRange) {
  std::vector<float> xs;
  for (int i = 0; i <= 400000; ++i) xs.push_back(-87.33f + 176.04f * static_cast<float>(i) / 400000.f);
  for (float x : {-0.f, 1e-30f, -1e-30f, 1e-7f, 0.5f, 88.7f, 88.73f, 89.f, 1e6f, -87.4f, -90.f, -1e6f}) xs.push_back(x);
  testing::FunctionBlock compiled([](const std::vector<NDArray>& in) { return nd::exp(in[0]); });
  compiled.hybridize();
  std::vector<NDArray> x = {nd::array(xs)};
  compiled(x);
  std::vector<float> got = compiled(x)[0].to_vector();
  ASSERT_EQ(compiled.hybrid_stats().compiled, 1u);
  double worst = 0, worst_near_overflow = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    SCOPED_TRACE(fmt("exp(", xs[i], ")"));
    double want = std::exp(static_cast<double>(xs[i]));
    if (want > std::numeric_limits<float>::max()) {
      EXPECT_EQ(got[i], INFINITY);
    } else if (want < std::numeric_limits<float>::min()) {
      EXPECT_LE(std::fabs(got[i] - want), std::numeric_limits<float>::min());
    } else {
      double ulp = std::nextafter(static_cast<float>(want), INFINITY) - static_cast<float>(want);
      double& bound = xs[i] <= 88.6f ? worst : worst_near_overflow;
      bound = std::max(bound, std::fabs(got[i] - want) / ulp);
    }
  }
  EXPECT_LE(worst, 2.0) << "largest error of compiled exp up to 88.6, in ulps of the exact value";
  EXPECT_LE(worst_near_overflow, 5.0) << "largest error of compiled exp from 88.6 to overflow, in ulps";
}

TEST(SpecialValues, BinaryOpsOverEveryPair) {
  int64_t n = static_cast<int64_t>(kSpecial.size());
  NDArray a = nd::array(kSpecial, {n, 1}), b = nd::array(kSpecial, {1, n});
  std::vector<std::pair<std::string, std::function<NDArray(const NDArray&, const NDArray&)>>> ops = {
      {"add", nd::add},          {"subtract", nd::subtract}, {"multiply", nd::multiply}, {"divide", nd::divide},
      {"maximum", nd::maximum},  {"minimum", nd::minimum},   {"equal", nd::equal},       {"greater", nd::greater},   {"lesser", nd::lesser}};
  for (const auto& [name, op] : ops)
    expect_eager_compiled_folded_agree(name, [op](const std::vector<NDArray>& in) { return op(in[0], in[1]); }, {a, b});
}

TEST(SpecialValues, ReductionsOverEveryPairAndEverything) {
  // Row i*n+j holds (v_i, v_j): each reduction meets every pair of special values.
  std::vector<float> pairs;
  for (float u : kSpecial)
    for (float v : kSpecial) pairs.insert(pairs.end(), {u, v});
  NDArray rows = nd::array(pairs, {static_cast<int64_t>(kSpecial.size() * kSpecial.size()), 2});
  NDArray all = nd::array(kSpecial);
  NDArray finite_and_zeros = nd::array({-0.f, -1.f, -0.f, -3.f});  // max is -0, sum -4
  std::vector<std::pair<std::string, Fn>> ops = {
      {"sum(axis 1)", [](const std::vector<NDArray>& in) { return nd::sum(in[0], 1); }},
      {"mean(axis 1)", [](const std::vector<NDArray>& in) { return nd::mean(in[0], 1); }},
      {"max(axis 1)", [](const std::vector<NDArray>& in) { return nd::max(in[0], 1); }},
      {"max(axis 0)", [](const std::vector<NDArray>& in) { return nd::max(in[0], 0); }},
      {"sum", [](const std::vector<NDArray>& in) { return nd::sum(in[0]); }},
      {"max", [](const std::vector<NDArray>& in) { return nd::max(in[0]); }},
      {"norm", [](const std::vector<NDArray>& in) { return nd::norm(in[0]); }}};
  for (const auto& [name, op] : ops) {
    expect_eager_compiled_folded_agree(name + " of pairs", op, {rows});
    expect_eager_compiled_folded_agree(name + " of all", op, {all.reshape({1, -1})});
    expect_eager_compiled_folded_agree(name + " of negatives", op, {finite_and_zeros.reshape({2, 2})});
  }
}

TEST(SpecialValues, ArgmaxOverEveryPairAndEverything) {
  std::vector<float> pairs;
  for (float u : kSpecial)
    for (float v : kSpecial) pairs.insert(pairs.end(), {u, v});
  int64_t n = static_cast<int64_t>(kSpecial.size());
  NDArray rows = nd::array(pairs, {n * n, 2});
  for (std::optional<int> axis : {std::optional<int>(1), std::optional<int>(0), std::optional<int>(-1), std::optional<int>()})
    expect_eager_compiled_folded_agree(axis ? fmt("argmax(axis ", *axis, ")") : "argmax",
                                       [axis](const std::vector<NDArray>& in) { return nd::argmax(in[0], axis); }, {rows});
  // The first NaN wins; otherwise the first of equal maxima (-0 and +0 are equal); -inf
  // everywhere gives 0; all elements give the flat index.
  NDArray x = nd::array({1, NAN, 3, NAN, -0.f, 0.f, 0.f, -1, -INFINITY, -INFINITY, -INFINITY, -INFINITY}, {3, 4});
  testing::expect_values(nd::argmax(x, 1), {1, 0, 0});
  testing::expect_values(nd::argmax(x, 0, true), {0, 0, 0, 0});
  EXPECT_EQ(nd::argmax(x, 0, true).shape(), (Shape{1, 4}));
  testing::expect_values(nd::argmax(x), {1});
  testing::expect_values(nd::argmax(nd::array({2, 5, 5, -1}, {2, 2})), {1});
  expect_eager_compiled_folded_agree("argmax(axis 1, keepdims)",
                                     [](const std::vector<NDArray>& in) { return nd::argmax(in[0], 1, true); }, {x});
  expect_eager_compiled_folded_agree("argmax of a 3-D array",
                                     [](const std::vector<NDArray>& in) { return nd::argmax(in[0]); },
                                     {nd::array({0, 1, 2, 9, 4, 5, 9, 7}, {2, 2, 2})});
  expect_eager_compiled_folded_agree("argmax of a 0-d array",
                                     [](const std::vector<NDArray>& in) { return nd::argmax(in[0]); }, {nd::full({}, 3.f)});
}

// softmax and log_softmax shift by the row's IEEE maximum: a NaN anywhere in a row makes the row
// NaN, +inf makes it NaN (inf − inf), and −inf entries get probability 0 (log −inf).
TEST(SpecialValues, SoftmaxFamilyOverEveryPair) {
  std::vector<float> pairs;
  for (float u : kSpecial)
    for (float v : kSpecial) pairs.insert(pairs.end(), {u, v});
  NDArray rows = nd::array(pairs, {static_cast<int64_t>(kSpecial.size() * kSpecial.size()), 2});
  for (int axis : {1, 0}) {
    expect_eager_compiled_folded_agree(fmt("softmax(axis ", axis, ")"),
                                       [axis](const std::vector<NDArray>& in) { return nd::softmax(in[0], axis); }, {rows});
    expect_eager_compiled_folded_agree(fmt("log_softmax(axis ", axis, ")"),
                                       [axis](const std::vector<NDArray>& in) { return nd::log_softmax(in[0], axis); }, {rows});
  }
  testing::expect_values(nd::softmax(nd::array({-INFINITY, 0, 0}, {1, 3})), {0, 0.5f, 0.5f});
}

// pick copies the element it picks: a -inf or NaN elsewhere in the row stays out (a product with
// a one-hot row would make it NaN).
TEST(SpecialValues, PickTakesOnlyThePickedElement) {
  NDArray x = nd::array({-INFINITY, 2, NAN, 1, INFINITY, -0.f}, {2, 3});
  NDArray labels = nd::array({1, 2});
  testing::expect_values(nd::pick(x, labels), {2, -0.f});
  EXPECT_TRUE(std::signbit(nd::pick(x, labels).data()[1]));
  expect_eager_compiled_folded_agree("pick", [](const std::vector<NDArray>& in) { return nd::pick(in[0], in[1]); },
                                     {x, labels});
  expect_eager_compiled_folded_agree("pick(axis 0, keepdims)",
                                     [](const std::vector<NDArray>& in) { return nd::pick(in[0], in[1], 0, true); },
                                     {x, nd::array({1, 0, 1})});
  expect_eager_compiled_folded_agree("one_hot", [](const std::vector<NDArray>& in) { return nd::one_hot(in[0], 4); },
                                     {nd::array({0, 3, 2.5f, -1, NAN, 1}, {2, 3})});
  EXPECT_THROW_WITH(nd::pick(x, nd::array({1, NAN})), ValueError, "label nan", "[0, 3)");
}

// where copies the value it takes: an inf or NaN in the other branch stays out (c·x + (1−c)·y
// would turn it into NaN).
TEST(SpecialValues, WhereTakesOnlyTheChosenValue) {
  int64_t n = static_cast<int64_t>(kSpecial.size());
  NDArray values = nd::array(kSpecial, {n, 1}), others = nd::array(kSpecial, {1, n});
  NDArray condition = nd::array({1, 0, NAN, -0.f, INFINITY, 0, 1, 0, 2, 0}, {n, 1});  // NaN counts as true, -0 as false
  expect_eager_compiled_folded_agree("where", [](const std::vector<NDArray>& in) { return nd::where(in[0], in[1], in[2]); },
                                     {condition, values, others});
  testing::expect_values(nd::where(nd::array({1, 0, 1}), nd::array({1, 2, 3}), nd::array({INFINITY, 5, -INFINITY})), {1, 5, 3});
  testing::expect_values(nd::where(nd::array({0, 1}), nd::array({NAN, 2}), nd::array({1, INFINITY})), {1, 2});
  EXPECT_THROW_WITH(nd::where(nd::ones({2}), nd::ones({3}), nd::ones({3})), ShapeError, "where");
}

// Dense(relu): the relu may be fused into the product — a vector epilogue for small shapes, a
// oneDNN post-op for large ones — and must still be kiln's maximum(x, 0).
TEST(SpecialValues, DenseReluFusedIntoTheProductAgrees) {
  for (int64_t batch : {2, 256}) {  // 2x20 -> 64: generated kernel; 256x512 -> 512: oneDNN
    SCOPED_TRACE(fmt("batch ", batch));
    int64_t in = batch == 2 ? 20 : 512, units = batch == 2 ? 64 : 512;
    nn::Sequential net;
    net.add(nn::Dense(units, "relu", true, in));
    net.initialize();
    Parameter& w = net.collect_params()["0.weight"];
    w.set_data(nd::random::uniform(0.5f, 1.5f, {units, in}));
    net.collect_params()["0.bias"].set_data(nd::full({units}, -0.f));
    NDArray x = nd::random::uniform(-1, 1, {batch, in});
    float* rows = x.data();
    for (int64_t j = 0; j < in; ++j) {
      rows[0 * in + j] = -0.f;                       // row 0: every product -0, so the sum is -0
      rows[1 * in + j] = j == 0 ? NAN : 1.f;         // row 1: NaN
    }
    if (batch > 2) {
      for (int64_t j = 0; j < in; ++j) rows[2 * in + j] = j == 0 ? -INFINITY : 1.f;  // -inf: relu 0
      rows[3 * in] = INFINITY;
    }
    NDArray eager = net(x);
    net.hybridize();
    net(x);
    expect_same(net(x), eager, "compiled");
    EXPECT_EQ(net.hybrid_stats().compiled, 1u);
  }
}

TEST(SpecialValues, MaximumIsIeeeMaximum) {
  // The semantics themselves, on the example: NaN propagates, +0 is above -0.
  NDArray got = nd::maximum(nd::array({NAN, -1, 2, -0.f}), nd::zeros({}));
  std::vector<float> v = got.to_vector();
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], 0.f);
  EXPECT_EQ(v[2], 2.f);
  EXPECT_EQ(v[3], 0.f);
  EXPECT_FALSE(std::signbit(v[3]));
  std::vector<float> r = nd::relu(nd::array({NAN, -INFINITY, -0.f})).to_vector();
  EXPECT_TRUE(std::isnan(r[0]));
  EXPECT_EQ(r[1], 0.f);
  EXPECT_FALSE(std::signbit(r[2]));
  EXPECT_TRUE(std::isnan(nd::max(nd::array({1, NAN, 2})).asscalar()));
  EXPECT_FALSE(std::signbit(nd::max(nd::array({-0.f, 0.f, -0.f})).asscalar()));
}

}  // namespace
}  // namespace kiln
