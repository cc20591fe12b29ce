// A hybridized block never answers differently from eager without saying so: each program here
// once got a different compiled answer silently. Each must now either compile correctly or warn
// (once) and run eagerly; the warning is checked on stderr.
#include "examples/seed_models.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::expect_close;

// Runs `call` with stderr captured and returns what it printed.
template <class F>
std::string stderr_of(F&& call) {
  ::testing::internal::CaptureStderr();
  call();
  return ::testing::internal::GetCapturedStderr();
}

// A child held as a plain member, never registered (the chapter's exercise 3 mistake).
class UnregisteredChild : public nn::Block {
 public:
  nn::Dense hidden{4, "", true, 3};

 protected:
  NDArray forward(const NDArray& x) override { return hidden(x); }
};

TEST(HybridSoundness, AnUnregisteredChildsWeightsAreNotBakedIn) {
  UnregisteredChild net;
  net.hidden.initialize();
  net.hybridize();
  NDArray x = nd::random::uniform({2, 3});
  std::string log = stderr_of([&] { net(x); });
  EXPECT_NE(log.find("not one of its parameters"), std::string::npos) << log;
  EXPECT_NE(log.find("register_block"), std::string::npos) << log;
  // An update to the unregistered weight shows in the next call, as it does eagerly.
  net.hidden.weight->set_data(nd::ones({4, 3}));
  NDArray updated = net(x);
  expect_close(updated, nd::fully_connected(x, nd::ones({4, 3}), net.hidden.bias->data()));
  EXPECT_EQ(net.compile_count(), 0u);
  EXPECT_EQ(stderr_of([&] { net(x); }), "") << "the warning is printed once";
}

// FancyMLP's loop written with to_vector() instead of asscalar(): a host read the tracer cannot
// turn into a guard.
class FancyWithToVector : public nn::Block {
 public:
  nn::Child<nn::Dense> dense = register_block("dense", nn::Dense(20, "relu"));

 protected:
  NDArray forward(const NDArray& input) override {
    NDArray x = dense(input);
    while (x.norm().to_vector()[0] > 1) x /= 2;
    return x.sum();
  }
};

TEST(HybridSoundness, HostReadsOtherThanAsscalarRunEagerly) {
  FancyWithToVector net;
  net.initialize();
  net.hybridize();
  NDArray small = nd::full({2, 20}, 0.01f), large = nd::full({2, 20}, 100.f);
  std::string log = stderr_of([&] { net(small); });
  EXPECT_NE(log.find("to_vector()"), std::string::npos) << log;
  NDArray got = net(large);
  net.hybridize(false);
  expect_close(got, net(large));
}

TEST(HybridSoundness, DataReadsOfGraphValuesRunEagerlyButReadsOfFreshArraysDoNot) {
  struct ReadsData : nn::Block {
    NDArray forward(const NDArray& x) override {
      NDArray y = x * 2.f;
      return y.data()[0] > 0 ? y : -y;
    }
  } net;
  net.hybridize();
  NDArray positive = nd::ones({3}), negative = nd::full({3}, -1.f);
  std::string log = stderr_of([&] { net(positive); });
  EXPECT_NE(log.find("data()"), std::string::npos) << log;
  testing::expect_values(net(negative), {2, 2, 2});

  // A forward that builds an array on the host from fresh values still compiles.
  struct FreshValues : nn::Block {
    NDArray forward(const NDArray& x) override {
      NDArray scale = nd::zeros({3});
      for (int i = 0; i < 3; ++i) scale.data()[i] = static_cast<float>(i);
      return x * scale;
    }
  } fresh;
  fresh.hybridize();
  fresh(positive);
  testing::expect_values(fresh(positive), {0, 1, 2});
  EXPECT_EQ(fresh.compile_count(), 1u);
}

TEST(HybridSoundness, CopiesAndDetachedViewsOfInputsAreTheSameValue) {
  struct Copies : nn::Block {
    NDArray forward(const NDArray& x) override { return x.copy() * 2.f + x.detach(); }
  } net;
  net.hybridize();
  net(nd::ones({3}));
  testing::expect_values(net(nd::full({3}, 2.f)), {6, 6, 6});
  EXPECT_EQ(net.compile_count(), 1u);
  EXPECT_EQ(net.hybrid_stats().compiled, 1u);
}

