// Lowers every kiln op to linalg (generic, fill, transpose), tensor (empty, reshape, slices) and
// arith/math. Broadcasting is expressed in indexing maps, so no broadcast is materialised.
#include "codegen/lower_kiln_to_linalg.h"

#include <limits>

#include "ir/KilnDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"
#include "passes/matmul_strategy.h"
#include "runtime/kernels/convolution.h"
#include "runtime/kernels/pooling.h"

using namespace mlir;

namespace kiln::codegen {
namespace {

RankedTensorType tensor_type(Value v) { return cast<RankedTensorType>(v.getType()); }

Value constant_f32(OpBuilder& b, Location loc, float v) {
  return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(v));
}

Value empty_like(OpBuilder& b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

Value filled(OpBuilder& b, Location loc, RankedTensorType type, float value) {
  return b.create<linalg::FillOp>(loc, constant_f32(b, loc, value), empty_like(b, loc, type)).getResult(0);
}

// Map from the result's loop space (rank `out_rank`) to an operand that broadcasts to it:
// missing leading axes are dropped, extent-1 axes read index 0.
AffineMap broadcast_map(MLIRContext* ctx, RankedTensorType operand, ArrayRef<int64_t> out_shape) {
  unsigned out_rank = out_shape.size(), rank = operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (unsigned i = 0; i < rank; ++i) {
    unsigned d = out_rank - rank + i;
    bool broadcast = operand.getDimSize(i) == 1 && out_shape[d] != 1;
    exprs.push_back(broadcast ? getAffineConstantExpr(0, ctx) : getAffineDimExpr(d, ctx));
  }
  return AffineMap::get(out_rank, 0, exprs, ctx);
}

using Body = function_ref<Value(OpBuilder&, Location, ValueRange)>;

// An all-parallel linalg.generic over `result` whose operands broadcast to it.
Value elementwise(OpBuilder& b, Location loc, RankedTensorType result, ValueRange operands, Body body) {
  MLIRContext* ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value v : operands) maps.push_back(broadcast_map(ctx, tensor_type(v), result.getShape()));
  maps.push_back(b.getMultiDimIdentityMap(result.getRank()));
  SmallVector<utils::IteratorType> iterators(result.getRank(), utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, result, operands, ValueRange{empty_like(b, loc, result)}, maps, iterators,
      [&](OpBuilder& nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, body(nb, nloc, args.drop_back()));
      });
  return generic.getResult(0);
}

// Reshapes to `type` (same element count) through tensor.reshape with a constant shape.
Value reshape_to(OpBuilder& b, Location loc, Value v, RankedTensorType type) {
  if (v.getType() == type) return v;
  auto shape_type = RankedTensorType::get({type.getRank()}, b.getI64Type());
  Value shape = b.create<arith::ConstantOp>(loc, DenseIntElementsAttr::get(shape_type, type.getShape()));
  return b.create<tensor::ReshapeOp>(loc, type, v, shape);
}

// Reduces `input` over the axes marked in `reduced` with `combine(element, accumulator)`,
// starting from `init`, then reshapes to `result` (which may keep the axes as extent 1).
// The loop space of a reduction of `input` over the axes marked in `reduced`: the accumulator's
// type (the kept axes), the map from the loops to it, and each loop's iterator type.
struct ReductionSpace {
  RankedTensorType acc_type;
  AffineMap kept;
  SmallVector<utils::IteratorType> iterators;

  ReductionSpace(OpBuilder& b, RankedTensorType in_type, ArrayRef<bool> reduced) {
    SmallVector<int64_t> kept_shape;
    SmallVector<AffineExpr> kept_dims;
    for (int64_t i = 0; i < in_type.getRank(); ++i) {
      iterators.push_back(reduced[i] ? utils::IteratorType::reduction : utils::IteratorType::parallel);
      if (reduced[i]) continue;
      kept_shape.push_back(in_type.getDimSize(i));
      kept_dims.push_back(getAffineDimExpr(i, b.getContext()));
    }
    acc_type = RankedTensorType::get(kept_shape, b.getF32Type());
    kept = AffineMap::get(in_type.getRank(), 0, kept_dims, b.getContext());
  }
};

Value reduce(OpBuilder& b, Location loc, Value input, ArrayRef<bool> reduced, float init,
             function_ref<Value(OpBuilder&, Location, Value, Value)> combine, RankedTensorType result) {
  auto in_type = tensor_type(input);
  ReductionSpace space(b, in_type, reduced);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(in_type.getRank()), space.kept};
  auto generic = b.create<linalg::GenericOp>(
      loc, space.acc_type, ValueRange{input}, ValueRange{filled(b, loc, space.acc_type, init)}, maps, space.iterators,
      [&](OpBuilder& nb, Location nloc, ValueRange args) {
        nb.create<linalg::YieldOp>(nloc, combine(nb, nloc, args[0], args[1]));
      });
  return reshape_to(b, loc, generic.getResult(0), result);
}

