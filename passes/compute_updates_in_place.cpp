// kiln-compute-updates-in-place (Passes.td): the elementwise op that computes an in-place update
// writes straight into the argument's buffer when nothing reads the argument after it.
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "passes/passes.h"
#include "passes/uses_in_range.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_COMPUTEUPDATESINPLACE
#include "passes/Passes.h.inc"

namespace {

// The tensor ops that give a view of their operand (reshapes, slices, casts).
bool is_tensor_view(Operation* op) {
  return isa<tensor::ReshapeOp, tensor::ExpandShapeOp, tensor::CollapseShapeOp, tensor::ExtractSliceOp, tensor::CastOp>(op);
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
      if (used_in_range(argument, producer, nullptr, is_tensor_view, in_place)) return;
      init->set(argument);
    });
  }
};

}  // namespace
}  // namespace kiln::passes
