// The kiln MLIR dialect (ops in KilnOps.td). Only ir/, passes/, codegen/ and tools/ include
// this: the runtime and the public frontend headers stay free of MLIR.
#pragma once

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/constant_eval.h"  // the ops' folds (KilnOps.td) call it

namespace kiln::ir {
// The marker trait Kiln_PerElement (KilnOps.td): each result element comes from the operands'
// elements at its position.
template <typename ConcreteType>
class PerElement : public mlir::OpTrait::TraitBase<ConcreteType, PerElement> {};
}  // namespace kiln::ir

// The ODS-generated adaptors have unused parameters; keep -Wextra's signal for kiln's own code.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "ir/KilnDialect.h.inc"

#define GET_OP_CLASSES
#include "ir/KilnOps.h.inc"
#pragma GCC diagnostic pop

namespace kiln::ir {

// Function-argument attributes of a traced graph. A `kiln.parameter` argument holds a Parameter's
// data: what is computed from parameters alone may be hoisted out of the per-call path. A
// `kiln.prepared` argument (added by kiln-hoist-parameter-computations) holds one result of the
// graph's `<name>_prepare` function, which the runtime reruns only when a parameter changes.
inline constexpr llvm::StringLiteral kParameterAttr = "kiln.parameter";
inline constexpr llvm::StringLiteral kPreparedAttr = "kiln.prepared";
// A function-result attribute: `kiln.updates = j` says the result is argument j's new value,
// written into the argument's own buffer (parameter updates, optimizer state). Such a result
// is not an output of the compiled call; the caller's array for argument j holds it afterwards.
inline constexpr llvm::StringLiteral kUpdatesAttr = "kiln.updates";
// In an exported graph (ir/program.h): each argument's name, and each function's signature.
inline constexpr llvm::StringLiteral kNameAttr = "kiln.name";
inline constexpr llvm::StringLiteral kSignatureAttr = "kiln.signature";

}  // namespace kiln::ir
