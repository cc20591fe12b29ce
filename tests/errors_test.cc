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

// The chapter's exercise 3: Dense layers kept in a std::vector, not registered with the parent.
TEST(Errors, AnUnregisteredChildsUninitializedParameterNamesTheLikelyCause) {
  struct VectorOfLayers : nn::Block {
    std::vector<nn::Dense> layers;
    VectorOfLayers() { layers.emplace_back(4); }
    NDArray forward(const NDArray& x) override { return layers[0](x); }
  } net;
  net.initialize();  // does not reach the unregistered layer
  EXPECT_THROW_WITH(net(nd::ones({2, 3})), InitError, "Dense: Parameter 'weight'", "not been initialized",
                    "never registered", "std::vector");
}

TEST(Errors, AnInputWithNoFeaturesIsAShapeError) {
  nn::Dense dense(4);
  dense.initialize();
  EXPECT_THROW_WITH(dense(nd::ones({4, 0})), ShapeError, "4x0", "0 features");
  EXPECT_THROW_WITH(dense.weight->data(), InitError, "deferred");  // no 4x0 weight was made
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

// Element counts and byte sizes are checked where every shape passes (runtime/shape.h): a shape
// that overflows is a ShapeError naming it, never a wrapped count over a small allocation.
TEST(Errors, ShapesWhoseSizeOverflowsAreRejected) {
  const int64_t big = int64_t{1} << 33;
  EXPECT_THROW_WITH(nd::zeros({big, big}), ShapeError, "8589934592x8589934592", "64 bits");
  EXPECT_THROW_WITH(nd::zeros({INT64_MAX, 2}), ShapeError, "9223372036854775807x2");
  EXPECT_THROW_WITH(nd::full({int64_t{1} << 61, 2}, 3.f), ShapeError, "2305843009213693952x2", "bytes");
  EXPECT_THROW_WITH(nd::zeros({4, -1}), ShapeError, "4x-1", "negative");
  EXPECT_THROW_WITH(nd::broadcast_to(nd::ones({1, 1}), {big, big}), ShapeError, "8589934592x8589934592");
  EXPECT_THROW_WITH(nd::ones({1}).reshape({big, big}), ShapeError, "8589934592x8589934592");
  EXPECT_THROW_WITH(nd::random::uniform({big, big}), ShapeError, "8589934592x8589934592");
  // An extent of 0 makes an empty array, whatever the others multiply to.
  EXPECT_EQ(nd::zeros({big, big, 0}).size(), 0);
}

TEST(Errors, AnAllocationTheSystemRefusesIsAKilnError) {
  EXPECT_THROW_WITH(nd::zeros({int64_t{1} << 44}), MemoryError, "out of memory", "17592186044416");
  nn::Dense huge(int64_t{1} << 40, "", true, 20);
  EXPECT_THROW_WITH(huge.initialize(), MemoryError, "out of memory", "1099511627776x20");
}

TEST(Errors, EveryErrorIsAKilnError) {
  EXPECT_THROW(nd::ones({2}).asscalar(), Error);
  EXPECT_THROW(nd::ones({2}) + nd::ones({3}), Error);
}

}  // namespace
}  // namespace kiln