// The index (as f32) of the largest element over the axes marked in `reduced` — row-major over
// them, so all axes give the flat index — reshaped to `result`. One pass carries the best value
// and its index; an element replaces them when larger, or when it is the first NaN (kernels::argmax).
Value argmax(OpBuilder& b, Location loc, Value input, ArrayRef<bool> reduced, RankedTensorType result) {
  auto in_type = tensor_type(input);
  int64_t rank = in_type.getRank();
  ReductionSpace space(b, in_type, reduced);
  SmallVector<AffineMap> maps{b.getMultiDimIdentityMap(rank), space.kept, space.kept};
  Value best = filled(b, loc, space.acc_type, -std::numeric_limits<float>::infinity());
  Value at = filled(b, loc, space.acc_type, 0.f);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{space.acc_type, space.acc_type}, ValueRange{input}, ValueRange{best, at}, maps, space.iterators,
      [&](OpBuilder& nb, Location l, ValueRange args) {
        Value x = args[0], best = args[1], at = args[2];
        // The element's position among the reduced axes, row-major.
        Value flat;
        for (int64_t i = 0; i < rank; ++i) {
          if (!reduced[i]) continue;
          Value at_i = nb.create<linalg::IndexOp>(l, i);
          if (!flat) {
            flat = at_i;
            continue;
          }
          Value extent = nb.create<arith::ConstantIndexOp>(l, in_type.getDimSize(i));
          flat = nb.create<arith::AddIOp>(l, nb.create<arith::MulIOp>(l, flat, extent), at_i);
        }
        if (!flat) flat = nb.create<arith::ConstantIndexOp>(l, 0);  // a 0-d input
        Value index = nb.create<arith::SIToFPOp>(l, nb.getF32Type(), nb.create<arith::IndexCastOp>(l, nb.getI64Type(), flat));
        Value larger = nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::OGT, x, best);
        Value is_nan = nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::UNO, x, x);
        Value best_is_number = nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::ORD, best, best);
        Value take = nb.create<arith::OrIOp>(l, larger, nb.create<arith::AndIOp>(l, is_nan, best_is_number));
        nb.create<linalg::YieldOp>(l, ValueRange{nb.create<arith::SelectOp>(l, take, x, best),
                                                 nb.create<arith::SelectOp>(l, take, index, at)});
      });
  return reshape_to(b, loc, generic.getResult(1), result);
}

// softmax (or log_softmax) of `x` along `axis`, as kernels::softmax computes it: the maximum m,
// then s = Σ exp(x − m), then exp(x − m) / s (or (x − m) − log s). Elementwise fusion merges the
// shift into the passes that read it.
Value softmax(OpBuilder& b, Location loc, Value x, int64_t axis, bool log, RankedTensorType type) {
  SmallVector<bool> reduced(type.getRank(), false);
  reduced[axis] = true;
  SmallVector<int64_t> kept_shape(type.getShape());
  kept_shape[axis] = 1;
  auto kept = RankedTensorType::get(kept_shape, b.getF32Type());
  Value m = reduce(b, loc, x, reduced, -std::numeric_limits<float>::infinity(),
                   [](OpBuilder& nb, Location l, Value v, Value acc) -> Value { return nb.create<arith::MaximumFOp>(l, v, acc); },
                   kept);
  Value shifted = elementwise(b, loc, type, ValueRange{x, m}, [](OpBuilder& nb, Location l, ValueRange v) -> Value {
    return nb.create<arith::SubFOp>(l, v[0], v[1]);
  });
  Value sum = reduce(b, loc, shifted, reduced, 0.f,
                     [](OpBuilder& nb, Location l, Value v, Value acc) -> Value {
                       return nb.create<arith::AddFOp>(l, acc, nb.create<math::ExpOp>(l, v));
                     },
                     kept);
  return elementwise(b, loc, type, ValueRange{shifted, sum}, [log](OpBuilder& nb, Location l, ValueRange v) -> Value {
    if (log) return nb.create<arith::SubFOp>(l, v[0], nb.create<math::LogOp>(l, v[1]));
    return nb.create<arith::DivFOp>(l, nb.create<math::ExpOp>(l, v[0]), v[1]);
  });
}

// x's element at `index` along `axis`, one loop per element of `index`: the index is clamped
// into [0, extent) as a float (maxnumf takes 0 over NaN), then truncated — kernels::pick's rule.
Value pick(OpBuilder& b, Location loc, Value x, Value index, int64_t axis) {
  auto x_type = tensor_type(x);
  auto index_type = tensor_type(index);
  int64_t rank = index_type.getRank();
  float last = static_cast<float>(x_type.getDimSize(axis) - 1);
  SmallVector<AffineMap> maps(2, b.getMultiDimIdentityMap(rank));
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, index_type, ValueRange{index}, ValueRange{empty_like(b, loc, index_type)}, maps, iterators,
      [&](OpBuilder& nb, Location l, ValueRange args) {
        Value clamped = nb.create<arith::MinimumFOp>(l, nb.create<arith::MaxNumFOp>(l, args[0], constant_f32(nb, l, 0.f)),
                                                     constant_f32(nb, l, last));
        Value at = nb.create<arith::IndexCastOp>(l, nb.getIndexType(), nb.create<arith::FPToSIOp>(l, nb.getI64Type(), clamped));
        SmallVector<Value> coordinates;
        for (int64_t d = 0; d < x_type.getRank(); ++d)
          coordinates.push_back(d == axis ? at : nb.create<linalg::IndexOp>(l, d < axis ? d : d - 1).getResult());
        nb.create<linalg::YieldOp>(l, nb.create<tensor::ExtractOp>(l, x, coordinates).getResult());
      });
  return generic.getResult(0);
}

// 1.0 where the last axis's position equals the index, else 0.0 (kiln.equal's rule).
Value one_hot(OpBuilder& b, Location loc, Value indices, RankedTensorType type) {
  MLIRContext* ctx = b.getContext();
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> leading;
  for (int64_t d = 0; d + 1 < rank; ++d) leading.push_back(getAffineDimExpr(d, ctx));
  SmallVector<AffineMap> maps{AffineMap::get(rank, 0, leading, ctx), b.getMultiDimIdentityMap(rank)};
  SmallVector<utils::IteratorType> iterators(rank, utils::IteratorType::parallel);
  auto generic = b.create<linalg::GenericOp>(
      loc, type, ValueRange{indices}, ValueRange{empty_like(b, loc, type)}, maps, iterators,
      [&](OpBuilder& nb, Location l, ValueRange args) {
        Value position = nb.create<arith::IndexCastOp>(l, nb.getI64Type(), nb.create<linalg::IndexOp>(l, rank - 1));
        Value hit = nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::OEQ, args[0],
                                             nb.create<arith::SIToFPOp>(l, nb.getF32Type(), position));
        nb.create<linalg::YieldOp>(l, nb.create<arith::UIToFPOp>(l, nb.getF32Type(), hit).getResult());
      });
  return generic.getResult(0);
}

