// Which values of a traced function do not change from call to call: those computed from its
// `kiln.parameter` arguments (and constants) alone, counting only parameters the function does
// not update. Shared by kiln-transpose-dense-weights (which only reshapes such weights) and
// kiln-hoist-parameter-computations (which moves them out).
#pragma once

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallVector.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace kiln::passes {

class ParameterValues {
 public:
  explicit ParameterValues(mlir::func::FuncOp function);

  // A parameter argument, or the result of an op in ops().
  bool contains(mlir::Value v) const { return values_.contains(v); }
  // The pure ops whose operands are parameter values or constants, with at least one parameter
  // value among them, in program order.
  llvm::ArrayRef<mlir::Operation*> ops() const { return ops_; }

 private:
  llvm::DenseSet<mlir::Value> values_;
  llvm::SmallVector<mlir::Operation*> ops_;
};

}  // namespace kiln::passes
