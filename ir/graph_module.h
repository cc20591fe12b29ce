// The MLIR side of ir::Graph, for codegen and tools (includes MLIR).
#pragma once

#include "ir/graph.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"

namespace kiln::ir {

mlir::ModuleOp module_of(Graph& graph);
mlir::MLIRContext& context_of(Graph& graph);
// A context with every dialect the kiln pipeline produces, loaded.
std::unique_ptr<mlir::MLIRContext> make_context();

}  // namespace kiln::ir
