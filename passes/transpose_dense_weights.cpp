// kiln-transpose-dense-weights (Passes.td): fully_connected(x, w, b) -> add(dot(x, wᵀ), b) when
// the weight is a parameter value and the product is one kiln generates code for.
#include "ir/KilnDialect.h"
#include "passes/matmul_strategy.h"
#include "passes/parameter_values.h"
#include "passes/passes.h"
#include "passes/reporting.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_TRANSPOSEDENSEWEIGHTS
#include "passes/Passes.h.inc"

namespace {

struct TransposeDenseWeightsPass : impl::TransposeDenseWeightsBase<TransposeDenseWeightsPass>, Reporting {
  int64_t transposed = 0;
  std::string report() const override { return std::to_string(transposed) + " weights transposed"; }
  void runOnOperation() override {
    getOperation().walk([&](func::FuncOp function) {
      ParameterValues parameter_values(function);
      function.walk([&](ir::FullyConnectedOp op) {
        auto data = cast<RankedTensorType>(op.getData().getType());
        int64_t m = data.getDimSize(0), k = data.getDimSize(1), n = op.getType().getDimSize(1);
        if (!parameter_values.contains(op.getWeight()) || n < kNarrowProduct || use_onednn(m, n, k)) return;
        OpBuilder b(op);
        Value weight_t = b.create<ir::TransposeOp>(op.getLoc(), op.getWeight(), ArrayRef<int64_t>{1, 0});
        Value y = b.create<ir::DotOp>(op.getLoc(), op.getData(), weight_t);
        if (op.getBias()) y = b.create<ir::AddOp>(op.getLoc(), y, op.getBias());
        op.replaceAllUsesWith(y);
        op.erase();
        ++transposed;
      });
    });
  }
};

}  // namespace
}  // namespace kiln::passes
