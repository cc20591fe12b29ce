// The kiln MLIR dialect (ops in KilnOps.td). Only ir/, passes/, codegen/ and tools/ include
// this: the runtime and the public frontend headers stay free of MLIR.
#pragma once

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "ir/KilnDialect.h.inc"

#define GET_OP_CLASSES
#include "ir/KilnOps.h.inc"
