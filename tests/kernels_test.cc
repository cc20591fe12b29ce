// Every kernel against hand-computed values, through the nd:: functions users call.
#include <cmath>

#include "runtime/kernels/gemm.h"
#include "runtime/kernels/layout.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::expect_values;

NDArray a23() { return nd::array({1, 2, 3, 4, 5, 6}, {2, 3}); }

TEST(Layout, TiledTransposeCoversPartialTiles) {
  const int64_t rows = 70, cols = 45;  // tiles of 32 leave partial tiles on both axes
  std::vector<float> x(rows * cols), out(rows * cols, -1.f);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  kernels::transpose_2d(x.data(), rows, cols, out.data());
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) ASSERT_EQ(out[j * rows + i], x[i * cols + j]) << i << "," << j;
}

TEST(Elementwise, SameShapeArithmetic) {
  NDArray a = a23(), b = nd::array({6, 5, 4, 3, 2, 1}, {2, 3});
  expect_values(a + b, {7, 7, 7, 7, 7, 7});
  expect_values(a - b, {-5, -3, -1, 1, 3, 5});
  expect_values(a * b, {6, 10, 12, 12, 10, 6});
  expect_values(a / b, {1.f / 6, 2.f / 5, 3.f / 4, 4.f / 3, 5.f / 2, 6});
}

TEST(Elementwise, BroadcastsRowsColumnsAndScalars) {
  NDArray a = a23();
  expect_values(a + nd::array({10, 20, 30}), {11, 22, 33, 14, 25, 36});          // 2x3 + 3
  expect_values(a * nd::array({2, 3}, {2, 1}), {2, 4, 6, 12, 15, 18});           // 2x3 * 2x1
  expect_values(nd::array({1, 2}, {2, 1}) - nd::array({1, 2, 3}, {1, 3}),        // 2x1 - 1x3
                {0, -1, -2, 1, 0, -1});
  expect_values(a - 1.f, {0, 1, 2, 3, 4, 5});
  expect_values(1.f - a, {0, -1, -2, -3, -4, -5});
  expect_values(12.f / a, {12, 6, 4, 3, 2.4f, 2});
  expect_values(a / 2.f, {0.5f, 1, 1.5f, 2, 2.5f, 3});
  expect_values(2.f * a, {2, 4, 6, 8, 10, 12});
  // 3-D against 2-D with a broadcast middle axis.
  NDArray x = nd::array({1, 2, 3, 4}, {2, 1, 2});
  NDArray y = nd::array({10, 20, 30, 40, 50, 60}, {3, 2});
  NDArray z = x + y;
  EXPECT_EQ(z.shape(), (Shape{2, 3, 2}));
  expect_values(z, {11, 22, 31, 42, 51, 62, 13, 24, 33, 44, 53, 64});
  // Empty arrays broadcast to empty results.
  EXPECT_EQ((nd::zeros({0, 3}) + nd::ones({3})).shape(), (Shape{0, 3}));
}

TEST(Elementwise, InPlaceUpdatesTheSameStorage) {
  NDArray a = a23();
  NDArray alias = a;
  const float* before = a.data();
  a += nd::array({1, 1, 1});
  a *= 2.f;
  a -= 1.f;
  a /= nd::array({1, 2}, {2, 1});
  EXPECT_EQ(a.data(), before);
  expect_values(alias, {3, 5, 7, 4.5f, 5.5f, 6.5f});
  EXPECT_THROW(a += nd::zeros({4, 2, 3}), ShapeError);  // cannot grow the target
}

