// Hybridized forwards that branch and loop on values read on the host: guards, side exits, the
// trace tree and loops (frontend/hybridize/trace_tree.h, frontend/hybridize/trace_loops.h). Compiled results are
// checked against eager ones within kAtol + kRtol·|eager|.
#include <cmath>
#include <random>
#include <thread>

#include "examples/seed_models.h"
#include "tests/test_util.h"

namespace kiln {
namespace {

using seed::FancyMLP;
using testing::expect_close;

constexpr float kAtol = 1e-5f, kRtol = 1e-4f;

// Inputs whose scale spans 1e-3 to 1e3, so FancyMLP's loop runs from 0 to ~20 times.
std::vector<NDArray> inputs_across_scales(size_t count, const Shape& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> exponent(-3.f, 3.f);
  std::vector<NDArray> xs;
  for (size_t i = 0; i < count; ++i) {
    float scale = std::pow(10.f, exponent(rng));
    xs.push_back(nd::random::uniform(-scale, scale, shape));
  }
  return xs;
}

// Runs `net` eagerly on every input, then hybridized on every input twice: the first pass warms
// up (new paths are traced), the second must run compiled end to end. Returns the second pass's
// compiled fraction.
double check_against_eager(nn::Block& net, const std::vector<NDArray>& xs) {
  std::vector<NDArray> eager;
  for (const NDArray& x : xs) eager.push_back(net(x));
  net.hybridize();
  for (size_t i = 0; i < xs.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "warm-up input " << i);
    expect_close(net(xs[i]), eager[i], kAtol, kRtol);
  }
  nn::HybridStats before = net.hybrid_stats();
  for (size_t i = 0; i < xs.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "input " << i);
    expect_close(net(xs[i]), eager[i], kAtol, kRtol);
  }
  nn::HybridStats after = net.hybrid_stats();
  double fraction = static_cast<double>(after.compiled - before.compiled) / static_cast<double>(xs.size());
  std::cout << net.type_name() << ": " << 100 * fraction << "% of calls compiled after warm-up ("
            << after.traced << " traced, " << after.side_exits << " side exits, " << net.compile_count()
            << " compiles)\n";
  return fraction;
}

TEST(Guards, FancyMLPMatchesEagerOverAThousandInputsAndRunsFullyCompiled) {
  nd::random::seed(1);
  FancyMLP net;
  net.initialize();
  EXPECT_EQ(check_against_eager(net, inputs_across_scales(1000, {2, 20}, 11)), 1.0);
  // Paths: the loop entered or not, times the branch after it; the loop itself is one path.
  EXPECT_LE(net.compile_count(), 6u);
}

TEST(Guards, ChimeraMatchesEagerOverAThousandInputs) {
  nd::random::seed(2);
  auto chimera = seed::make_chimera();
  chimera->initialize();
  EXPECT_EQ(check_against_eager(*chimera, inputs_across_scales(1000, {2, 20}, 12)), 1.0);
}

TEST(Guards, ThreadsTakingDifferentPathsAtOnceStayCorrect) {
  nd::random::seed(3);
  FancyMLP net;
  net.initialize();
  std::vector<NDArray> xs = inputs_across_scales(200, {2, 20}, 13);
  std::vector<NDArray> eager;
  for (const NDArray& x : xs) eager.push_back(net(x));
  net.hybridize();
  // Two threads walk the inputs from opposite ends: side exits, retraces and compiled calls
  // interleave.
  std::vector<NDArray> got(xs.size());
  auto walk = [&](bool forward) {
    for (size_t k = 0; k < xs.size(); ++k) {
      size_t i = forward ? k : xs.size() - 1 - k;
      NDArray y = net(xs[i]);
      if (forward) got[i] = y;
    }
  };
  std::thread other(walk, false);
  walk(true);
  other.join();
  for (size_t i = 0; i < xs.size(); ++i) expect_close(got[i], eager[i], kAtol, kRtol);
}

// A branch on the sign of the sum, flipping from call to call.
class SignBranch : public nn::Block {
 protected:
  NDArray forward(const NDArray& x) override {
    if (x.sum().asscalar() > 0) return x * 2.f;
    return nd::relu(-x) + 1.f;
  }
};

TEST(Guards, ABranchThatFlipsBetweenCallsIsNeverFrozen) {
  SignBranch net;
  net.hybridize();
  NDArray positive = nd::array({1, 2, -0.5f}), negative = nd::array({-1, -2, 0.5f});
  for (int i = 0; i < 6; ++i) {
    testing::expect_values(net(positive), {2, 4, -1});
    testing::expect_values(net(negative), {2, 3, 1});
  }
  EXPECT_EQ(net.compile_count(), 2u);  // the first path, then the tree with both
  nn::HybridStats stats = net.hybrid_stats();
  EXPECT_EQ(stats.traced, 2u);
  EXPECT_EQ(stats.side_exits, 1u);
  EXPECT_EQ(stats.compiled, 10u);
}

// A loop on new values (not in place) whose trip count follows the input's scale.
class HalveUntilSmall : public nn::Block {
 protected:
  NDArray forward(const NDArray& x) override {
    NDArray y = x + 0.f;
    while (y.norm().asscalar() > 1) y = y / 2.f;
    return y;
  }
};

