// The kiln -> linalg/tensor/arith/math lowering, first stage of codegen
// (kiln-opt --lower-kiln-to-linalg).
#pragma once

#include <memory>

#include "mlir/Pass/Pass.h"

namespace kiln::codegen {

std::unique_ptr<mlir::Pass> createLowerKilnToLinalgPass();
void registerLowerKilnToLinalgPass();

}  // namespace kiln::codegen
