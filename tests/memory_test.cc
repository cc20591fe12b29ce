// Memory over long runs: a training loop's resident set stays flat, and a recorded graph is freed
// with its last handle. (LeakSanitizer checks the whole suite in the sanitizer build.)
#include <fstream>

#include "runtime/allocator.h"
#include "test_util.h"

namespace kiln {
namespace {

// The process's resident set in bytes (/proc/self/statm).
size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// One training step of a 784-64-10 MLP: forward and loss recorded, backward, SGD update.
void train_step(nn::Sequential& net, const NDArray& x, const NDArray& y) {
  NDArray loss;
  {
    auto rec = autograd::record();
    NDArray diff = net(x) - y;
    loss = (diff * diff).mean();
  }
  loss.backward();
  for (const auto& [name, p] : net.collect_params()) {
    NDArray w = p->data();
    w -= 0.01f * p->grad();
  }
}

// Eagerly, and hybridized: then each step runs the compiled forward, records one node holding
// the saved activations, and runs the compiled backward.
class Memory : public ::testing::TestWithParam<bool> {};

TEST_P(Memory, ResidentSetIsFlatOverTenThousandTrainingSteps) {
  if (!memory::kBlockCacheEnabled)
    GTEST_SKIP() << "sanitizer build: AddressSanitizer's quarantine keeps freed memory resident, and "
                    "LeakSanitizer checks for leaks there instead";
  nn::Sequential net;
  // The sigmoid's gradient reads its output, the block's output: hybridized, the tape node must
  // hold a copy of it, never the output (which holds the node).
  net.add(nn::Dense(64, "relu"), nn::Dense(10, "sigmoid"));
  net.initialize();
  if (GetParam()) net.hybridize();
  NDArray x = nd::random::uniform({32, 784});
  NDArray y = nd::random::uniform({32, 10});
  for (int i = 0; i < 500; ++i) train_step(net, x, y);  // warm up the allocator and the caches
  size_t before = resident_bytes();
  for (int i = 0; i < 10000; ++i) train_step(net, x, y);
  size_t after = resident_bytes();
  // One step's graph (activations, masks, nodes) is about 40 KB: a leak would be 400 MB here.
  EXPECT_LT(after, before + (size_t{4} << 20)) << "resident set grew from " << before << " to " << after << " bytes";
  if (GetParam()) {
    EXPECT_EQ(net.hybrid_stats().compiled, 10499u);
  }
}

INSTANTIATE_TEST_SUITE_P(EagerAndHybridized, Memory, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Hybridized" : "Eager"; });

// The d2l loop with the Trainer (compiled per-parameter updates, Adam's two states), and the
// same as one compiled step: neither grows over five thousand steps (a step's tape and saved
// values are ~20 KB: a leak would be ~100 MB).
TEST(MemoryOfTraining, ResidentSetIsFlatWithTheTrainerAndTheCompiledStep) {
  if (!memory::kBlockCacheEnabled)
    GTEST_SKIP() << "sanitizer build: LeakSanitizer checks for leaks there instead";
  for (bool compiled : {false, true}) {
    SCOPED_TRACE(compiled ? "compiled step" : "Trainer");
    nn::Sequential net;
    net.add(nn::Dense(64, "relu"), nn::Dense(10));
    net.initialize();
    net.hybridize();
    loss::SoftmaxCrossEntropyLoss loss;
    loss.hybridize();
    gluon::Trainer trainer(net.collect_params(), "adam");
    auto step = trainer.compile_step(net, loss);
    NDArray x = nd::random::uniform({32, 100}), y = nd::array(std::vector<float>(32, 3.f));
    auto train = [&] {
      if (compiled) return step(x, y);
      NDArray l;
      {
        auto rec = autograd::record();
        l = loss(net(x), y);
      }
      l.backward();
      trainer.step(32);
      return l;
    };
    for (int i = 0; i < 300; ++i) train();
    size_t before = resident_bytes();
    for (int i = 0; i < 5000; ++i) train();
    size_t after = resident_bytes();
    EXPECT_LT(after, before + (size_t{4} << 20)) << "resident set grew from " << before << " to " << after << " bytes";
    if (compiled) {
      EXPECT_TRUE(step.last_call_compiled());
    }
  }
}

}  // namespace
}  // namespace kiln
