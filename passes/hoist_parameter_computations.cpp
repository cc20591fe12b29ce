// kiln-hoist-parameter-computations (Passes.td): moves what is computed from parameters alone
// into @<name>_prepare; the graph takes its results as `kiln.prepared` arguments.
#include "ir/KilnDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "passes/parameter_values.h"
#include "passes/passes.h"
#include "passes/reporting.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_HOISTPARAMETERCOMPUTATIONS
#include "passes/Passes.h.inc"

namespace {

// Moves `values.ops()` of `function` into a new @<name>_prepare next to it; returns how many
// values the graph now receives from it.
size_t hoist(func::FuncOp function, const ParameterValues& values) {
  llvm::SmallPtrSet<Operation*, 16> hoisted(values.ops().begin(), values.ops().end());
  // What the graph still needs: results of hoisted ops used by ops that stay.
  SmallVector<Value> needed;
  for (Operation* op : values.ops())
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation* user) { return !hoisted.contains(user); }))
        needed.push_back(result);
  if (needed.empty()) return 0;

  SmallVector<unsigned> parameter_args;
  SmallVector<Type> parameter_types, needed_types;
  for (BlockArgument arg : function.getArguments())
    if (function.getArgAttr(arg.getArgNumber(), ir::kParameterAttr)) {
      parameter_args.push_back(arg.getArgNumber());
      parameter_types.push_back(arg.getType());
    }
  for (Value v : needed) needed_types.push_back(v.getType());

  OpBuilder b(function);
  b.setInsertionPointAfter(function);
  auto prepare = b.create<func::FuncOp>(function.getLoc(), (function.getName() + "_prepare").str(),
                                        b.getFunctionType(parameter_types, needed_types));
  prepare->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  Block* body = prepare.addEntryBlock();
  b.setInsertionPointToEnd(body);
  IRMapping map;
  for (auto [i, arg] : llvm::enumerate(parameter_args)) map.map(function.getArgument(arg), body->getArgument(i));
  for (Operation* op : values.ops()) {
    for (Value operand : op->getOperands())  // constants are copied, the originals stay for other users
      if (!map.contains(operand)) map.map(operand, b.clone(*operand.getDefiningOp())->getResult(0));
    b.clone(*op, map);
  }
  SmallVector<Value> returned;
  for (Value v : needed) returned.push_back(map.lookup(v));
  b.create<func::ReturnOp>(function.getLoc(), returned);

  // The graph takes the prepared values as trailing arguments.
  for (Value v : needed) {
    unsigned index = function.getNumArguments();
    function.insertArgument(index, v.getType(), b.getDictionaryAttr(b.getNamedAttr(ir::kPreparedAttr, b.getUnitAttr())),
                            v.getLoc());
    v.replaceUsesWithIf(function.getArgument(index), [&](OpOperand& use) { return !hoisted.contains(use.getOwner()); });
  }
  for (Operation* op : llvm::reverse(values.ops())) op->erase();
  return needed.size();
}

struct HoistParameterComputationsPass : impl::HoistParameterComputationsBase<HoistParameterComputationsPass>, Reporting {
  size_t hoisted = 0, prepared = 0;
  std::string report() const override {
    return std::to_string(hoisted) + " ops hoisted, " + std::to_string(prepared) + " prepared values";
  }
  void runOnOperation() override {
    SmallVector<func::FuncOp> functions(getOperation().getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      ParameterValues values(function);
      if (values.ops().empty()) continue;
      hoisted += values.ops().size();
      prepared += hoist(function, values);
    }
  }
};

}  // namespace
}  // namespace kiln::passes
