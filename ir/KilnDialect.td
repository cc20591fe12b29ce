// The kiln dialect: the ops of kiln's frontend on ranked f32 tensors. A traced Block becomes a
// func.func of these ops; codegen lowers them to linalg/tensor/arith.
#ifndef KILN_DIALECT_TD
#define KILN_DIALECT_TD

include "mlir/IR/OpBase.td"

def Kiln_Dialect : Dialect {
  let name = "kiln";
  let cppNamespace = "::kiln::ir";
  let summary = "kiln's array ops, as recorded by hybridize()";
  let description = [{
    One op per frontend op (frontend/ops/), with the same name, attributes and shape rule
    (runtime/shape_rules.h). Operands and results are ranked tensors of f32; scalars are 0-d
    tensors. Every op is pure: in-place updates in the frontend become new SSA values.
  }];
  let hasConstantMaterializer = 1;
  // Folded guard predicates materialise as arith.constant i1.
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

class Kiln_Op<string mnemonic, list<Trait> traits = []> : Op<Kiln_Dialect, mnemonic, traits>;

def Kiln_Tensor : RankedTensorOf<[F32]>;

#endif  // KILN_DIALECT_TD
