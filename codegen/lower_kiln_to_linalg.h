// The kiln -> linalg/tensor/arith/math lowering, first stage of codegen
// (kiln-opt --lower-kiln-to-linalg).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mlir/Pass/Pass.h"

namespace kiln::codegen {

std::unique_ptr<mlir::Pass> createLowerKilnToLinalgPass();
void registerLowerKilnToLinalgPass();
// The kiln ops the lowering has a pattern for ("kiln.relu", ...), for the test that every op
// the frontend registers can be compiled.
std::vector<std::string> lowered_ops(mlir::MLIRContext& context);

}  // namespace kiln::codegen
