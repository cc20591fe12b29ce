#include "passes/parameter_values.h"

#include "ir/KilnDialect.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;

namespace kiln::passes {

ParameterValues::ParameterValues(func::FuncOp function) {
  if (function.isExternal()) return;
  for (BlockArgument arg : function.getArguments())
    if (function.getArgAttr(arg.getArgNumber(), ir::kParameterAttr)) values_.insert(arg);
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
