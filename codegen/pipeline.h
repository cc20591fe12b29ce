// The lowering pipeline from the kiln dialect to the LLVM dialect, in named stages so that
// KILN_DUMP_IR can write the module after each one.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "mlir/IR/BuiltinOps.h"

namespace kiln::codegen {

struct Stage {
  std::string name;      // "linalg", "bufferized", "loops", "llvm"
  // Pass pipeline text on a module: kiln-opt --pass-pipeline='builtin.module(<pipeline>)' runs it.
  std::string pipeline;
};

// kiln -> linalg/tensor -> bufferized memrefs (results become out-parameters) -> loops -> LLVM.
const std::vector<Stage>& lowering_stages();

// Runs every stage on `module`; `after_stage(name, module)` sees the module after each one.
// Throws kiln::Error with the diagnostics if a stage fails.
void lower_to_llvm(mlir::ModuleOp module, const std::function<void(const std::string&, mlir::ModuleOp)>& after_stage);

}  // namespace kiln::codegen
