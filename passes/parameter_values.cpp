#include "passes/parameter_values.h"

#include "ir/KilnDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace kiln::passes {

ParameterValues::ParameterValues(func::FuncOp function) {
  if (function.isExternal()) return;
  // A parameter the function itself updates (a result `kiln.updates` it) changes on every call:
  // what is computed from it is not fixed (BatchNorm's running averages, a training step's weights).
  llvm::SmallDenseSet<unsigned> updated;
  for (unsigned r = 0; r < function.getNumResults(); ++r)
    if (auto target = function.getResultAttrOfType<IntegerAttr>(r, ir::kUpdatesAttr)) updated.insert(target.getInt());
  for (BlockArgument arg : function.getArguments())
    if (function.getArgAttr(arg.getArgNumber(), ir::kParameterAttr) && !updated.contains(arg.getArgNumber()))
      values_.insert(arg);
  for (Operation& op : function.getBody().front()) {
    if (op.getNumResults() == 0 || op.getNumRegions() != 0 || !isPure(&op) || matchPattern(&op, m_Constant()))
      continue;
    bool any_parameter = false, all_fixed = true;
    for (Value operand : op.getOperands()) {
      bool parameter = values_.contains(operand);
      any_parameter |= parameter;
      all_fixed &= parameter || matchPattern(operand, m_Constant());
    }
    if (!any_parameter || !all_fixed) continue;
    ops_.push_back(&op);
    for (Value result : op.getResults()) values_.insert(result);
  }
}

}  // namespace kiln::passes
