// kiln-distinct-results (Passes.td): a memref returned more than once is returned once, and each
// repeat is a copy in a buffer of its own; so is a returned function argument.
#include "llvm/ADT/DenseSet.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "passes/passes.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_DISTINCTRESULTS
#include "passes/Passes.h.inc"

namespace {

struct DistinctResultsPass : impl::DistinctResultsBase<DistinctResultsPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      llvm::DenseSet<Value> returned;
      OpBuilder b(ret);
      for (OpOperand& operand : ret->getOpOperands()) {
        Value v = operand.get();
        auto type = dyn_cast<MemRefType>(v.getType());
        bool argument = isa<BlockArgument>(v) && cast<BlockArgument>(v).getOwner()->isEntryBlock() &&
                        isa<func::FuncOp>(cast<BlockArgument>(v).getOwner()->getParentOp());
        if (!type || (returned.insert(v).second && !argument)) continue;
        Value copy = b.create<memref::AllocOp>(ret.getLoc(), type);
        b.create<memref::CopyOp>(ret.getLoc(), v, copy);
        operand.set(copy);
      }
    });
  }
};

}  // namespace
}  // namespace kiln::passes