TEST(Elementwise, UnaryFunctions) {
  NDArray x = nd::array({-2, -0.5f, 0, 0.5f, 2});
  expect_values(nd::relu(x), {0, 0, 0, 0.5f, 2});
  std::vector<float> sig, th, ex;
  for (float v : x.to_vector()) {
    sig.push_back(1 / (1 + std::exp(-v)));
    th.push_back(std::tanh(v));
    ex.push_back(std::exp(v));
  }
  expect_values(nd::sigmoid(x), sig);
  expect_values(nd::tanh(x), th);
  expect_values(nd::exp(x), ex);
  expect_values(-x, {2, 0.5f, 0, -0.5f, -2});
  expect_values(nd::log(nd::array({1, std::exp(1.f), 0.25f})), {0, 1, std::log(0.25f)});
  expect_values(nd::sqrt(nd::array({4, 9})), {2, 3});
  expect_values(nd::square(nd::array({-3, 2})), {9, 4});
  expect_values(x.relu(), {0, 0, 0, 0.5f, 2});
}

TEST(Elementwise, ComparisonsAndMaximum) {
  NDArray a = nd::array({1, 5, 3}), b = nd::array({2, 5, 1});
  expect_values(a > b, {0, 0, 1});
  expect_values(a < b, {1, 0, 0});
  expect_values(a == b, {0, 1, 0});
  expect_values(a > 2.f, {0, 1, 1});
  expect_values(nd::maximum(a, b), {2, 5, 3});
}

TEST(Dot, MatrixProductsWithTransposeFlags) {
  NDArray a = a23();                                     // 2x3
  NDArray b = nd::array({1, 0, 0, 1, 1, 1}, {3, 2});     // 3x2
  expect_values(nd::dot(a, b), {4, 5, 10, 11});
  expect_values(nd::dot(a, a, false, true), {14, 32, 32, 77});   // a·aᵀ
  expect_values(nd::dot(a, a, true, false), {17, 22, 27, 22, 29, 36, 27, 36, 45});  // aᵀ·a
  expect_values(nd::dot(b, a, true, true), {4, 10, 5, 11});      // bᵀ·aᵀ = (a·b)ᵀ
}

TEST(Dot, VectorsAndHigherRanks) {
  expect_values(nd::dot(nd::array({1, 2, 3}), nd::array({4, 5, 6})), {32});
  NDArray m = nd::dot(nd::array({1, 2}), a23());
  EXPECT_EQ(m.shape(), (Shape{3}));
  expect_values(m, {9, 12, 15});
  NDArray t = nd::dot(nd::ones({2, 2, 3}), a23().T());
  EXPECT_EQ(t.shape(), (Shape{2, 2, 2}));
  expect_values(t, {6, 15, 6, 15, 6, 15, 6, 15});
}

// The oneDNN path against the loops on shapes on both sides of the threshold.
TEST(Dot, OneDnnAndLoopsAgree) {
  for (auto [m, n, k] : {std::tuple{2, 256, 20}, {64, 64, 64}, {33, 130, 77}, {256, 10, 1024}}) {
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        NDArray a = nd::random::uniform(-1, 1, ta ? Shape{k, m} : Shape{m, k});
        NDArray b = nd::random::uniform(-1, 1, tb ? Shape{n, k} : Shape{k, n});
        NDArray bias = nd::random::uniform(-1, 1, {n});
        NDArray loops(Shape{m, n}), dnnl(Shape{m, n});
        kernels::GemmDims d{m, n, k, ta, tb};
        kernels::gemm_loops(d, a.data(), b.data(), bias.data(), loops.data());
        kernels::gemm_onednn(d, a.data(), b.data(), bias.data(), dnnl.data());
        testing::expect_close(loops, dnnl, 1e-4f, 1e-4f);
      }
  }
}

// c = alpha·op(a)·op(b) + beta·c in place (the fused SGD step), against the loops' product
// combined by hand; a second call with another alpha reuses the primitive.
TEST(Dot, OneDnnAccumulatesScaledProductsInPlace) {
  for (auto [m, n, k] : {std::tuple{256, 784, 16}, {33, 130, 77}})
    for (bool ta : {false, true})
      for (float beta : {1.f, 0.5f, 0.f}) {
        SCOPED_TRACE(fmt(m, "x", n, "x", k, " ta=", ta, " beta=", beta));
        NDArray a = nd::random::uniform(-1, 1, ta ? Shape{k, m} : Shape{m, k});
        NDArray b = nd::random::uniform(-1, 1, {k, n});
        NDArray c = nd::random::uniform(-1, 1, {m, n});
        NDArray product(Shape{m, n});
        kernels::GemmDims d{m, n, k, ta, false};
        kernels::gemm_loops(d, a.data(), b.data(), nullptr, product.data());
        NDArray want = c;
        for (float alpha : {-0.03125f, 2.f}) {
          want = want * beta + product * alpha;
          kernels::gemm_onednn_accumulate(d, a.data(), b.data(), alpha, beta, c.data());
          testing::expect_close(c, want, 1e-4f, 1e-4f);
        }
      }
}

