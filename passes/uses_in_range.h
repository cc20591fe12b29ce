// Where a buffer or tensor is used, through its views: the question kiln's in-place passes ask
// before writing a value earlier or into another place (MLIR headers: passes/ only).
#pragma once

#include "llvm/ADT/STLFunctionalExtras.h"
#include "mlir/IR/Operation.h"

namespace kiln::passes {

// Whether an op of `from`'s block strictly after `from` and before `to` (the block's end when
// null), or holding such an op in a region, uses `value` or a view of it; ops for which
// `is_view` holds are followed to their results, `except` is not counted, and a use outside the
// block counts.
bool used_in_range(mlir::Value value, mlir::Operation* from, mlir::Operation* to,
                   llvm::function_ref<bool(mlir::Operation*)> is_view, mlir::Operation* except = nullptr);

}  // namespace kiln::passes