// The transpose of a 2-D tensor, materialised (linalg.transpose into a fresh tensor).
Value transposed(OpBuilder& b, Location loc, Value m) {
  auto type = tensor_type(m);
  Value empty = b.create<tensor::EmptyOp>(loc, ArrayRef<int64_t>{type.getDimSize(1), type.getDimSize(0)},
                                          type.getElementType());
  return b.create<linalg::TransposeOp>(loc, m, empty, ArrayRef<int64_t>{1, 0}).getResult()[0];
}

// Large products go to oneDNN: `out = fn(operands..., scalars..., reals...)` through runtime/c_abi.h. The
// tensors cross as memrefs (bufferization.to_memref / to_tensor); the callee is declared on
// first use with dynamic shapes and MLIR's C interface.
Value call_runtime(OpBuilder& b, Operation* op, StringRef fn, ValueRange operands, RankedTensorType result,
                   ArrayRef<int64_t> scalars = {}, ArrayRef<float> reals = {}) {
  Location loc = op->getLoc();
  auto dynamic = [&](int64_t rank) {
    return MemRefType::get(SmallVector<int64_t>(rank, ShapedType::kDynamic), b.getF32Type());
  };
  SmallVector<Value> args;
  for (Value t : operands) {
    auto type = tensor_type(t);
    // read_only: the callee only reads its operands, so bufferization passes the tensor's own
    // buffer instead of a copy.
    Value m = b.create<bufferization::ToMemrefOp>(loc, MemRefType::get(type.getShape(), b.getF32Type()), t,
                                                  /*read_only=*/true);
    args.push_back(b.create<memref::CastOp>(loc, dynamic(type.getRank()), m));
  }
  Value out = b.create<memref::AllocOp>(loc, MemRefType::get(result.getShape(), b.getF32Type()));
  args.push_back(b.create<memref::CastOp>(loc, dynamic(result.getRank()), out));
  for (int64_t s : scalars) args.push_back(b.create<arith::ConstantOp>(loc, b.getI64IntegerAttr(s)));
  for (float r : reals) args.push_back(b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(r)));

  auto module = op->getParentOfType<ModuleOp>();
  if (!module.lookupSymbol<func::FuncOp>(fn)) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(module.getBody());
    auto decl = b.create<func::FuncOp>(loc, fn, b.getFunctionType(ValueRange(args).getTypes(), {}));
    decl.setPrivate();
    decl->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  }
  b.create<func::CallOp>(loc, fn, TypeRange{}, args);
  return b.create<bufferization::ToTensorOp>(loc, result, out, /*restrict=*/true, /*writable=*/true);
}

using passes::use_onednn;

// C = op(A)·op(B) accumulated onto `init`, as the named linalg ops kiln-vectorize-matmul has
// kernels for (matmul, matmul_transpose_b).
Value product(OpBuilder& b, Location loc, Value lhs, Value rhs, bool ta, bool tb, Value init) {
  // A transposed left operand (the weight gradient xᵀ·g of every Dense) is copied transposed
  // first: the copy is M·K moves, and the product then runs as a register-blocked kernel
  // (kiln-vectorize-matmul) instead of a strided scalar contraction.
  if (ta) lhs = transposed(b, loc, lhs);
  if (!tb) return b.create<linalg::MatmulOp>(loc, ValueRange{lhs, rhs}, ValueRange{init}).getResult(0);
  return b.create<linalg::MatmulTransposeBOp>(loc, ValueRange{lhs, rhs}, ValueRange{init}).getResult(0);
}

// --- patterns -------------------------------------------------------------------------------

// Replaces a kiln op with what `lower(builder, op)` builds.
template <class Op>
struct Lowering : OpConversionPattern<Op> {
  using Fn = std::function<Value(OpBuilder&, Op, typename Op::Adaptor)>;
  Lowering(MLIRContext* ctx, Fn fn) : OpConversionPattern<Op>(ctx), fn_(std::move(fn)) {}
  LogicalResult matchAndRewrite(Op op, typename Op::Adaptor adaptor, ConversionPatternRewriter& rewriter) const override {
    rewriter.replaceOp(op, fn_(rewriter, op, adaptor));
    return success();
  }
  Fn fn_;
};

template <class Op>
void add(RewritePatternSet& patterns, typename Lowering<Op>::Fn fn) {
  patterns.add<Lowering<Op>>(patterns.getContext(), std::move(fn));
}

template <class Op>
void add_unary(RewritePatternSet& patterns, std::function<Value(OpBuilder&, Location, Value)> f) {
  add<Op>(patterns, [f](OpBuilder& b, Op op, typename Op::Adaptor a) {
    return elementwise(b, op.getLoc(), op.getType(), ValueRange{a.getInput()},
                       [&](OpBuilder& nb, Location l, ValueRange x) { return f(nb, l, x[0]); });
  });
}

template <class Op>
void add_binary(RewritePatternSet& patterns, std::function<Value(OpBuilder&, Location, Value, Value)> f) {
  add<Op>(patterns, [f](OpBuilder& b, Op op, typename Op::Adaptor a) {
    return elementwise(b, op.getLoc(), op.getType(), ValueRange{a.getLhs(), a.getRhs()},
                       [&](OpBuilder& nb, Location l, ValueRange x) { return f(nb, l, x[0], x[1]); });
  });
}

template <class Op>
void add_compare(RewritePatternSet& patterns, arith::CmpFPredicate predicate) {
  add_binary<Op>(patterns, [predicate](OpBuilder& b, Location l, Value x, Value y) -> Value {
    Value bit = b.create<arith::CmpFOp>(l, predicate, x, y);
    return b.create<arith::UIToFPOp>(l, b.getF32Type(), bit);
  });
}

// An op's axis attribute as an index in [0, rank): negative axes count from the end. (ODS's
// I64Attr reads as uint64_t, so the sign must be recovered before comparing.)
int64_t axis_index(uint64_t attribute, int64_t rank) {
  auto axis = static_cast<int64_t>(attribute);
  return axis < 0 ? axis + rank : axis;
}

// The axes a reduction op reduces.
template <class Op>
SmallVector<bool> reduced_axes(Op op) {
  int64_t rank = tensor_type(op.getInput()).getRank();
  SmallVector<bool> reduced(rank, !op.getAxis().has_value());
  if (auto axis = op.getAxis()) reduced[axis_index(*axis, rank)] = true;
  return reduced;
}

