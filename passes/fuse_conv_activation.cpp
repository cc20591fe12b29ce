// kiln-fuse-conv-activation (Passes.td): a relu that is the only reader of a packed convolution's
// result becomes the convolution's `activation`, applied by the runtime as it makes the result.
#include "ir/KilnDialect.h"
#include "passes/passes.h"
#include "passes/reporting.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_FUSECONVACTIVATION
#include "passes/Passes.h.inc"

namespace {

struct FuseConvActivationPass : impl::FuseConvActivationBase<FuseConvActivationPass>, Reporting {
  int64_t fused = 0;
  std::string report() const override { return std::to_string(fused) + " relus fused into convolutions"; }

  void runOnOperation() override {
    getOperation().walk([&](ir::ReluOp relu) {
      auto conv = relu.getInput().getDefiningOp<ir::Conv2DPackedOp>();
      if (!conv || !conv->hasOneUse() || !conv.getActivation().empty()) return;
      conv.setActivation("relu");
      relu.getResult().replaceAllUsesWith(conv.getResult());
      relu.erase();
      ++fused;
    });
  }
};

}  // namespace
}  // namespace kiln::passes
