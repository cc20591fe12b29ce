// kiln-vectorize-matmul (Passes.td): register-blocked vector kernels for small bufferized
// linalg.matmul and linalg.matmul_transpose_b with static shapes.
#include <algorithm>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "passes/matmul_epilogue.h"
#include "passes/passes.h"
#include "passes/reporting.h"
#include "passes/vector_emitter.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_VECTORIZEMATMUL
#include "passes/Passes.h.inc"

namespace {

constexpr int64_t kMaxRowsPerBlock = 4;     // rows of C per register block
constexpr int64_t kMaxVectorsPerBlock = 8;  // vectors per row of a block
constexpr int64_t kDotRows = 2;     // rows of C computed together by the dot-product kernel
constexpr int64_t kDotColumns = 4;  // its columns: 8 accumulators, 2 + 4 operand vectors

// Vectors per row of a block of `rows` rows. The block's accumulators (rows × vectors), the row
// of B (kept in registers when several rows share it; with one row each load folds into its
// multiply-add) and a broadcast of A must fit the register file, with one register to spare.
// More accumulators also hide the multiply-add latency: one row of 64 columns is 8 independent
// chains on AVX2 instead of 4.
int64_t vectors_per_block(int64_t rows, int64_t registers) {
  int64_t per_vector = rows + (rows > 1 ? 1 : 0);
  return std::clamp<int64_t>((registers - 2) / per_vector, 1, kMaxVectorsPerBlock);
}

// A static f32 memref in the row-major layout (what bufferization gives kiln's tensors).
bool is_plain(Value v) {
  auto type = dyn_cast<MemRefType>(v.getType());
  return type && type.hasStaticShape() && type.getLayout().isIdentity() && type.getElementType().isF32() &&
         type.getRank() == 2;
}

// Splits `extent` into full blocks of `block` and a tail: calls body(begin, end, size) for the
// range of full blocks (step `block`) and then once for the tail of `size` < block.
void split(int64_t extent, int64_t block, function_ref<void(int64_t, int64_t, int64_t)> body) {
  int64_t full = extent / block * block;
  if (full) body(0, full, block);
  if (extent > full) body(full, extent, extent - full);
}

// C[M×N] += A[M×K]·B[K×N]: a block of rows × columns of C stays in registers while the
// reduction broadcasts A[r][p] and multiply-adds it with the row B[p][j0...].
void emit_matmul(Emitter& e, int64_t registers, Value a, Value bm, Value c, const MatmulEpilogue& epilogue) {
  auto shape_c = cast<MemRefType>(c.getType()).getShape();
  int64_t m = shape_c[0], n = shape_c[1], k = cast<MemRefType>(a.getType()).getDimSize(1);
  OpBuilder& b = e.b;
  auto block = [&](Value i0, int64_t rows, Value j0, int64_t columns) {
    SmallVector<int64_t> widths;  // lanes used in each vector of the block's row
    for (int64_t col = 0; col < columns; col += e.lanes) widths.push_back(std::min(e.lanes, columns - col));
    SmallVector<Value> init;
    for (int64_t r = 0; r < rows; ++r)
      for (size_t v = 0; v < widths.size(); ++v)
        init.push_back(epilogue.initial(e, e.add(i0, r), e.add(j0, v * e.lanes), widths[v]));
    auto reduction = b.create<scf::ForOp>(e.loc, e.index(0), e.index(k), e.index(1), init);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(reduction.getBody());
      Value p = reduction.getInductionVar();
      SmallVector<Value> row_b;
      for (size_t v = 0; v < widths.size(); ++v) row_b.push_back(e.load(bm, {p, e.add(j0, v * e.lanes)}, widths[v]));
      SmallVector<Value> next;
      for (int64_t r = 0; r < rows; ++r) {
        Value a_rp = b.create<memref::LoadOp>(e.loc, a, ValueRange{e.add(i0, r), p});
        Value broadcast = b.create<vector::BroadcastOp>(e.loc, e.vector_type, a_rp);
        for (size_t v = 0; v < widths.size(); ++v)
          next.push_back(b.create<vector::FMAOp>(e.loc, broadcast, row_b[v], reduction.getRegionIterArgs()[r * widths.size() + v]));
      }
      b.create<scf::YieldOp>(e.loc, next);
    }
    for (int64_t r = 0; r < rows; ++r)
      for (size_t v = 0; v < widths.size(); ++v)
        epilogue.finish(e, reduction.getResult(r * widths.size() + v), e.add(i0, r), e.add(j0, v * e.lanes), widths[v]);
  };
  split(m, kMaxRowsPerBlock, [&](int64_t row_begin, int64_t row_end, int64_t rows) {
    e.loop(row_begin, row_end, rows, [&](Value i0) {
      int64_t block_columns = e.lanes * vectors_per_block(rows, registers);
      split(n, block_columns, [&](int64_t col_begin, int64_t col_end, int64_t columns) {
        e.loop(col_begin, col_end, columns, [&](Value j0) { block(i0, rows, j0, columns); });
      });
    });
  });
}

