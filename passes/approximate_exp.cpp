// kiln-approximate-exp (Passes.td): f32 math.exp becomes MLIR's polynomial approximation, so
// the loops that hold it vectorise instead of calling libm once per element.
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "passes/passes.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_APPROXIMATEEXP
#include "passes/Passes.h.inc"

namespace {

struct ApproximateExpPass : impl::ApproximateExpBase<ApproximateExpPass> {
  void runOnOperation() override {
    SmallVector<Operation*> exps;
    getOperation().walk([&](math::ExpOp op) {
      if (getElementTypeOrSelf(op.getType()).isF32()) exps.push_back(op);
    });
    if (exps.empty()) return;
    // The expansion converts the reduced argument to an integer, which for NaN is poison in
    // LLVM: NaN is passed through by a select instead.
    for (Operation* op : exps) {
      auto exp = cast<math::ExpOp>(op);
      OpBuilder b(exp->getContext());
      b.setInsertionPointAfter(exp);
      Value x = exp.getOperand();
      Value nan = b.create<arith::CmpFOp>(exp.getLoc(), arith::CmpFPredicate::UNO, x, x);
      auto guarded = b.create<arith::SelectOp>(exp.getLoc(), nan, x, exp.getResult());
      exp.getResult().replaceAllUsesExcept(guarded, guarded);
    }
    // Upstream populates every approximation it has (log, tanh, sin, ...); applied to the exp
    // ops alone, so the others keep libm's accuracy.
    RewritePatternSet patterns(&getContext());
    populateMathPolynomialApproximationPatterns(patterns);
    GreedyRewriteConfig config;
    config.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyOpPatternsAndFold(exps, std::move(patterns), config))) return signalPassFailure();
    // The expansion's floor and fma are single instructions; convert-math-to-libm, which runs
    // first in the lowering (for tanh, log1p and the like), would make each a call to floorf or
    // fmaf, one per vector lane. So they go straight to LLVM's intrinsics.
    getOperation().walk([](Operation* op) {
      if (!isa<math::FloorOp, math::FmaOp>(op)) return;
      OpBuilder b(op);
      Value lowered = isa<math::FloorOp>(op)
                          ? b.create<LLVM::FFloorOp>(op->getLoc(), op->getOperand(0)).getResult()
                          : b.create<LLVM::FMAOp>(op->getLoc(), op->getOperand(0), op->getOperand(1), op->getOperand(2)).getResult();
      op->getResult(0).replaceAllUsesWith(lowered);
      op->erase();
    });
  }
};

}  // namespace
}  // namespace kiln::passes
