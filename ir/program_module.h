// The MLIR side of ir/program.h, for codegen's AOT compiler (includes MLIR).
#pragma once

#include <string>

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

namespace kiln::ir {

// The module of a symbol file, after the checks read_program makes (version, checksum, parse,
// verify); `context` must have the kiln dialects loaded (make_context). Throws FileError.
mlir::OwningOpRef<mlir::ModuleOp> parse_symbol_file(const std::string& text, const std::string& path,
                                                    mlir::MLIRContext& context);

}  // namespace kiln::ir