// C[M×N] += A[M×K]·B[N×K]ᵀ: each C[i][j] is a dot product along the contiguous k axis, done a
// vector at a time for a block of rows × columns together (sharing the loads of A and B), then
// summed.
void emit_matmul_transpose_b(Emitter& e, Value a, Value bm, Value c) {
  auto shape_c = cast<MemRefType>(c.getType()).getShape();
  int64_t m = shape_c[0], n = shape_c[1], k = cast<MemRefType>(a.getType()).getDimSize(1);
  OpBuilder& b = e.b;
  // A block of rows × columns dot products: each step loads one vector of each row of A and of
  // each row of B and does rows × columns multiply-adds.
  auto block = [&](Value i0, int64_t rows, Value j0, int64_t columns) {
    SmallVector<Value> acc(rows * columns, e.zeros());
    auto step = [&](Value p, int64_t lanes, ValueRange in) {
      SmallVector<Value> row_a, row_b, out;
      for (int64_t r = 0; r < rows; ++r) row_a.push_back(e.load(a, {e.add(i0, r), p}, lanes));
      for (int64_t col = 0; col < columns; ++col) row_b.push_back(e.load(bm, {e.add(j0, col), p}, lanes));
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t col = 0; col < columns; ++col)
          out.push_back(b.create<vector::FMAOp>(e.loc, row_a[r], row_b[col], in[r * columns + col]));
      return out;
    };
    int64_t full = k / e.lanes * e.lanes;
    if (full) {
      auto reduction = b.create<scf::ForOp>(e.loc, e.index(0), e.index(full), e.index(e.lanes), acc);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(reduction.getBody());
      b.create<scf::YieldOp>(e.loc, step(reduction.getInductionVar(), e.lanes, reduction.getRegionIterArgs()));
      acc.assign(reduction.getResults().begin(), reduction.getResults().end());
    }
    if (k > full) acc = step(e.index(full), k - full, acc);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t col = 0; col < columns; ++col) {
        Value i = e.add(i0, r), j = e.add(j0, col);
        Value sum = b.create<vector::ReductionOp>(e.loc, vector::CombiningKind::ADD, acc[r * columns + col],
                                                  arith::FastMathFlags::reassoc);
        Value old = b.create<memref::LoadOp>(e.loc, c, ValueRange{i, j});
        b.create<memref::StoreOp>(e.loc, b.create<arith::AddFOp>(e.loc, old, sum), c, ValueRange{i, j});
      }
  };
  split(m, kDotRows, [&](int64_t row_begin, int64_t row_end, int64_t rows) {
    e.loop(row_begin, row_end, rows, [&](Value i0) {
      split(n, kDotColumns, [&](int64_t col_begin, int64_t col_end, int64_t columns) {
        e.loop(col_begin, col_end, columns, [&](Value j0) { block(i0, rows, j0, columns); });
      });
    });
  });
}

struct VectorizeMatmulPass : impl::VectorizeMatmulBase<VectorizeMatmulPass>, Reporting {
  using VectorizeMatmulBase::VectorizeMatmulBase;
  int64_t kernels = 0, fused = 0;
  std::string report() const override {
    return std::to_string(kernels) + " kernels, " + std::to_string(fused) + " ops fused into them";
  }
  void runOnOperation() override {
    if (lanes < 1 || registers < 4) {
      getOperation().emitError("kiln-vectorize-matmul: needs lanes >= 1 and registers >= 4");
      return signalPassFailure();
    }
    SmallVector<linalg::LinalgOp> products;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!isa<linalg::MatmulOp, linalg::MatmulTransposeBOp>(op) || !op.hasPureBufferSemantics()) return;
      if (llvm::all_of(op->getOperands(), is_plain)) products.push_back(op);
    });
    for (linalg::LinalgOp op : products) {
      OpBuilder b(op);
      Emitter e{b, op.getLoc(), lanes};
      Value a = op->getOperand(0), bm = op->getOperand(1), c = op->getOperand(2);
      if (auto matmul = dyn_cast<linalg::MatmulOp>(op.getOperation())) {
        auto c_shape = cast<MemRefType>(c.getType()).getShape();
        int64_t rows = std::min(c_shape[0], kMaxRowsPerBlock);
        bool one_block = c_shape[0] <= kMaxRowsPerBlock && c_shape[1] <= lanes * vectors_per_block(rows, registers);
        MatmulEpilogue epilogue(matmul, one_block);
        emit_matmul(e, registers, a, bm, c, epilogue);
        epilogue.erase();
        fused += epilogue.num_fused();
      } else {
        emit_matmul_transpose_b(e, a, bm, c);
      }
      ++kernels;
      op->erase();
    }
  }
};

}  // namespace
}  // namespace kiln::passes
