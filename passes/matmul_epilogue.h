// What kiln-vectorize-matmul fuses around a bufferized linalg.matmul C += A·B:
//  - the value C holds when the product starts, if it is a constant (a fill, possibly copied
//    from a filled buffer) or a bias broadcast just before it: the accumulators start from that
//    value instead of loading C;
//  - the elementwise linalg.generic ops just after it that read C (bias add, activation, any
//    arith/math body): they are applied to the accumulators in registers, and only the last
//    one's output buffer is written.
#pragma once

#include "llvm/ADT/SmallVector.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "passes/vector_emitter.h"

namespace kiln::passes {

class MatmulEpilogue {
 public:
  // Finds what around `matmul` can be fused (possibly nothing). `one_block`: the kernel is a
  // single register block, so it reads all of A and B before it stores anything, and may store
  // into them.
  MatmulEpilogue(mlir::linalg::MatmulOp matmul, bool one_block);

  // The accumulator's start for C[row][col...] (`used` lanes), built before the reduction.
  mlir::Value initial(Emitter& e, mlir::Value row, mlir::Value col, int64_t used) const;
  // Applies the fused ops to the finished accumulator and stores the result where the last one
  // writes.
  void finish(Emitter& e, mlir::Value acc, mlir::Value row, mlir::Value col, int64_t used) const;
  // Erases the fused ops (after the kernel is built).
  void erase();

  size_t num_fused() const { return (init_constant_ || init_broadcast_ ? 1 : 0) + ops_.size(); }

 private:
  mlir::Value c_;
  mlir::Value init_constant_;                       // the scalar C holds at the start, or null
  mlir::linalg::GenericOp init_broadcast_;          // the broadcast that sets C just before, or null
  mlir::Operation* erasable_init_ = nullptr;        // the op setting C just before the product
  llvm::SmallVector<mlir::linalg::GenericOp> ops_;  // fused elementwise ops, in order
  mlir::Value destination_;                         // where the result is stored
};

}  // namespace kiln::passes
