// The MLIR side of ir::Graph, for codegen and tools (includes MLIR).
#pragma once

#include "ir/graph.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

namespace kiln::ir {

mlir::ModuleOp module_of(Graph& graph);
mlir::MLIRContext& context_of(Graph& graph);
// A single-threaded context with the dialects a traced graph uses (kiln, func, scf, arith)
// loaded; the pipeline loads the others as it needs them.
std::unique_ptr<mlir::MLIRContext> make_context();

}  // namespace kiln::ir
