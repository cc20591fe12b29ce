// kiln-fold-batch-norm (Passes.td): batch_norm(conv2d(x, w, b), γ, β, μ, σ²) with fixed
// statistics -> conv2d(x, w·s, β − μ·s [+ b·s]), s = γ / √(σ² + ε) per output channel.
#include "ir/KilnDialect.h"
#include "mlir/IR/Matchers.h"
#include "passes/parameter_values.h"
#include "passes/passes.h"
#include "passes/reporting.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_FOLDBATCHNORM
#include "passes/Passes.h.inc"

namespace {

struct FoldBatchNormPass : impl::FoldBatchNormBase<FoldBatchNormPass>, Reporting {
  int64_t folded = 0;
  std::string report() const override { return std::to_string(folded) + " batch norms folded into convolutions"; }

  void runOnOperation() override {
    getOperation().walk([&](func::FuncOp function) {
      ParameterValues parameter_values(function);
      function.walk([&](ir::BatchNormOp norm) {
        auto conv = norm.getData().getDefiningOp<ir::Conv2DOp>();
        if (norm.getBatchStats() || !conv || !conv->hasOneUse()) return;
        // Folded values are computed from parameters alone (hoisting computes them once) or
        // from constants (canonicalize folds them).
        auto fixed = [&](Value v) { return parameter_values.contains(v) || matchPattern(v, m_Constant()); };
        for (Value v : {conv.getWeight(), norm.getGamma(), norm.getBeta(), norm.getMean(), norm.getVar()})
          if (!fixed(v)) return;
        if (conv.getBias() && !fixed(conv.getBias())) return;
        fold(conv, norm);
        ++folded;
      });
    });
  }

  static void fold(ir::Conv2DOp conv, ir::BatchNormOp norm) {
    OpBuilder b(norm);
    Location loc = norm.getLoc();
    auto scalar = RankedTensorType::get({}, b.getF32Type());
    Value epsilon = b.create<ir::ConstantOp>(loc, DenseElementsAttr::get(scalar, norm.getEpsilon().convertToFloat()));
    Value deviation = b.create<ir::SqrtOp>(loc, b.create<ir::AddOp>(loc, norm.getVar(), epsilon));
    Value scale = b.create<ir::DivideOp>(loc, norm.getGamma(), deviation);
    auto weight_type = cast<RankedTensorType>(conv.getWeight().getType());
    SmallVector<int64_t> per_output{weight_type.getDimSize(0), 1, 1, 1};
    Value weight = b.create<ir::MultiplyOp>(loc, conv.getWeight(), b.create<ir::ReshapeOp>(loc, scale, per_output));
    Value bias = b.create<ir::SubtractOp>(loc, norm.getBeta(), b.create<ir::MultiplyOp>(loc, norm.getMean(), scale));
    if (conv.getBias()) bias = b.create<ir::AddOp>(loc, bias, b.create<ir::MultiplyOp>(loc, conv.getBias(), scale));
    Value y = b.create<ir::Conv2DOp>(loc, conv.getData(), weight, bias, conv.getStrides(), conv.getPadding(),
                                     conv.getDilation(), conv.getGroups());
    norm.replaceAllUsesWith(y);
    norm.erase();
    conv.erase();
  }
};

}  // namespace
}  // namespace kiln::passes
