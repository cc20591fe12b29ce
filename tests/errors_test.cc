// Every user-facing error names the problem and the values involved.
#include "runtime/threads.h"
#include "test_util.h"

namespace kiln {
namespace {

TEST(Errors, ThreadCountMustBePositive) {
  EXPECT_THROW(set_num_threads(0), ValueError);
  set_num_threads(1);
  EXPECT_EQ(num_threads(), 1);
}

TEST(Errors, ParameterUsedBeforeInitialize) {
  nn::Sequential net;
  net.add(nn::Dense(4, "", true, 3));
  EXPECT_THROW_WITH(net(nd::ones({2, 3})), InitError, "Parameter '0.weight'", "initialize()");
  EXPECT_THROW_WITH(net.collect_params()["0.bias"].data(), InitError, "'0.bias'", "not been initialized");
}

TEST(Errors, DeferredParameterReadBeforeTheFirstForward) {
  nn::Sequential net;
  net.add(nn::Dense(4));
  net.initialize();
  EXPECT_THROW_WITH(net.collect_params()["0.weight"].data(), InitError, "'0.weight'", "deferred", "first forward");
}

TEST(Errors, InUnitsMismatchNamesTheLayerAndBothWidths) {
  nn::Sequential net;
  net.add(nn::Dense(4, "relu", true, 20));
  net.initialize();
  EXPECT_THROW_WITH(net(nd::ones({2, 30})), ShapeError, "Dense '0'", "2x30", "30 features", "in_units is 20");
}

TEST(Errors, ShapeMismatchNamesTheOpAndBothShapes) {
  EXPECT_THROW_WITH(nd::ones({2, 3}) + nd::ones({4}), ShapeError, "add", "2x3", "4");
  EXPECT_THROW_WITH(nd::ones({2, 3}) * nd::ones({3, 2}), ShapeError, "multiply", "2x3", "3x2");
  EXPECT_THROW_WITH(nd::dot(nd::ones({2, 20}), nd::ones({30, 256})), ShapeError, "dot", "2x20", "30x256", "20 vs 30");
  EXPECT_THROW_WITH(nd::fully_connected(nd::ones({2, 5}), nd::ones({3, 4})), ShapeError, "fully_connected", "2x5", "3x4");
  EXPECT_THROW_WITH(nd::concat({nd::ones({2, 3}), nd::ones({3, 3})}, 1), ShapeError, "concat", "3x3", "2x3");
  EXPECT_THROW_WITH(nd::ones({2, 3}).reshape({4, 2}), ShapeError, "reshape", "2x3", "4x2");
  EXPECT_THROW_WITH(nd::broadcast_to(nd::ones({2, 3}), {4, 3}), ShapeError, "broadcast_to", "2x3", "4x3");
}

TEST(Errors, AsscalarOnManyElements) {
  EXPECT_THROW_WITH(nd::ones({2, 10}).asscalar(), ValueError, "asscalar", "2x10", "20 elements", "exactly one");
}

TEST(Errors, BadAxesAndArguments) {
  EXPECT_THROW_WITH(nd::ones({2, 3}).sum(2), ValueError, "sum", "axis 2", "rank 2");
  EXPECT_THROW_WITH(nd::ones({2, 3}).transpose({0, 0}), ValueError, "transpose", "permutation");
  EXPECT_THROW_WITH(nd::ones({4, 2}).slice(3, 6), ValueError, "slice_axis", "[3, 6)", "4x2");
  EXPECT_THROW_WITH(nn::Dense(4, "relu6"), ValueError, "relu6", "relu");
  EXPECT_THROW_WITH(nn::Dense(0), ValueError, "units");
  EXPECT_THROW_WITH(nd::random::uniform(1, 0, {2}), ValueError, "low");
  EXPECT_THROW_WITH(nd::array({1, 2, 3}, {2, 2}), ShapeError, "3 values", "2x2");
  nn::Dense d(2);
  EXPECT_THROW_WITH(d.collect_params()["nope"], ValueError, "nope", "weight, bias");
}

TEST(Errors, EveryErrorIsAKilnError) {
  EXPECT_THROW(nd::ones({2}).asscalar(), Error);
  EXPECT_THROW(nd::ones({2}) + nd::ones({3}), Error);
}

}  // namespace
}  // namespace kiln