TEST(Guards, ALoopRunsCompiledForTripCountsItWasNeverTracedWith) {
  HalveUntilSmall net;
  net.hybridize();
  NDArray base = nd::array({0.3f, -0.4f});  // norm 0.5
  net(base * 8.f);                           // 4 iterations: the loop is learned
  net(base);                                 // 0 iterations: the branch that skips the loop
  nn::HybridStats warm = net.hybrid_stats();
  for (int k = 0; k < 30; ++k) {
    float scale = std::pow(2.f, static_cast<float>(k));
    // Halving stops at norm 1: base·2 for every scale but the first.
    std::vector<float> expected = k == 0 ? std::vector<float>{0.3f, -0.4f} : std::vector<float>{0.6f, -0.8f};
    testing::expect_values(net(base * scale), expected);
  }
  nn::HybridStats after = net.hybrid_stats();
  EXPECT_EQ(after.traced, warm.traced) << "a trip count needed a new trace";
  EXPECT_EQ(after.compiled - warm.compiled, 30u);
  EXPECT_NE(net.traced_ir().find("scf.while"), std::string::npos) << net.traced_ir();
}

// Two host reads compared with each other, and an NDArray comparison used as a bool.
class ComparesReads : public nn::Block {
 protected:
  NDArray forward(const NDArray& x) override {
    NDArray y = x.sum().asscalar() > x.max().asscalar() ? x * 3.f : x - 1.f;
    if (y.norm() > 2.f) y = y / 4.f;
    return y;
  }
};

TEST(Guards, ComparisonsOfTwoReadsAndNDArrayConditionsAreGuards) {
  ComparesReads net;
  std::vector<NDArray> xs = {nd::array({1, 2}), nd::array({-1, 0.5f}), nd::array({0.1f, 0.2f}),
                             nd::array({-0.5f, 0.2f})};
  std::vector<NDArray> eager;
  for (const NDArray& x : xs) eager.push_back(net(x));
  net.hybridize();
  for (int pass = 0; pass < 3; ++pass)
    for (size_t i = 0; i < xs.size(); ++i) expect_close(net(xs[i]), eager[i], kAtol, kRtol);
  EXPECT_EQ(net.hybrid_stats().compiled, 2 * xs.size());
}

// A read used as a number: each value is its own path, so the path bound is reached.
class ScalesByItsSum : public nn::Block {
 protected:
  NDArray forward(const NDArray& x) override {
    float s = x.sum().asscalar();
    return x * s;
  }
};

TEST(Guards, PastThePathBoundCallsRunEagerlyAndStayCorrect) {
  ScalesByItsSum net;
  net.hybridize(nn::HybridizeOptions{.path_limit = 3});
  for (int i = 1; i <= 6; ++i) {
    NDArray x = nd::array({static_cast<float>(i), 1});
    testing::expect_values(net(x), {static_cast<float>(i * (i + 1)), static_cast<float>(i + 1)});
    testing::expect_values(net(x), {static_cast<float>(i * (i + 1)), static_cast<float>(i + 1)});
  }
  nn::HybridStats stats = net.hybrid_stats();
  EXPECT_EQ(stats.traced, 3u);
  EXPECT_EQ(stats.eager, 6u);                // inputs 4..6, twice each
  EXPECT_EQ(stats.compiled, 3u);             // inputs 1..3 on their second call
}

// A random draw is an op of the graph: compiled calls keep drawing, the numbers an eager run of
// the same seed draws.
class AddsNoise : public nn::Block {
 protected:
  NDArray forward(const NDArray& x) override { return x + nd::random::uniform({2}); }
};

TEST(Guards, ARandomDrawCompilesAndKeepsDrawing) {
  AddsNoise eager, net;
  net.hybridize();
  NDArray x = nd::zeros({2});
  nd::random::seed(4);
  std::vector<std::vector<float>> want;
  for (int i = 0; i < 3; ++i) want.push_back(eager(x).to_vector());
  nd::random::seed(4);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(net(x).to_vector(), want[i]) << "call " << i;
  EXPECT_NE(want[1], want[2]);
  EXPECT_EQ(net.compile_count(), 1u);
  EXPECT_EQ(net.hybrid_stats().compiled, 2u);
}

// In-place writes: to an input, the compiled graph writes the new value back as the eager run
// does; to a member array (baked in as a constant), the block stays eager.
class ScalesItsInput : public nn::Block {
 protected:
  NDArray forward(const NDArray& x) override {
    NDArray y = x;
    y *= 2.f;  // the caller's array
    return x + 1.f;
  }
};
class CountsInAMember : public nn::Block {
 public:
  NDArray calls = nd::zeros({1});

 protected:
  NDArray forward(const NDArray& x) override {
    calls += 1.f;
    return x * calls;
  }
};

TEST(Guards, InPlaceWritesToInputsAreWrittenBackAndToConstantsStayEager) {
  ScalesItsInput scales;
  scales.hybridize();
  NDArray x = nd::ones({3});
  for (int i = 0; i < 3; ++i) {
    NDArray y = scales(x);
    EXPECT_EQ(y.to_vector(), std::vector<float>(3, std::pow(2.f, i + 1) + 1.f)) << "call " << i;
  }
  EXPECT_EQ(x.to_vector(), std::vector<float>(3, 8.f));
  EXPECT_EQ(scales.hybrid_stats().compiled, 2u);

  CountsInAMember counts;
  counts.hybridize();
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(counts(nd::ones({1})).to_vector(), std::vector<float>{float(i)});
  EXPECT_EQ(counts.compile_count(), 0u);
}

}  // namespace
}  // namespace kiln
