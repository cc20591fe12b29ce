// Emits the vector code of kiln's kernels: loads and stores of one register's worth of a row
// (masked for tails), splats, and counted loops. Shared by kiln-vectorize-matmul and the
// epilogues it fuses (matmul_epilogue.h).
#pragma once

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace kiln::passes {

struct Emitter {
  mlir::OpBuilder& b;
  mlir::Location loc;
  int64_t lanes;  // f32 lanes of one vector register
  mlir::VectorType vector_type = mlir::VectorType::get({lanes}, b.getF32Type());

  mlir::Value index(int64_t i) { return b.create<mlir::arith::ConstantIndexOp>(loc, i); }
  mlir::Value add(mlir::Value x, int64_t offset) {
    return offset ? b.create<mlir::arith::AddIOp>(loc, x, index(offset)) : x;
  }
  mlir::Value mask(int64_t used) {
    return b.create<mlir::vector::ConstantMaskOp>(loc, mlir::VectorType::get({lanes}, b.getI1Type()),
                                                  b.getI64ArrayAttr({used}));
  }
  mlir::Value splat(float value) {
    return b.create<mlir::arith::ConstantOp>(loc, vector_type, mlir::DenseElementsAttr::get(vector_type, value));
  }
  mlir::Value zeros() { return splat(0.f); }
  // `used` consecutive elements from memref[indices...] (the last index runs along them); the
  // remaining lanes are zero.
  mlir::Value load(mlir::Value memref, mlir::ValueRange indices, int64_t used) {
    if (used == lanes) return b.create<mlir::vector::LoadOp>(loc, vector_type, memref, indices);
    return b.create<mlir::vector::MaskedLoadOp>(loc, vector_type, memref, indices, mask(used), zeros());
  }
  void store(mlir::Value v, mlir::Value memref, mlir::ValueRange indices, int64_t used) {
    if (used == lanes)
      b.create<mlir::vector::StoreOp>(loc, v, memref, indices);
    else
      b.create<mlir::vector::MaskedStoreOp>(loc, memref, indices, mask(used), v);
  }
  // for (i = begin; i < end; i += step) body(i); a loop of one trip is just the body.
  void loop(int64_t begin, int64_t end, int64_t step, llvm::function_ref<void(mlir::Value)> body) {
    if (end - begin <= 0) return;
    if (end - begin <= step) return body(index(begin));
    auto for_op = b.create<mlir::scf::ForOp>(loc, index(begin), index(end), index(step));
    mlir::OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(for_op.getBody()->getTerminator());
    body(for_op.getInductionVar());
  }
};

}  // namespace kiln::passes