Value add_f(OpBuilder& b, Location l, Value x, Value acc) { return b.create<arith::AddFOp>(l, acc, x); }

// maximum(x, 0). arith.maximumf is IEEE 754-2019 maximum, kiln's (kernels::ieee_maximum).
Value relu(OpBuilder& b, Location l, Value x) { return b.create<arith::MaximumFOp>(l, x, constant_f32(b, l, 0.f)); }

void populate(RewritePatternSet& p) {
  add<ir::ConstantOp>(p, [](OpBuilder& b, ir::ConstantOp op, auto) -> Value {
    // MLIR 19's LLVM translation writes a splat of -0.0 as zeroinitializer (+0.0): fill instead.
    auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
    if (dense && dense.isSplat() && dense.getSplatValue<APFloat>().isNegZero())
      return filled(b, op.getLoc(), op.getType(), -0.f);
    return b.create<arith::ConstantOp>(op.getLoc(), cast<TypedAttr>(op.getValue()));
  });

  add_unary<ir::ReluOp>(p, relu);
  add_unary<ir::SigmoidOp>(p, [](OpBuilder& b, Location l, Value x) -> Value {
    Value e = b.create<math::ExpOp>(l, b.create<arith::NegFOp>(l, x));
    Value one = constant_f32(b, l, 1.f);
    return b.create<arith::DivFOp>(l, one, b.create<arith::AddFOp>(l, one, e));
  });
  add_unary<ir::TanhOp>(p, [](OpBuilder& b, Location l, Value x) -> Value { return b.create<math::TanhOp>(l, x); });
  add_unary<ir::ExpOp>(p, [](OpBuilder& b, Location l, Value x) -> Value { return b.create<math::ExpOp>(l, x); });
  add_unary<ir::LogOp>(p, [](OpBuilder& b, Location l, Value x) -> Value { return b.create<math::LogOp>(l, x); });
  add_unary<ir::NegativeOp>(p, [](OpBuilder& b, Location l, Value x) -> Value { return b.create<arith::NegFOp>(l, x); });
  add_unary<ir::SqrtOp>(p, [](OpBuilder& b, Location l, Value x) -> Value { return b.create<math::SqrtOp>(l, x); });
  add_unary<ir::SquareOp>(p, [](OpBuilder& b, Location l, Value x) -> Value { return b.create<arith::MulFOp>(l, x, x); });
  add_unary<ir::AbsOp>(p, [](OpBuilder& b, Location l, Value x) -> Value { return b.create<math::AbsFOp>(l, x); });
  add_unary<ir::SoftreluOp>(p, [](OpBuilder& b, Location l, Value x) -> Value {  // as kernels::apply_unary
    Value tail = b.create<math::Log1pOp>(l, b.create<math::ExpOp>(l, b.create<arith::NegFOp>(l, b.create<math::AbsFOp>(l, x))));
    return b.create<arith::AddFOp>(l, relu(b, l, x), tail);
  });
  add_unary<ir::SoftsignOp>(p, [](OpBuilder& b, Location l, Value x) -> Value {
    return b.create<arith::DivFOp>(l, x, b.create<arith::AddFOp>(l, constant_f32(b, l, 1.f), b.create<math::AbsFOp>(l, x)));
  });

  add_binary<ir::AddOp>(p, [](OpBuilder& b, Location l, Value x, Value y) -> Value { return b.create<arith::AddFOp>(l, x, y); });
  add_binary<ir::SubtractOp>(p, [](OpBuilder& b, Location l, Value x, Value y) -> Value { return b.create<arith::SubFOp>(l, x, y); });
  add_binary<ir::MultiplyOp>(p, [](OpBuilder& b, Location l, Value x, Value y) -> Value { return b.create<arith::MulFOp>(l, x, y); });
  add_binary<ir::DivideOp>(p, [](OpBuilder& b, Location l, Value x, Value y) -> Value { return b.create<arith::DivFOp>(l, x, y); });
  add_binary<ir::MaximumOp>(p, [](OpBuilder& b, Location l, Value x, Value y) -> Value {
    return b.create<arith::MaximumFOp>(l, x, y);
  });
  add_binary<ir::MinimumOp>(p, [](OpBuilder& b, Location l, Value x, Value y) -> Value {
    return b.create<arith::MinimumFOp>(l, x, y);
  });
  add_compare<ir::EqualOp>(p, arith::CmpFPredicate::OEQ);
  add_compare<ir::GreaterOp>(p, arith::CmpFPredicate::OGT);
  add_compare<ir::LesserOp>(p, arith::CmpFPredicate::OLT);

  add<ir::WhereOp>(p, [](OpBuilder& b, ir::WhereOp op, ir::WhereOp::Adaptor a) {
    return elementwise(b, op.getLoc(), op.getType(), ValueRange{a.getCondition(), a.getX(), a.getY()},
                       [](OpBuilder& nb, Location l, ValueRange v) -> Value {
                         Value holds = nb.create<arith::CmpFOp>(l, arith::CmpFPredicate::UNE, v[0], constant_f32(nb, l, 0.f));
                         return nb.create<arith::SelectOp>(l, holds, v[1], v[2]);
                       });
  });

  add<ir::DotOp>(p, [](OpBuilder& b, ir::DotOp op, ir::DotOp::Adaptor a) {
    auto lhs = tensor_type(a.getLhs()).getShape();
    int64_t k = op.getTransposeA() ? lhs[0] : lhs[1];
    if (use_onednn(op.getType().getDimSize(0), op.getType().getDimSize(1), k))
      return call_runtime(b, op, "kiln_rt_dot", {a.getLhs(), a.getRhs()}, op.getType(),
                          {op.getTransposeA(), op.getTransposeB()});
    Value init = filled(b, op.getLoc(), op.getType(), 0.f);
    return product(b, op.getLoc(), a.getLhs(), a.getRhs(), op.getTransposeA(), op.getTransposeB(), init);
  });
  // Convolutions and pools call oneDNN through the runtime (runtime/c_abi.h), their window as
  // trailing i64 scalars: strides, padding, dilation (each height, width), groups; the pools'
  // kernel, strides, padding.
  auto conv_scalars = [](auto op) {
    auto s = op.getStrides(), p = op.getPadding(), d = op.getDilation();
    return SmallVector<int64_t>{s[0], s[1], p[0], p[1], d[0], d[1], static_cast<int64_t>(op.getGroups())};
  };
  auto pool_scalars = [](auto op) {
    auto k = op.getKernel(), s = op.getStrides(), p = op.getPadding();
    return SmallVector<int64_t>{k[0], k[1], s[0], s[1], p[0], p[1]};
  };
  add<ir::Conv2DOp>(p, [conv_scalars](OpBuilder& b, ir::Conv2DOp op, ir::Conv2DOp::Adaptor a) {
    if (a.getBias())
      return call_runtime(b, op, "kiln_rt_conv2d", {a.getData(), a.getWeight(), a.getBias()}, op.getType(), conv_scalars(op));
    return call_runtime(b, op, "kiln_rt_conv2d_no_bias", {a.getData(), a.getWeight()}, op.getType(), conv_scalars(op));
  });
  add<ir::Conv2DPackWeightsOp>(p, [conv_scalars](OpBuilder& b, ir::Conv2DPackWeightsOp op, ir::Conv2DPackWeightsOp::Adaptor a) {
    SmallVector<int64_t> scalars(op.getDataShape().begin(), op.getDataShape().end());  // n, c, h, w, then the window
    scalars.append(conv_scalars(op));
    return call_runtime(b, op, "kiln_rt_conv2d_pack_weights", {a.getWeight()}, op.getType(), scalars);
  });
  add<ir::Conv2DPackedOp>(p, [conv_scalars](OpBuilder& b, ir::Conv2DPackedOp op, ir::Conv2DPackedOp::Adaptor a) {
    SmallVector<int64_t> scalars = conv_scalars(op);
    scalars.append({static_cast<int64_t>(op.getDataLayout()), static_cast<int64_t>(op.getResultLayout())});
    std::string entry = "kiln_rt_conv2d_packed_in_layouts";
    if (!op.getActivation().empty()) {  // "relu", the one the verifier allows
      entry = "kiln_rt_conv2d_packed_activated";
      scalars.push_back(static_cast<int64_t>(kernels::ConvActivation::Relu));
    }
    if (a.getBias())
      return call_runtime(b, op, entry, {a.getData(), a.getWeight(), a.getPacked(), a.getBias()}, op.getType(), scalars);
    return call_runtime(b, op, entry + "_no_bias", {a.getData(), a.getWeight(), a.getPacked()}, op.getType(), scalars);
  });
  add<ir::ReorderActivationsOp>(p, [](OpBuilder& b, ir::ReorderActivationsOp op, ir::ReorderActivationsOp::Adaptor a) {
    return call_runtime(b, op, "kiln_rt_reorder_activations", {a.getInput()}, op.getType(),
                        {static_cast<int64_t>(op.getFrom()), static_cast<int64_t>(op.getTo())});
  });
  add<ir::Conv2DBackwardDataOp>(p, [conv_scalars](OpBuilder& b, ir::Conv2DBackwardDataOp op, ir::Conv2DBackwardDataOp::Adaptor a) {
    return call_runtime(b, op, "kiln_rt_conv2d_backward_data", {a.getOutGrad(), a.getWeight()}, op.getType(), conv_scalars(op));
  });
  add<ir::Conv2DBackwardWeightsOp>(
      p, [conv_scalars](OpBuilder& b, ir::Conv2DBackwardWeightsOp op, ir::Conv2DBackwardWeightsOp::Adaptor a) {
        return call_runtime(b, op, "kiln_rt_conv2d_backward_weights", {a.getOutGrad(), a.getData()}, op.getType(),
                            conv_scalars(op));
      });
  // A pool on blocked activations (kiln-keep-blocked-layout) names its kind and layout.
  auto pool_in_layout = [pool_scalars](OpBuilder& b, auto op, Value data, kernels::PoolKind kind) {
    SmallVector<int64_t> scalars = pool_scalars(op);
    scalars.append({static_cast<int64_t>(kind), static_cast<int64_t>(op.getLayout())});
    return call_runtime(b, op, "kiln_rt_pool2d_in_layout", {data}, op.getType(), scalars);
  };
  add<ir::MaxPool2DOp>(p, [pool_scalars, pool_in_layout](OpBuilder& b, ir::MaxPool2DOp op, ir::MaxPool2DOp::Adaptor a) {
    if (op.getLayout() != 0) return pool_in_layout(b, op, a.getData(), kernels::PoolKind::Max);
    return call_runtime(b, op, "kiln_rt_max_pool2d", {a.getData()}, op.getType(), pool_scalars(op));
  });
  add<ir::MaxPool2DGradOp>(p, [pool_scalars](OpBuilder& b, ir::MaxPool2DGradOp op, ir::MaxPool2DGradOp::Adaptor a) {
    return call_runtime(b, op, "kiln_rt_max_pool2d_backward", {a.getOutGrad(), a.getData()}, op.getType(), pool_scalars(op));
  });
  add<ir::AvgPool2DOp>(p, [pool_scalars, pool_in_layout](OpBuilder& b, ir::AvgPool2DOp op, ir::AvgPool2DOp::Adaptor a) {
    if (op.getLayout() != 0)
      return pool_in_layout(b, op, a.getData(),
                            op.getCountIncludePad() ? kernels::PoolKind::AvgIncludePad : kernels::PoolKind::AvgExcludePad);
    SmallVector<int64_t> scalars = pool_scalars(op);
    scalars.push_back(op.getCountIncludePad());
    return call_runtime(b, op, "kiln_rt_avg_pool2d", {a.getData()}, op.getType(), scalars);
  });
  add<ir::AvgPool2DGradOp>(p, [pool_scalars](OpBuilder& b, ir::AvgPool2DGradOp op, ir::AvgPool2DGradOp::Adaptor a) {
    SmallVector<int64_t> scalars = pool_scalars(op);
    scalars.push_back(op.getCountIncludePad());
    return call_runtime(b, op, "kiln_rt_avg_pool2d_backward", {a.getOutGrad()}, op.getType(), scalars);
  });
  // Batch normalisation: the data crosses as n×c×s×1 (s the product of the axes after the
  // channel), so one C function serves n×c and n×c×h×w alike.
  auto as_nc_s1 = [](OpBuilder& b, Location l, Value x) {
    auto shape = tensor_type(x).getShape();
    int64_t s = 1;
    for (size_t i = 2; i < shape.size(); ++i) s *= shape[i];
    return reshape_to(b, l, x, RankedTensorType::get({shape[0], shape[1], s, 1}, b.getF32Type()));
  };
  add<ir::BatchNormStatsOp>(p, [as_nc_s1](OpBuilder& b, ir::BatchNormStatsOp op, ir::BatchNormStatsOp::Adaptor a) {
    return call_runtime(b, op, "kiln_rt_batch_norm_stats", {as_nc_s1(b, op.getLoc(), a.getData())}, op.getType());
  });
  add<ir::BatchNormOp>(p, [as_nc_s1](OpBuilder& b, ir::BatchNormOp op, ir::BatchNormOp::Adaptor a) {
    Location l = op.getLoc();
    Value x = as_nc_s1(b, l, a.getData());
    Value y = call_runtime(b, op, "kiln_rt_batch_norm", {x, a.getGamma(), a.getBeta(), a.getMean(), a.getVar()},
                           tensor_type(x), {}, {op.getEpsilon().convertToFloat()});
    return reshape_to(b, l, y, op.getType());
  });
  add<ir::BatchNormBackwardOp>(p, [as_nc_s1](OpBuilder& b, ir::BatchNormBackwardOp op, ir::BatchNormBackwardOp::Adaptor a) {
    Location l = op.getLoc();
    Value dy = as_nc_s1(b, l, a.getOutGrad()), x = as_nc_s1(b, l, a.getData());
    Value dx = call_runtime(b, op, "kiln_rt_batch_norm_backward", {dy, x, a.getGamma(), a.getMean(), a.getVar()},
                            tensor_type(x), {op.getBatchStats()}, {op.getEpsilon().convertToFloat()});
    return reshape_to(b, l, dx, op.getType());
  });
  add<ir::BatchNormScaleShiftGradOp>(
      p, [as_nc_s1](OpBuilder& b, ir::BatchNormScaleShiftGradOp op, ir::BatchNormScaleShiftGradOp::Adaptor a) {
        Location l = op.getLoc();
        return call_runtime(b, op, "kiln_rt_batch_norm_scale_shift_grad",
                            {as_nc_s1(b, l, a.getOutGrad()), as_nc_s1(b, l, a.getData()), a.getMean(), a.getVar()},
                            op.getType(), {}, {op.getEpsilon().convertToFloat()});
      });
  // Random draws fill a flat buffer from the runtime's generator (the eager ops' own).
  auto flat = [](OpBuilder& b, RankedTensorType type) {
    return RankedTensorType::get({type.getNumElements()}, b.getF32Type());
  };
  add<ir::RandomUniformOp>(p, [flat](OpBuilder& b, ir::RandomUniformOp op, ir::RandomUniformOp::Adaptor) {
    Value draw = call_runtime(b, op, "kiln_rt_random_uniform", {}, flat(b, op.getType()), {},
                              {op.getLow().convertToFloat(), op.getHigh().convertToFloat()});
    return reshape_to(b, op.getLoc(), draw, op.getType());
  });
  add<ir::RandomNormalOp>(p, [flat](OpBuilder& b, ir::RandomNormalOp op, ir::RandomNormalOp::Adaptor) {
    Value draw = call_runtime(b, op, "kiln_rt_random_normal", {}, flat(b, op.getType()), {},
                              {op.getMean().convertToFloat(), op.getStddev().convertToFloat()});
    return reshape_to(b, op.getLoc(), draw, op.getType());
  });
  add<ir::FullyConnectedOp>(p, [](OpBuilder& b, ir::FullyConnectedOp op, ir::FullyConnectedOp::Adaptor a) {
    Location l = op.getLoc();
    auto x = tensor_type(a.getData()).getShape();
    if (use_onednn(x[0], op.getType().getDimSize(1), x[1]))
      return a.getBias() ? call_runtime(b, op, "kiln_rt_fully_connected", {a.getData(), a.getWeight(), a.getBias()},
                                        op.getType())
                         : call_runtime(b, op, "kiln_rt_fully_connected_no_bias", {a.getData(), a.getWeight()},
                                        op.getType());
    Value init = a.getBias() ? elementwise(b, l, op.getType(), ValueRange{a.getBias()},
                                           [](OpBuilder&, Location, ValueRange x) { return x[0]; })
                             : filled(b, l, op.getType(), 0.f);
    return product(b, l, a.getData(), a.getWeight(), false, true, init);
  });

  add<ir::SumOp>(p, [](OpBuilder& b, ir::SumOp op, ir::SumOp::Adaptor a) {
    return reduce(b, op.getLoc(), a.getInput(), reduced_axes(op), 0.f, add_f, op.getType());
  });
  add<ir::MeanOp>(p, [](OpBuilder& b, ir::MeanOp op, ir::MeanOp::Adaptor a) {
    Location l = op.getLoc();
    Value sum = reduce(b, l, a.getInput(), reduced_axes(op), 0.f, add_f, op.getType());
    float count = static_cast<float>(tensor_type(a.getInput()).getNumElements() / op.getType().getNumElements());
    return elementwise(b, l, op.getType(), ValueRange{sum}, [count](OpBuilder& nb, Location nl, ValueRange x) -> Value {
      return nb.create<arith::DivFOp>(nl, x[0], constant_f32(nb, nl, count));
    });
  });
  add<ir::MaxOp>(p, [](OpBuilder& b, ir::MaxOp op, ir::MaxOp::Adaptor a) {
    return reduce(b, op.getLoc(), a.getInput(), reduced_axes(op), -std::numeric_limits<float>::infinity(),
                  [](OpBuilder& nb, Location l, Value x, Value acc) -> Value {
                    return nb.create<arith::MaximumFOp>(l, x, acc);
                  },
                  op.getType());
  });
  add<ir::NormOp>(p, [](OpBuilder& b, ir::NormOp op, ir::NormOp::Adaptor a) {
    Location l = op.getLoc();
    Value squares = reduce(b, l, a.getInput(), reduced_axes(op), 0.f,
                           [](OpBuilder& nb, Location nl, Value x, Value acc) -> Value {
                             return nb.create<arith::AddFOp>(nl, acc, nb.create<arith::MulFOp>(nl, x, x));
                           },
                           op.getType());
    return elementwise(b, l, op.getType(), ValueRange{squares}, [](OpBuilder& nb, Location nl, ValueRange x) -> Value {
      return nb.create<math::SqrtOp>(nl, x[0]);
    });
  });

  add<ir::ArgmaxOp>(p, [](OpBuilder& b, ir::ArgmaxOp op, ir::ArgmaxOp::Adaptor a) {
    return argmax(b, op.getLoc(), a.getInput(), reduced_axes(op), op.getType());
  });

  add<ir::SoftmaxOp>(p, [](OpBuilder& b, ir::SoftmaxOp op, ir::SoftmaxOp::Adaptor a) {
    return softmax(b, op.getLoc(), a.getInput(), axis_index(op.getAxis(), op.getType().getRank()), false, op.getType());
  });
  add<ir::LogSoftmaxOp>(p, [](OpBuilder& b, ir::LogSoftmaxOp op, ir::LogSoftmaxOp::Adaptor a) {
    return softmax(b, op.getLoc(), a.getInput(), axis_index(op.getAxis(), op.getType().getRank()), true, op.getType());
  });
  add<ir::PickOp>(p, [](OpBuilder& b, ir::PickOp op, ir::PickOp::Adaptor a) {
    int64_t axis = axis_index(op.getAxis(), tensor_type(a.getInput()).getRank());
    return reshape_to(b, op.getLoc(), pick(b, op.getLoc(), a.getInput(), a.getIndex(), axis), op.getType());
  });
  add<ir::OneHotOp>(p, [](OpBuilder& b, ir::OneHotOp op, ir::OneHotOp::Adaptor a) {
    return one_hot(b, op.getLoc(), a.getInput(), op.getType());
  });

  add<ir::ReshapeOp>(p, [](OpBuilder& b, ir::ReshapeOp op, ir::ReshapeOp::Adaptor a) {
    return reshape_to(b, op.getLoc(), a.getInput(), op.getType());
  });
  add<ir::TransposeOp>(p, [](OpBuilder& b, ir::TransposeOp op, ir::TransposeOp::Adaptor a) -> Value {
    // 2-D transposes (Dense weights, in prepare functions) call the runtime: generated ones
    // cost far more compile time than they save.
    if (op.getType().getRank() == 2) return call_runtime(b, op, "kiln_rt_transpose_2d", {a.getInput()}, op.getType());
    return b.create<linalg::TransposeOp>(op.getLoc(), a.getInput(), empty_like(b, op.getLoc(), op.getType()),
                                         op.getPerm())
        .getResult()[0];
  });
  add<ir::ConcatOp>(p, [](OpBuilder& b, ir::ConcatOp op, ir::ConcatOp::Adaptor a) {
    Location l = op.getLoc();
    RankedTensorType type = op.getType();
    int64_t rank = type.getRank(), axis = axis_index(op.getAxis(), rank);
    Value out = empty_like(b, l, type);
    int64_t offset = 0;
    for (Value part : a.getInputs()) {
      auto shape = tensor_type(part).getShape();
      SmallVector<int64_t> offsets(rank, 0), strides(rank, 1);
      offsets[axis] = offset;
      out = b.create<tensor::InsertSliceOp>(l, part, out, ValueRange{}, ValueRange{}, ValueRange{}, offsets, shape, strides);
      offset += shape[axis];
    }
    return out;
  });
  add<ir::SliceAxisOp>(p, [](OpBuilder& b, ir::SliceAxisOp op, ir::SliceAxisOp::Adaptor a) -> Value {
    auto in = tensor_type(a.getInput());
    int64_t rank = in.getRank(), axis = axis_index(op.getAxis(), rank);
    SmallVector<int64_t> offsets(rank, 0), sizes(in.getShape()), strides(rank, 1);
    offsets[axis] = op.getBegin();
    sizes[axis] = op.getEnd() - op.getBegin();
    return b.create<tensor::ExtractSliceOp>(op.getLoc(), op.getType(), a.getInput(), ValueRange{}, ValueRange{},
                                            ValueRange{}, offsets, sizes, strides);
  });
  add<ir::CompareScalarOp>(p, [](OpBuilder& b, ir::CompareScalarOp op, ir::CompareScalarOp::Adaptor a) -> Value {
    auto first = [&](Value t) {
      SmallVector<Value> zeros(tensor_type(t).getRank(), b.create<arith::ConstantIndexOp>(op.getLoc(), 0));
      return b.create<tensor::ExtractOp>(op.getLoc(), t, zeros).getResult();
    };
    static const llvm::StringMap<arith::CmpFPredicate> predicates{
        {"gt", arith::CmpFPredicate::OGT}, {"ge", arith::CmpFPredicate::OGE}, {"lt", arith::CmpFPredicate::OLT},
        {"le", arith::CmpFPredicate::OLE}, {"eq", arith::CmpFPredicate::OEQ}, {"ne", arith::CmpFPredicate::UNE}};
    return b.create<arith::CmpFOp>(op.getLoc(), predicates.lookup(op.getPredicate()), first(a.getLhs()), first(a.getRhs()));
  });
  // A row of axis 0 at a loop's index: a rank-reducing slice, and its insertion.
  auto row_slice = [](OpBuilder& b, RankedTensorType table, Value index) {
    SmallVector<OpFoldResult> offsets(table.getRank(), b.getIndexAttr(0)), sizes, strides(table.getRank(), b.getIndexAttr(1));
    offsets[0] = index;
    sizes.push_back(b.getIndexAttr(1));
    for (int64_t d : table.getShape().drop_front()) sizes.push_back(b.getIndexAttr(d));
    return std::make_tuple(offsets, sizes, strides);
  };
  add<ir::RowOp>(p, [row_slice](OpBuilder& b, ir::RowOp op, ir::RowOp::Adaptor a) -> Value {
    auto [offsets, sizes, strides] = row_slice(b, tensor_type(a.getInput()), a.getIndex());
    return b.create<tensor::ExtractSliceOp>(op.getLoc(), op.getType(), a.getInput(), offsets, sizes, strides);
  });
  add<ir::SetRowOp>(p, [row_slice](OpBuilder& b, ir::SetRowOp op, ir::SetRowOp::Adaptor a) -> Value {
    auto [offsets, sizes, strides] = row_slice(b, tensor_type(a.getInput()), a.getIndex());
    return b.create<tensor::InsertSliceOp>(op.getLoc(), a.getValue(), a.getInput(), offsets, sizes, strides);
  });
  add<ir::BroadcastToOp>(p, [](OpBuilder& b, ir::BroadcastToOp op, ir::BroadcastToOp::Adaptor a) {
    return elementwise(b, op.getLoc(), op.getType(), ValueRange{a.getInput()},
                       [](OpBuilder&, Location, ValueRange x) { return x[0]; });
  });
  add<ir::SumToOp>(p, [](OpBuilder& b, ir::SumToOp op, ir::SumToOp::Adaptor a) {
    auto in = tensor_type(a.getInput()).getShape();
    auto out = op.getType().getShape();
    SmallVector<bool> reduced(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      size_t lead = in.size() - out.size();
      reduced[i] = i < lead || (out[i - lead] == 1 && in[i] != 1);
    }
    return reduce(b, op.getLoc(), a.getInput(), reduced, 0.f, add_f, op.getType());
  });
}

