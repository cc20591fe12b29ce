// kiln-pack-conv-weights (Passes.td): conv2d(x, w, b) -> conv2d_packed(x, w, conv2d_pack_weights(w), b)
// when the weight is a parameter value, so that kiln-hoist-parameter-computations packs it once
// per parameter version instead of oneDNN reordering it on every call.
#include "ir/KilnDialect.h"
#include "passes/parameter_values.h"
#include "passes/passes.h"
#include "passes/reporting.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_PACKCONVWEIGHTS
#include "passes/Passes.h.inc"

namespace {

struct PackConvWeightsPass : impl::PackConvWeightsBase<PackConvWeightsPass>, Reporting {
  int64_t packed = 0;
  std::string report() const override { return std::to_string(packed) + " convolution weights packed"; }
  void runOnOperation() override {
    getOperation().walk([&](func::FuncOp function) {
      ParameterValues parameter_values(function);
      function.walk([&](ir::Conv2DOp op) {
        if (!parameter_values.contains(op.getWeight())) return;
        OpBuilder b(op);
        auto data = cast<RankedTensorType>(op.getData().getType());
        Value weights = b.create<ir::Conv2DPackWeightsOp>(op.getLoc(), op.getWeight(), data.getShape(), op.getStrides(),
                                                          op.getPadding(), op.getDilation(), op.getGroups());
        Value y = b.create<ir::Conv2DPackedOp>(op.getLoc(), op.getData(), op.getWeight(), weights, op.getBias(),
                                               op.getStrides(), op.getPadding(), op.getDilation(), op.getGroups());
        op.replaceAllUsesWith(y);
        op.erase();
        ++packed;
      });
    });
  }
};

}  // namespace
}  // namespace kiln::passes