TEST(Dot, FullyConnectedIsXTimesWeightTransposedPlusBias) {
  NDArray x = a23();
  NDArray w = nd::array({1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 2}, {4, 3});
  NDArray b = nd::array({0.5f, 0, 0, -1});
  expect_values(nd::fully_connected(x, w, b), {1.5f, 2, 6, 5, 4.5f, 5, 15, 11});
  expect_values(nd::fully_connected(x, w), {1, 2, 6, 6, 4, 5, 15, 12});
}

TEST(Reduce, SumMeanMaxOverAllAndOneAxis) {
  NDArray a = a23();
  NDArray s = a.sum();
  EXPECT_EQ(s.shape(), (Shape{1}));
  expect_values(s, {21});
  expect_values(a.sum(0), {5, 7, 9});
  expect_values(a.sum(1), {6, 15});
  expect_values(a.sum(-1), {6, 15});
  EXPECT_EQ(a.sum(1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(a.sum({}, true).shape(), (Shape{1, 1}));
  expect_values(a.mean(), {3.5f});
  expect_values(a.mean(0), {2.5f, 3.5f, 4.5f});
  expect_values(a.max(), {6});
  expect_values(a.max(1), {3, 6});
  expect_values((-a).max(0), {-1, -2, -3});
  NDArray big = nd::ones({1000});  // more elements than the vector lanes
  expect_values(big.sum(), {1000});
}

TEST(Reduce, L2Norm) {
  expect_values(nd::array({3, 4}).norm(), {5});
  expect_values(nd::array({1, 2, 2, 4}, {2, 2}).norm(), {5});
  EXPECT_FLOAT_EQ(a23().norm().asscalar(), std::sqrt(91.f));
}

TEST(Layout, ReshapeTransposeConcatSlice) {
  NDArray a = a23();
  expect_values(a.reshape({3, 2}), {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(a.reshape({-1}).shape(), (Shape{6}));
  NDArray t = a.T();
  EXPECT_EQ(t.shape(), (Shape{3, 2}));
  expect_values(t, {1, 4, 2, 5, 3, 6});
  NDArray cube = nd::array({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {2, 3, 2});
  NDArray p = cube.transpose({2, 0, 1});
  EXPECT_EQ(p.shape(), (Shape{2, 2, 3}));
  expect_values(p, {0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11});
  expect_values(nd::concat({a, nd::array({7, 8, 9}, {1, 3})}, 0), {1, 2, 3, 4, 5, 6, 7, 8, 9});
  NDArray side = nd::concat({a, nd::array({0, 0}, {2, 1})});  // MXNet's default dim=1
  EXPECT_EQ(side.shape(), (Shape{2, 4}));
  expect_values(side, {1, 2, 3, 0, 4, 5, 6, 0});
  expect_values(a.slice(1, 2), {4, 5, 6});
  expect_values(nd::slice_axis(a, 1, 1, 3), {2, 3, 5, 6});
  expect_values(nd::broadcast_to(nd::array({1, 2}, {2, 1}), {2, 3}), {1, 1, 1, 2, 2, 2});
  expect_values(nd::sum_to(a, {1, 3}), {5, 7, 9});
  expect_values(nd::sum_to(a, {2, 1}), {6, 15});
  expect_values(nd::sum_to(a, {}), {21});
}

}  // namespace
}  // namespace kiln
