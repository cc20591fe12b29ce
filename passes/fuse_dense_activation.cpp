// kiln-fuse-dense-activation (Passes.td): relu(fully_connected) -> fully_connected {relu} where
// oneDNN computes the product (the relu becomes its post-op).
#include "ir/KilnDialect.h"
#include "passes/matmul_strategy.h"
#include "passes/passes.h"
#include "passes/reporting.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_FUSEDENSEACTIVATION
#include "passes/Passes.h.inc"

namespace {

struct FuseDenseActivationPass : impl::FuseDenseActivationBase<FuseDenseActivationPass>, Reporting {
  int64_t fused = 0;
  std::string report() const override { return std::to_string(fused) + " relus fused into oneDNN products"; }
  void runOnOperation() override {
    getOperation().walk([&](ir::ReluOp relu) {
      auto fc = relu.getInput().getDefiningOp<ir::FullyConnectedOp>();
      if (!fc || fc.getRelu() || !fc->hasOneUse()) return;
      auto data = cast<RankedTensorType>(fc.getData().getType());
      if (!use_onednn(data.getDimSize(0), fc.getType().getDimSize(1), data.getDimSize(1))) return;
      fc.setRelu(true);
      relu.replaceAllUsesWith(fc.getResult());
      relu.erase();
      ++fused;
    });
  }
};

}  // namespace
}  // namespace kiln::passes