struct LowerKilnToLinalgPass : PassWrapper<LowerKilnToLinalgPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LowerKilnToLinalgPass)
  StringRef getArgument() const override { return "lower-kiln-to-linalg"; }
  StringRef getDescription() const override { return "Lower kiln ops to linalg, tensor, arith and math; entry points take bare pointers"; }
  void getDependentDialects(DialectRegistry& registry) const override {
    registry.insert<arith::ArithDialect, bufferization::BufferizationDialect, func::FuncDialect, linalg::LinalgDialect,
                    math::MathDialect, memref::MemRefDialect, tensor::TensorDialect>();
  }
  void runOnOperation() override {
    ConversionTarget target(getContext());
    target.addIllegalDialect<ir::KilnDialect>();
    target.addLegalDialect<arith::ArithDialect, bufferization::BufferizationDialect, func::FuncDialect,
                           linalg::LinalgDialect, math::MathDialect, memref::MemRefDialect, tensor::TensorDialect>();
    RewritePatternSet patterns(&getContext());
    populate(patterns);
    if (failed(applyPartialConversion(getOperation(), target, std::move(patterns)))) signalPassFailure();
    for (auto f : getOperation().getOps<func::FuncOp>())
      if (!f.isExternal() && f->hasAttr("llvm.emit_c_interface") && failed(write_updates_in_place(f))) signalPassFailure();
    use_bare_pointers_at_entries(getOperation());
  }

  // An entry point's arguments are the caller's arrays: bufferization must never write into
  // them (`bufferization.writable = false`), except into an argument that a `kiln.updates`
  // result updates. There the new value is materialized in the argument's own buffer
  // (bufferization.materialize_in_destination): one-shot-bufferize then either writes it there
  // or fails (if the old value is still read afterwards), never silently elsewhere;
  // kiln-drop-updated-results removes the result once it is the argument itself.
  static LogicalResult write_updates_in_place(func::FuncOp f) {
    MLIRContext* ctx = f.getContext();
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      if (isa<TensorType>(f.getArgument(i).getType()))
        f.setArgAttr(i, bufferization::BufferizationDialect::kWritableAttrName, BoolAttr::get(ctx, false));
    auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
    OpBuilder b(ret);
    for (unsigned r = 0; r < f.getNumResults(); ++r) {
      auto updates = f.getResultAttrOfType<IntegerAttr>(r, ir::kUpdatesAttr);
      if (!updates) continue;
      uint64_t j = updates.getValue().getZExtValue();
      if (j >= f.getNumArguments() || f.getArgument(j).getType() != ret.getOperand(r).getType())
        return f.emitError("result ") << r << " updates argument " << j << ", which does not exist or has another type";
      f.setArgAttr(j, bufferization::BufferizationDialect::kWritableAttrName, BoolAttr::get(ctx, true));
      Value value = ret.getOperand(r);
      auto in_place = b.create<bufferization::MaterializeInDestinationOp>(ret.getLoc(), value, f.getArgument(j));
      ret.setOperand(r, in_place.getResult());
    }
    return success();
  }

  // A graph's entry points (`llvm.emit_c_interface` functions with a body: forward and its
  // prepare function) take one data pointer per array instead of MLIR's memref descriptors:
  // every shape is static, so the descriptor carries nothing the code does not know, and the
  // host then passes pointers rather than building descriptors each call.
  static void use_bare_pointers_at_entries(ModuleOp module) {
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal() && f->removeAttr("llvm.emit_c_interface")) f->setAttr("llvm.bareptr", UnitAttr::get(f.getContext()));
  }
};

}  // namespace

std::unique_ptr<Pass> createLowerKilnToLinalgPass() { return std::make_unique<LowerKilnToLinalgPass>(); }

std::vector<std::string> lowered_ops(MLIRContext& context) {
  RewritePatternSet patterns(&context);
  populate(patterns);
  std::vector<std::string> names;
  for (const auto& pattern : patterns.getNativePatterns())
    if (auto root = pattern->getRootKind()) names.push_back(root->getStringRef().str());
  return names;
}
void registerLowerKilnToLinalgPass() { PassRegistration<LowerKilnToLinalgPass>(); }

}  // namespace kiln::codegen
