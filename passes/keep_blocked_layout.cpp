// kiln-keep-blocked-layout (Passes.td): packed convolutions hand activations to each other (and
// to pools) in oneDNN's blocked layout; reorders to NCHW stay only where a value leaves the chain.
#include "ir/KilnDialect.h"
#include "mlir/IR/IRMapping.h"
#include "passes/parameter_values.h"
#include "passes/passes.h"
#include "passes/reporting.h"
#include "runtime/kernels/convolution.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_KEEPBLOCKEDLAYOUT
#include "passes/Passes.h.inc"

namespace {

struct KeepBlockedLayoutPass : impl::KeepBlockedLayoutBase<KeepBlockedLayoutPass>, Reporting {
  using KeepBlockedLayoutBase::KeepBlockedLayoutBase;
  int64_t blocked_results = 0, blocked_data = 0, blocked_pools = 0, blocked_dense = 0;
  std::string report() const override {
    return std::to_string(blocked_results) + " convolution results, " + std::to_string(blocked_data) +
           " convolution inputs, " + std::to_string(blocked_pools) + " pools and " + std::to_string(blocked_dense) +
           " Dense layers kept blocked";
  }

  // The blocked value `v` was reordered from, if `v` is such a reorder's result.
  Value blocked_source(Value v) const {
    auto reorder = v.getDefiningOp<ir::ReorderActivationsOp>();
    if (!reorder || static_cast<int64_t>(reorder.getFrom()) != block || reorder.getTo() != 0) return {};
    return reorder.getInput();
  }

  Value to_nchw(OpBuilder& b, Location loc, Value blocked) const {
    return b.create<ir::ReorderActivationsOp>(loc, blocked, b.getI64IntegerAttr(block), b.getI64IntegerAttr(0));
  }

  void visit(ir::Conv2DPackedOp conv) {
    auto data = cast<RankedTensorType>(conv.getData().getType());
    auto result = cast<RankedTensorType>(conv.getType());
    int64_t c = data.getShape()[1], o = result.getShape()[1];
    if (conv.getGroups() != 1 || !kernels::conv2d_runs_blocked(c, o)) return;
    if (Value blocked = blocked_source(conv.getData()); blocked && c % block == 0 && conv.getDataLayout() == 0) {
      conv.getDataMutable().assign(blocked);
      conv.setDataLayout(block);
      ++blocked_data;
    }
    if (o % block == 0 && conv.getResultLayout() == 0) {
      conv.setResultLayout(block);
      reorder_readers(conv.getResult());
      ++blocked_results;
    }
  }

  // `result`, now blocked, reaches its readers through a reorder to NCHW.
  void reorder_readers(Value result) const {
    OpBuilder b(result.getContext());
    b.setInsertionPointAfterValue(result);
    Value plain = to_nchw(b, result.getLoc(), result);
    result.replaceAllUsesExcept(plain, plain.getDefiningOp());
  }

  // A pool whose data comes out of a reorder pools the blocked value (each channel's windows
  // are the same in either layout); the reorder then moves the pool's smaller result.
  template <class Pool>
  void visit_pool(Pool pool) {
    Value blocked = blocked_source(pool.getData());
    if (!blocked || pool.getLayout() != 0) return;
    pool.getDataMutable().assign(blocked);
    pool.setLayout(block);
    reorder_readers(pool.getResult());
    ++blocked_pools;
  }

  // A Dense layer on flattened blocked activations, `fully_connected(reshape(reorder(xb)), w)`
  // with w a parameter, reads xb as it is: each output sums data × weight over the same (channel,
  // row, column) triples in either order, so w is put into the blocked order instead — once per
  // parameter version, after kiln-hoist-parameter-computations.
  void visit_fully_connected(ir::FullyConnectedOp dense, const ParameterValues& parameters) {
    auto flat = dense.getData().getDefiningOp<ir::ReshapeOp>();
    Value blocked = flat ? blocked_source(flat.getInput()) : Value();
    if (!blocked || !parameters.contains(dense.getWeight())) return;
    auto shape = cast<RankedTensorType>(blocked.getType()).getShape();  // n×c×h×w
    auto weight = cast<RankedTensorType>(dense.getWeight().getType()).getShape();  // units×(c·h·w)
    if (cast<RankedTensorType>(flat.getType()).getShape() != ArrayRef<int64_t>{shape[0], shape[1] * shape[2] * shape[3]})
      return;
    OpBuilder b(dense);
    Location loc = dense.getLoc();
    Value per_unit = b.create<ir::ReshapeOp>(loc, dense.getWeight(), ArrayRef<int64_t>{weight[0], shape[1], shape[2], shape[3]});
    Value reordered = b.create<ir::ReorderActivationsOp>(loc, per_unit, b.getI64IntegerAttr(0), b.getI64IntegerAttr(block));
    dense.getWeightMutable().assign(b.create<ir::ReshapeOp>(loc, reordered, weight));
    dense.getDataMutable().assign(b.create<ir::ReshapeOp>(loc, blocked, flat.getShape()));
    if (flat->use_empty()) flat->erase();
    ++blocked_dense;
  }

  // A per-element op whose tensor operands all come out of reorders (0-d operands broadcast the
  // same whatever the layout) runs on the blocked values; its result is reordered instead.
  void visit_per_element(Operation* op) {
    if (op->getNumResults() != 1) return;
    auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
    if (!type || type.getRank() != 4) return;
    IRMapping blocked;
    bool any = false;
    for (Value operand : op->getOperands()) {
      auto operand_type = cast<RankedTensorType>(operand.getType());
      if (operand_type.getRank() == 0) continue;
      Value source = operand_type == type ? blocked_source(operand) : Value();
      if (!source) return;
      blocked.map(operand, source);
      any = true;
    }
    if (!any) return;
    OpBuilder b(op);
    Operation* on_blocked = b.clone(*op, blocked);
    op->getResult(0).replaceAllUsesWith(to_nchw(b, op->getLoc(), on_blocked->getResult(0)));
    op->erase();
  }

  void runOnOperation() override {
    if (block != 8 && block != 16) {
      getOperation().emitError("kiln-keep-blocked-layout: block must be 8 or 16, not ") << block;
      return signalPassFailure();
    }
    // In program order, so a value is blocked before the ops that read it are visited.
    SmallVector<Operation*> ops;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation* op) {
      if (isa<ir::Conv2DPackedOp, ir::MaxPool2DOp, ir::AvgPool2DOp, ir::FullyConnectedOp>(op) ||
          op->hasTrait<ir::PerElement>())
        ops.push_back(op);
    });
    ParameterValues parameters(getOperation());
    for (Operation* op : ops) {
      if (auto conv = dyn_cast<ir::Conv2DPackedOp>(op)) visit(conv);
      else if (auto max = dyn_cast<ir::MaxPool2DOp>(op)) visit_pool(max);
      else if (auto avg = dyn_cast<ir::AvgPool2DOp>(op)) visit_pool(avg);
      else if (auto dense = dyn_cast<ir::FullyConnectedOp>(op)) visit_fully_connected(dense, parameters);
      else visit_per_element(op);
    }
    // Reorders nothing reads any more (every reader now takes the blocked value).
    getOperation().walk([](ir::ReorderActivationsOp reorder) {
      if (reorder->use_empty()) reorder->erase();
    });
  }
};

}  // namespace
}  // namespace kiln::passes
