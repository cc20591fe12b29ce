// Every benchmark workload (bench/workloads.h) gives the eager results when hybridized (rtol
// 1e-4, atol 1e-5). ctest runs this suite twice: as is, and with KILN_DISABLE_PASSES=all
// (prefix passes_off.), so a wrong optimisation shows up as a difference between the two.
#include "bench/workloads.h"
#include "test_util.h"

namespace kiln {
namespace {

constexpr float kAtol = 1e-5f, kRtol = 1e-4f;

class Workloads : public ::testing::TestWithParam<std::string> {};

TEST_P(Workloads, HybridizedMatchesEager) {
  const workloads::Workload& w = workloads::find(GetParam());
  workloads::Instance eager = workloads::instantiate(w, 7);
  workloads::Instance hybrid = workloads::instantiate(w, 7);
  NDArray expected = (*eager.net)(eager.input);
  hybrid.net->hybridize();
  NDArray traced = (*hybrid.net)(hybrid.input);
  NDArray compiled = (*hybrid.net)(hybrid.input);
  testing::expect_close(traced, expected, kAtol, kRtol);
  testing::expect_close(compiled, expected, kAtol, kRtol);
  // Every workload is one compiled graph (the chimera's host reads become guards in it), and
  // the second call ran it end to end.
  EXPECT_EQ(hybrid.net->compile_count(), 1u);
  EXPECT_EQ(hybrid.net->hybrid_stats().compiled, 1u);
}

INSTANTIATE_TEST_SUITE_P(All, Workloads,
                         ::testing::Values("seed_mlp", "nest_mlp", "chimera", "fancy_mlp", "deep_mlp", "wide_mlp", "conv_block", "resnet18",
                                           "resnet18_b32"),
                         [](const auto& info) { return info.param; });

TEST(Workloads, UnknownNameListsTheWorkloads) {
  try {
    workloads::find("resnet");
    FAIL() << "expected an error";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("seed_mlp, nest_mlp, chimera, fancy_mlp, deep_mlp, wide_mlp, conv_block, resnet18, resnet18_b32"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace kiln
