// kiln-compute-updates-in-place (Passes.td): the elementwise op that computes an in-place update
// writes straight into the argument's buffer when nothing reads the argument after it.
#include "llvm/ADT/SmallPtrSet.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "passes/passes.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_COMPUTEUPDATESINPLACE
#include "passes/Passes.h.inc"

namespace {

// Whether any op in `block` after `op` (or holding, in a nested region, such an op) reads
// `value` or a view of it, `write` (the update itself) apart. Views are followed (reshapes,
// slices, casts); any other user that comes later counts as a read.
bool read_after(Value value, Operation* op, Operation* write) {
  Block* block = op->getBlock();
  SmallVector<Value> pending{value};
  llvm::SmallPtrSet<Value, 8> seen;
  while (!pending.empty()) {
    Value v = pending.pop_back_val();
    if (!seen.insert(v).second) continue;
    for (Operation* user : v.getUsers()) {
      if (isa<tensor::ReshapeOp, tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::ExtractSliceOp, tensor::CastOp>(user))
        for (Value r : user->getResults()) pending.push_back(r);
      if (user == write) continue;
      Operation* at = block->findAncestorOpInBlock(*user);
      if (!at || (at != op && op->isBeforeInBlock(at))) return true;
    }
  }
  return false;
}

struct ComputeUpdatesInPlacePass : impl::ComputeUpdatesInPlaceBase<ComputeUpdatesInPlacePass> {
  void runOnOperation() override {
    getOperation().walk([](bufferization::MaterializeInDestinationOp in_place) {
      auto argument = dyn_cast<BlockArgument>(in_place.getDest());
      auto producer = in_place.getSource().getDefiningOp<linalg::GenericOp>();
      if (!argument || !producer || producer->getNumResults() != 1 || producer->getBlock() != in_place->getBlock())
        return;
      // An all-parallel op writing every element once, into a fresh tensor whose old contents it
      // never reads: it may write into the argument instead, element for element.
      OpOperand* init = producer.getDpsInitOperand(0);
      if (!init->get().getDefiningOp<tensor::EmptyOp>() || producer.payloadUsesValueFromOperand(init) ||
          producer.getNumParallelLoops() != producer.getNumLoops() ||
          !producer.getMatchingIndexingMap(init).isIdentity())
        return;
      // Each read of the argument by the op itself must be of the element it writes.
      for (OpOperand* input : producer.getDpsInputOperands())
        if (input->get() == argument && !producer.getMatchingIndexingMap(input).isIdentity()) return;
      if (read_after(argument, producer, in_place)) return;
      init->set(argument);
    });
  }
};

}  // namespace
}  // namespace kiln::passes
