// Array storage, shapes, views, asscalar and MXNet-style printing.
#include <cstdint>

#include "runtime/allocator.h"
#include "runtime/array_snapshot.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::expect_values;

TEST(Shape, PrintsLikeMXNet) {
  EXPECT_EQ(shape_str({2, 10}), "2x10");
  EXPECT_EQ(shape_str({7}), "7");
  EXPECT_EQ(shape_str({}), "scalar");
}

TEST(Shape, BroadcastsLikeNumPy) {
  EXPECT_EQ(broadcast_shapes({2, 3}, {3}, "add"), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes({2, 1}, {1, 3}, "add"), (Shape{2, 3}));
  EXPECT_EQ(broadcast_shapes({}, {4, 5}, "add"), (Shape{4, 5}));
  EXPECT_EQ(broadcast_shapes({5, 1, 4}, {3, 1}, "add"), (Shape{5, 3, 4}));
  EXPECT_EQ(broadcast_shapes({0, 3}, {1, 3}, "add"), (Shape{0, 3}));
  EXPECT_THROW(broadcast_shapes({2, 3}, {4}, "add"), ShapeError);
}

TEST(Array, StorageIsAlignedTo64Bytes) {
  for (int64_t n : {1, 3, 17, 1000}) {
    NDArray a(Shape{n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % 64, 0u) << n;
  }
}

TEST(Array, CopiesShareTheArrayAndReshapeIsAView) {
  NDArray a = nd::array({1, 2, 3, 4, 5, 6}, {2, 3});
  NDArray alias = a;
  alias.data()[0] = 10;
  EXPECT_EQ(a.data()[0], 10);
  NDArray v = a.reshape({3, -1});
  EXPECT_EQ(v.shape(), (Shape{3, 2}));
  EXPECT_TRUE(v.shares_storage(a));
  v.data()[5] = 60;
  EXPECT_EQ(a.data()[5], 60);
  NDArray c = a.copy();
  EXPECT_FALSE(c.shares_storage(a));
}

TEST(Array, AViewKeepsItsStorageAliveAfterTheArrayItViews) {
  Array view_of_view;
  {
    Array a = Array::from_values({4}, {1, 2, 3, 4});
    Array view = a.view_as({2, 2});
    view_of_view = view.view_as({1, 4});
  }  // a and view are gone; their storage is not
  expect_values(view_of_view, {1, 2, 3, 4});
  view_of_view.data()[0] = 5.f;
  EXPECT_EQ(view_of_view.to_vector()[0], 5.f);
}

TEST(Array, WriteAccessChangesTheDataVersionAndReadsDoNot) {
  Array a = Array::zeros({4});
  Array view = a.view_as({2, 2});
  DataVersion before = a.version();
  const Array& read_only = a;
  (void)read_only.data();
  EXPECT_EQ(a.version(), before);
  view.data()[1] = 1.f;  // a write through a view is a write to the storage
  EXPECT_NE(a.version(), before);
  EXPECT_NE(Array::zeros({4}).version(), a.version()) << "versions of different storages never compare equal";
}

TEST(Array, OnlyWritesToWatchedStoragesMoveTheWatchedWriteCount) {
  Array watched = Array::zeros({4}), plain = Array::zeros({4});
  watched.watch_writes();
  uint64_t before = watched_write_count();
  plain.data()[0] = 1.f;
  (void)static_cast<const Array&>(watched).data();
  EXPECT_EQ(watched_write_count(), before);
  watched.view_as({2, 2}).data()[0] = 1.f;  // through a view: the same storage
  EXPECT_GT(watched_write_count(), before);
}

TEST(ArraysSnapshot, UnchangedUntilAnArrayIsWritten) {
  Array a = Array::zeros({4}), b = Array::zeros({2, 2});
  ArraysSnapshot snapshot;
  EXPECT_FALSE(snapshot.unchanged()) << "nothing taken yet";
  snapshot.take({a, b});
  EXPECT_TRUE(snapshot.unchanged());
  (void)static_cast<const Array&>(a).data();  // a read
  EXPECT_TRUE(snapshot.unchanged());

  Array elsewhere = Array::zeros({4});  // another cache's array: the count moves, these did not change
  ArraysSnapshot another;
  another.take({elsewhere});
  elsewhere.data()[0] = 3.f;
  EXPECT_TRUE(snapshot.unchanged());
  EXPECT_FALSE(another.unchanged());

  Array handle = b;  // a write through any handle (or view) of a recorded array
  handle.view_as({4}).data()[3] = 1.f;
  EXPECT_FALSE(snapshot.unchanged());
  snapshot.take({a, b});
  ArraysSnapshot moved = std::move(snapshot);  // as a compiled entry moving in its cache
  EXPECT_TRUE(moved.unchanged());
  a.data()[0] = 2.f;
  EXPECT_FALSE(moved.unchanged());
  EXPECT_FALSE(moved.unchanged()) << "stays changed until taken again";
}

TEST(Allocator, FreedBlocksAreReusedWithoutTheSystemAllocator) {
  if (!memory::kBlockCacheEnabled) GTEST_SKIP() << "a sanitizer build bypasses the block cache (runtime/allocator.h)";
  { Array warm({64, 64}); }
  memory::Counters before = memory::counters();
  for (int i = 0; i < 10; ++i) Array a({64, 64});
  memory::Counters after = memory::counters();
  EXPECT_EQ(after.requests - before.requests, 10u);
  EXPECT_EQ(after.system_allocations, before.system_allocations);
  // Blocks above the cached size always come from the system allocator.
  { Array big({static_cast<int64_t>(memory::kLargestCachedBlock / 4 + 1)}); }
  EXPECT_EQ(memory::counters().system_allocations, after.system_allocations + 1);
}

TEST(Array, DtypeIsFloat32) {
  NDArray a = nd::zeros({2});
  EXPECT_EQ(a.dtype(), DType::Float32);
  EXPECT_EQ(dtype_size(a.dtype()), 4u);
}

TEST(Array, AsscalarNeedsExactlyOneElement) {
  EXPECT_EQ(nd::array({3.5f}).asscalar(), 3.5f);
  EXPECT_EQ(nd::full({1, 1}, 2.f).asscalar(), 2.f);
  EXPECT_THROW(nd::zeros({2, 3}).asscalar(), ValueError);
}

TEST(Array, PrintsValuesThenShapeTag) {
  NDArray a = nd::array({1, -2.5f, 0, 4}, {2, 2});
  EXPECT_EQ(a.str(), "[[ 1.00000000 -2.50000000]\n [ 0.00000000  4.00000000]]\n<NDArray 2x2 @cpu(0)>");
  EXPECT_EQ(nd::array({0.5f}).str(), "[0.50000000]\n<NDArray 1 @cpu(0)>");
}

TEST(Array, PrintingWrapsLongRowsAndSummarisesLargeArrays) {
  std::string row = nd::zeros({1, 20}).str();
  EXPECT_NE(row.find("\n  "), std::string::npos) << row;  // wrapped with NumPy's indent
  std::string big = nd::zeros({100, 100}).str();
  EXPECT_NE(big.find("..."), std::string::npos);
  EXPECT_LT(big.size(), 2000u);
  EXPECT_NE(big.find("<NDArray 100x100 @cpu(0)>"), std::string::npos);
}

TEST(Array, UndefinedArrayGivesAClearError) {
  NDArray a;
  EXPECT_FALSE(a.defined());
  EXPECT_THROW(a.shape(), ValueError);
}

TEST(Random, SeedMakesDrawsReproducible) {
  nd::random::seed(42);
  NDArray a = nd::random::uniform({100});
  nd::random::seed(42);
  NDArray b = nd::random::uniform({100});
  testing::expect_close(a, b, 0, 0);
  for (float v : a.to_vector()) {
    EXPECT_GE(v, 0.f);
    EXPECT_LT(v, 1.f);
  }
  NDArray c = nd::random::uniform(-2, -1, {50});
  for (float v : c.to_vector()) {
    EXPECT_GE(v, -2.f);
    EXPECT_LT(v, -1.f);
  }
}

TEST(Random, NormalHasTheRequestedMoments) {
  nd::random::seed(7);
  NDArray x = nd::random::normal(3.f, 2.f, {20000});
  float mean = x.mean().asscalar();
  float sd = std::sqrt(nd::square(x - mean).mean().asscalar());
  EXPECT_NEAR(mean, 3.f, 0.06f);
  EXPECT_NEAR(sd, 2.f, 0.06f);
}

}  // namespace
}  // namespace kiln
