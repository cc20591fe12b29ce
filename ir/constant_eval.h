// Constant folding by evaluation: an op whose operands are all constants is computed at compile
// time by the runtime's own kernels, so a folded value is bit-for-bit what eager execution gives.
// Every kiln op's fold() calls this (KilnOps.td); canonicalize then replaces the op by a
// kiln.constant — so a chain of get_constant arithmetic becomes one constant in the IR.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/Operation.h"

namespace kiln::ir {

// Results larger than this many elements are not folded (they would bloat the module).
inline constexpr int64_t kMaxFoldedElements = int64_t{1} << 20;

// The value of `op` (one f32 tensor result) from constant `operands`, or null when an operand is
// not a dense f32 constant, the result is too large, or the op has no evaluation.
mlir::Attribute evaluate_constant(mlir::Operation* op, llvm::ArrayRef<mlir::Attribute> operands);

}  // namespace kiln::ir