TEST(HybridSoundness, AViewOfAGraphValueMadeOutsideTheOpsRunsEagerly) {
  struct RuntimeView : nn::Block {
    NDArray forward(const NDArray& x) override {
      NDArray y = x * 2.f;
      NDArray v = y.view_as({3});  // the runtime's view: no op the tracer sees
      return v + 1.f;
    }
  } net;
  net.hybridize();
  std::string log = stderr_of([&] { net(nd::ones({3})); });
  EXPECT_NE(log.find("view"), std::string::npos) << log;
  testing::expect_values(net(nd::full({3}, 2.f)), {5, 5, 5});
  EXPECT_EQ(net.compile_count(), 0u);
}

// A copy made inside an nd::cond branch is that branch's value, and out of scope after it.
TEST(HybridSoundness, ACopyInsideARegionStaysInItsRegion) {
  struct CopyInBranch : nn::Block {
    NDArray forward(const NDArray& x) override {
      return nd::cond(
          x.sum() > 0.f, [&] { return std::vector<NDArray>{x.copy() * 2.f}; },
          [&] { return std::vector<NDArray>{x.copy() - 1.f}; })[0];
    }
  } net;
  net.hybridize();
  net(nd::ones({3}));
  testing::expect_values(net(nd::ones({3})), {2, 2, 2});
  testing::expect_values(net(nd::full({3}, -1.f)), {-2, -2, -2});
  EXPECT_EQ(net.compile_count(), 1u);
}

TEST(HybridSoundness, SetDataOnAGetConstantRecompilesWithAWarning) {
  seed::FancyMLP net;
  net.initialize();
  net.hybridize();
  NDArray x = nd::random::uniform({2, 20});
  net(x);
  net(x);
  net.rand_weight->set_data(nd::full({20, 20}, 0.5f));
  NDArray compiled;
  std::string log = stderr_of([&] { compiled = net(x); });
  EXPECT_NE(log.find("changed"), std::string::npos) << log;
  EXPECT_NE(log.find("get_constant"), std::string::npos) << log;
  NDArray again = net(x);  // compiled with the new constant
  net.hybridize(false);
  NDArray eager = net(x);
  expect_close(compiled, eager);
  expect_close(again, eager);
  EXPECT_EQ(stderr_of([&] {
              net.hybridize();
              net(x);
            }).find("changed"),
            std::string::npos);
}

// A member NDArray that forward reads, written by the user between calls.
class ScaledByMember : public nn::Block {
 public:
  NDArray scale = nd::full({3}, 2.f);

 protected:
  NDArray forward(const NDArray& x) override { return x * scale; }
};

TEST(HybridSoundness, WritesToAMemberArrayAreSeen) {
  ScaledByMember net;
  net.hybridize();
  NDArray x = nd::ones({3});
  net(x);
  testing::expect_values(net(x), {2, 2, 2});
  net.scale *= 5.f;  // in place, as a user would
  std::string log = stderr_of([&] { testing::expect_values(net(x), {10, 10, 10}); });
  EXPECT_NE(log.find("changed"), std::string::npos) << log;
  testing::expect_values(net(x), {10, 10, 10});
  net.scale.data()[1] = 1.f;  // a host write through data()
  testing::expect_values(net(x), {10, 1, 10});
}

// A block whose forward_multi takes exactly two inputs, and whose forward takes one.
class TwoEntries : public nn::Block {
 protected:
  NDArray forward(const NDArray& x) override { return x * 3.f; }
  std::vector<NDArray> forward_multi(const std::vector<NDArray>& xs) override {
    if (xs.size() != 2) throw ValueError("TwoEntries: forward_multi takes two inputs");
    return {xs[0] + xs[1]};
  }
};

TEST(HybridSoundness, ASingleInputCallRunsForwardAndAListCallForwardMulti) {
  TwoEntries net;
  net.hybridize();
  NDArray x = nd::ones({2});
  for (int i = 0; i < 2; ++i) {
    testing::expect_values(net(x), {3, 3});
    testing::expect_values(net(std::vector<NDArray>{x, x})[0], {2, 2});
  }
  EXPECT_EQ(net.compile_count(), 2u);
  EXPECT_EQ(net.hybrid_stats().compiled, 2u);
}

TEST(HybridSoundness, CallsUnderRecordAreCounted) {
  nn::Sequential net;
  net.add(nn::Dense(3));
  net.initialize();
  net.hybridize();
  NDArray x = nd::ones({2, 4});
  net(x);
  {
    auto rec = autograd::record();
    net(x);
    net(x);
  }
  nn::HybridStats stats = net.hybrid_stats();
  EXPECT_EQ(stats.recorded, 2u);
  EXPECT_EQ(stats.calls(), 3u);
}

}  // namespace
}  // namespace kiln
