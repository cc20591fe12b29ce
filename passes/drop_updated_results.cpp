// kiln-drop-updated-results (Passes.td): after bufferization, a `kiln.updates = j` result is
// argument j's own buffer; the result is removed, so the caller passes no out-parameter for it,
// and so is the copy of that buffer onto itself that bufferization leaves when the value was
// computed in place.
#include "ir/KilnDialect.h"
#include "llvm/ADT/BitVector.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "passes/passes.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_DROPUPDATEDRESULTS
#include "passes/Passes.h.inc"

namespace {

struct DropUpdatedResultsPass : impl::DropUpdatedResultsBase<DropUpdatedResultsPass> {
  void runOnOperation() override {
    func::FuncOp f = getOperation();
    if (f.isExternal()) return;
    auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
    llvm::BitVector updated(f.getNumResults());
    for (unsigned r = 0; r < f.getNumResults(); ++r) {
      auto updates = f.getResultAttrOfType<IntegerAttr>(r, ir::kUpdatesAttr);
      if (!updates) continue;
      uint64_t j = updates.getValue().getZExtValue();
      if (j >= f.getNumArguments() || ret.getOperand(r) != f.getArgument(j)) {
        ret.emitError("result ") << r << " should be argument " << j << "'s own buffer after bufferization";
        return signalPassFailure();
      }
      updated.set(r);
    }
    if (updated.none()) return;
    ret->eraseOperands(updated);
    f.eraseResults(updated);
    // A value computed straight into its argument leaves a copy of the buffer onto itself.
    f.walk([](memref::CopyOp copy) {
      if (copy.getSource() == copy.getTarget()) copy.erase();
    });
  }
};

}  // namespace
}  // namespace kiln::passes
