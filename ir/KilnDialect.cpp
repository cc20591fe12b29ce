// The dialect's registration, result-type inference (through runtime/shape_rules, the same
// rules the eager dispatcher uses) and folds.
#include "ir/KilnDialect.h"

#include <optional>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "runtime/error.h"
#include "runtime/predicate.h"
#include "runtime/shape_rules.h"

#include "ir/KilnDialect.cpp.inc"

using namespace mlir;

namespace kiln::ir {

void KilnDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/KilnOps.cpp.inc"
      >();
}

Operation* KilnDialect::materializeConstant(OpBuilder& builder, Attribute value, Type type, Location loc) {
  if (auto flag = dyn_cast<IntegerAttr>(value); flag && type.isInteger(1))  // a folded guard predicate
    return builder.create<arith::ConstantOp>(loc, type, flag);
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type) return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

namespace {

// The shape of a ranked-tensor value; nullopt (and a diagnostic) for anything else.
std::optional<Shape> shape_of(Value v, std::optional<Location> loc) {
  auto type = dyn_cast_or_null<RankedTensorType>(v ? v.getType() : Type());
  if (!type) {
    if (loc) emitError(*loc, "kiln ops take ranked tensors of f32");
    return std::nullopt;
  }
  return Shape(type.getShape().begin(), type.getShape().end());
}

// Runs a shape rule; its ShapeError/ValueError becomes the op's diagnostic.
template <class Rule>
LogicalResult infer(MLIRContext* ctx, std::optional<Location> loc, SmallVectorImpl<Type>& out, Rule rule) {
  try {
    Shape shape = rule();
    out.push_back(RankedTensorType::get(shape, Float32Type::get(ctx)));
    return success();
  } catch (const kiln::Error& e) {
    return emitOptionalError(loc, e.what());
  }
}

Shape to_shape(ArrayRef<int64_t> values) { return Shape(values.begin(), values.end()); }

// Folds an op whose result type equals its input's to the input (identity reshape, ...).
OpFoldResult fold_if_same_type(Value input, Type result) { return input.getType() == result ? input : nullptr; }

}  // namespace

// --- inference ------------------------------------------------------------------------------

LogicalResult ConstantOp::inferReturnTypes(MLIRContext*, std::optional<Location> loc, Adaptor adaptor,
                                           SmallVectorImpl<Type>& out) {
  auto type = dyn_cast<RankedTensorType>(adaptor.getValue().getType());
  if (!type || !type.getElementType().isF32()) return emitOptionalError(loc, "kiln.constant needs an f32 tensor value");
  out.push_back(type);
  return success();
}

#define KILN_UNARY_INFERENCE(Op)                                                                          \
  LogicalResult Op::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,     \
                                     SmallVectorImpl<Type>& out) {                                        \
    auto x = shape_of(adaptor.getInput(), loc);                                                           \
    if (!x) return failure();                                                                             \
    return infer(ctx, loc, out, [&] { return *x; });                                                      \
  }
#define KILN_UNARY_OP(Kind, name) KILN_UNARY_INFERENCE(Kind##Op)
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_UNARY_OP
#undef KILN_UNARY_INFERENCE

#define KILN_BINARY_INFERENCE(Op, name)                                                                   \
  LogicalResult Op::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,     \
                                     SmallVectorImpl<Type>& out) {                                        \
    auto a = shape_of(adaptor.getLhs(), loc), b = shape_of(adaptor.getRhs(), loc);                        \
    if (!a || !b) return failure();                                                                       \
    return infer(ctx, loc, out, [&] { return shape_rules::broadcast(name, *a, *b); });                    \
  }
#define KILN_BINARY_OP(Kind, Class, name) KILN_BINARY_INFERENCE(Class##Op, #name)
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_BINARY_OP
#undef KILN_BINARY_INFERENCE

LogicalResult WhereOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                        SmallVectorImpl<Type>& out) {
  auto c = shape_of(adaptor.getCondition(), loc), x = shape_of(adaptor.getX(), loc), y = shape_of(adaptor.getY(), loc);
  if (!c || !x || !y) return failure();
  return infer(ctx, loc, out, [&] { return shape_rules::broadcast("where", shape_rules::broadcast("where", *c, *x), *y); });
}

LogicalResult DotOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                      SmallVectorImpl<Type>& out) {
  auto a = shape_of(adaptor.getLhs(), loc), b = shape_of(adaptor.getRhs(), loc);
  if (!a || !b) return failure();
  return infer(ctx, loc, out, [&] { return shape_rules::dot(*a, *b, adaptor.getTransposeA(), adaptor.getTransposeB()); });
}

LogicalResult FullyConnectedOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                 SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getData(), loc), w = shape_of(adaptor.getWeight(), loc);
  if (!x || !w) return failure();
  std::optional<Shape> bias;
  if (adaptor.getBias() && !(bias = shape_of(adaptor.getBias(), loc))) return failure();
  return infer(ctx, loc, out, [&] { return shape_rules::fully_connected(*x, *w, bias ? &*bias : nullptr); });
}

#define KILN_REDUCE_INFERENCE(Op, name)                                                                   \
  LogicalResult Op::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,     \
                                     SmallVectorImpl<Type>& out) {                                        \
    auto x = shape_of(adaptor.getInput(), loc);                                                           \
    if (!x) return failure();                                                                             \
    std::optional<int64_t> axis;                                                                          \
    if (auto a = adaptor.getAxisAttr()) axis = a.getInt();                                                \
    return infer(ctx, loc, out, [&] { return shape_rules::reduce(name, *x, axis, adaptor.getKeepdims()); }); \
  }
KILN_REDUCE_INFERENCE(SumOp, "sum")
KILN_REDUCE_INFERENCE(MeanOp, "mean")
KILN_REDUCE_INFERENCE(MaxOp, "max")
KILN_REDUCE_INFERENCE(NormOp, "norm")
KILN_REDUCE_INFERENCE(ArgmaxOp, "argmax")
#undef KILN_REDUCE_INFERENCE

#define KILN_SOFTMAX_INFERENCE(Op, name)                                                                  \
  LogicalResult Op::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,     \
                                     SmallVectorImpl<Type>& out) {                                        \
    auto x = shape_of(adaptor.getInput(), loc);                                                           \
    if (!x) return failure();                                                                             \
    auto axis = static_cast<int64_t>(adaptor.getAxis());                                                  \
    return infer(ctx, loc, out, [&] { return shape_rules::softmax(name, *x, axis); });                    \
  }
KILN_SOFTMAX_INFERENCE(SoftmaxOp, "softmax")
KILN_SOFTMAX_INFERENCE(LogSoftmaxOp, "log_softmax")
#undef KILN_SOFTMAX_INFERENCE

LogicalResult PickOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                       SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getInput(), loc), index = shape_of(adaptor.getIndex(), loc);
  if (!x || !index) return failure();
  auto axis = static_cast<int64_t>(adaptor.getAxis());
  return infer(ctx, loc, out, [&] { return shape_rules::pick(*x, *index, axis, adaptor.getKeepdims()); });
}

LogicalResult OneHotOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                         SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getInput(), loc);
  if (!x) return failure();
  auto depth = static_cast<int64_t>(adaptor.getDepth());
  return infer(ctx, loc, out, [&] { return shape_rules::one_hot(*x, depth); });
}

namespace {
template <class Adaptor>
shape_rules::Window2D window_of(Adaptor a) {
  ArrayRef<int64_t> dilation;
  if constexpr (requires { a.getDilation(); }) dilation = a.getDilation();
  return shape_rules::window2d(a.getStrides(), a.getPadding(), dilation);
}
std::array<int64_t, 2> kernel_of(ArrayRef<int64_t> kernel) { return shape_rules::pair(kernel, {0, 0}, "kernel"); }
}  // namespace

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                         SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getData(), loc), w = shape_of(adaptor.getWeight(), loc);
  if (!x || !w) return failure();
  std::optional<Shape> bias;
  if (adaptor.getBias() && !(bias = shape_of(adaptor.getBias(), loc))) return failure();
  return infer(ctx, loc, out, [&] {
    return shape_rules::conv2d_output(
        shape_rules::conv2d("conv2d", *x, *w, bias ? &*bias : nullptr, window_of(adaptor), adaptor.getGroups()));
  });
}

LogicalResult Conv2DBackwardDataOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                     SmallVectorImpl<Type>& out) {
  auto dy = shape_of(adaptor.getOutGrad(), loc), w = shape_of(adaptor.getWeight(), loc);
  if (!dy || !w) return failure();
  Shape x = to_shape(adaptor.getShape());
  return infer(ctx, loc, out, [&] {
    return shape_rules::conv2d_backward_data("conv2d_backward_data", *dy, *w, x, window_of(adaptor), adaptor.getGroups());
  });
}

LogicalResult Conv2DBackwardWeightsOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                        SmallVectorImpl<Type>& out) {
  auto dy = shape_of(adaptor.getOutGrad(), loc), x = shape_of(adaptor.getData(), loc);
  if (!dy || !x) return failure();
  Shape w = to_shape(adaptor.getShape());
  return infer(ctx, loc, out, [&] {
    return shape_rules::conv2d_backward_weights("conv2d_backward_weights", *dy, *x, w, window_of(adaptor),
                                                adaptor.getGroups());
  });
}

namespace {
// A layout of conv2d_packed / reorder_activations / a pool that `channels` can be held in.
void check_layout(const char* op, int64_t layout, int64_t channels) {
  if (layout != 0 && layout != 8 && layout != 16)
    throw ValueError(fmt(op, ": layout ", layout, " is none of 0 (NCHW), 8 and 16 (channels blocked by 8 or 16)"));
  if (layout && channels % layout)
    throw ShapeError(fmt(op, ": ", channels, " channels do not fill blocks of ", layout));
}
}  // namespace

LogicalResult Conv2DPackWeightsOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                    SmallVectorImpl<Type>& out) {
  auto w = shape_of(adaptor.getWeight(), loc);
  if (!w) return failure();
  return infer(ctx, loc, out, [&] {
    auto g = shape_rules::conv2d("conv2d_pack_weights", to_shape(adaptor.getDataShape()), *w, nullptr,
                                 window_of(adaptor), adaptor.getGroups());
    return Shape{kernels::packed_weights_size(g)};
  });
}

LogicalResult Conv2DPackedOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                               SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getData(), loc), w = shape_of(adaptor.getWeight(), loc),
       packed = shape_of(adaptor.getPacked(), loc);
  if (!x || !w || !packed) return failure();
  std::optional<Shape> bias;
  if (adaptor.getBias() && !(bias = shape_of(adaptor.getBias(), loc))) return failure();
  return infer(ctx, loc, out, [&] {
    auto g = shape_rules::conv2d("conv2d_packed", *x, *w, bias ? &*bias : nullptr, window_of(adaptor), adaptor.getGroups());
    if (*packed != Shape{kernels::packed_weights_size(g)})
      throw ShapeError(fmt("conv2d_packed: packed weights of shape ", shape_str(*packed), " are not the ",
                           kernels::packed_weights_size(g), " values conv2d_pack_weights gives for this window"));
    check_layout("conv2d_packed", static_cast<int64_t>(adaptor.getDataLayout()), g.c);
    check_layout("conv2d_packed", static_cast<int64_t>(adaptor.getResultLayout()), g.o);
    if (StringRef a = adaptor.getActivation(); !a.empty() && a != "relu")
      throw ValueError(fmt("conv2d_packed: activation \"", a.str(), "\" is neither \"\" nor \"relu\""));
    return shape_rules::conv2d_output(g);
  });
}

LogicalResult ReorderActivationsOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                     SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getInput(), loc);
  if (!x) return failure();
  return infer(ctx, loc, out, [&] {
    if (x->size() != 4) throw ShapeError(fmt("reorder_activations: a ", x->size(), "-D input (n×c×h×w expected)"));
    check_layout("reorder_activations", static_cast<int64_t>(adaptor.getFrom()), (*x)[1]);
    check_layout("reorder_activations", static_cast<int64_t>(adaptor.getTo()), (*x)[1]);
    return *x;
  });
}

namespace {
// max_pool2d(relu(x)) -> relu(max_pool2d(x)) when the pool is the relu's only reader (KilnOps.td).
struct PoolBeforeRelu : OpRewritePattern<MaxPool2DOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPool2DOp pool, PatternRewriter& rewriter) const override {
    auto relu = pool.getData().getDefiningOp<ReluOp>();
    if (!relu || !relu->hasOneUse()) return failure();
    Value pooled = rewriter.create<MaxPool2DOp>(pool.getLoc(), relu.getInput(), pool.getKernel(), pool.getStrides(),
                                                pool.getPadding(), pool.getLayout());
    rewriter.replaceOpWithNewOp<ReluOp>(pool, pooled);
    rewriter.eraseOp(relu);
    return success();
  }
};
}  // namespace

void MaxPool2DOp::getCanonicalizationPatterns(RewritePatternSet& patterns, MLIRContext* context) {
  patterns.add<PoolBeforeRelu>(context);
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                            SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getData(), loc);
  if (!x) return failure();
  return infer(ctx, loc, out, [&] {
    if (x->size() == 4) check_layout("max_pool2d", static_cast<int64_t>(adaptor.getLayout()), (*x)[1]);
    return shape_rules::pool2d_output(shape_rules::pool2d("max_pool2d", *x, kernel_of(adaptor.getKernel()), window_of(adaptor),
                                                          kernels::PoolKind::Max));
  });
}

LogicalResult MaxPool2DGradOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                SmallVectorImpl<Type>& out) {
  auto dy = shape_of(adaptor.getOutGrad(), loc), x = shape_of(adaptor.getData(), loc);
  if (!dy || !x) return failure();
  return infer(ctx, loc, out, [&] {
    return shape_rules::pool2d_grad("max_pool2d_grad", *dy, *x, kernel_of(adaptor.getKernel()), window_of(adaptor),
                                    kernels::PoolKind::Max);
  });
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                            SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getData(), loc);
  if (!x) return failure();
  return infer(ctx, loc, out, [&] {
    if (x->size() == 4) check_layout("avg_pool2d", static_cast<int64_t>(adaptor.getLayout()), (*x)[1]);
    return shape_rules::pool2d_output(shape_rules::pool2d("avg_pool2d", *x, kernel_of(adaptor.getKernel()), window_of(adaptor),
                                                          shape_rules::pool_kind("avg_pool2d", adaptor.getCountIncludePad())));
  });
}

LogicalResult AvgPool2DGradOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                SmallVectorImpl<Type>& out) {
  auto dy = shape_of(adaptor.getOutGrad(), loc);
  if (!dy) return failure();
  Shape x = to_shape(adaptor.getShape());
  return infer(ctx, loc, out, [&] {
    return shape_rules::pool2d_grad("avg_pool2d_grad", *dy, x, kernel_of(adaptor.getKernel()), window_of(adaptor),
                                    shape_rules::pool_kind("avg_pool2d_grad", adaptor.getCountIncludePad()));
  });
}

LogicalResult ReshapeOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                          SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getInput(), loc);
  if (!x) return failure();
  return infer(ctx, loc, out, [&] { return shape_rules::reshape(*x, to_shape(adaptor.getShape())); });
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                            SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getInput(), loc);
  if (!x) return failure();
  return infer(ctx, loc, out, [&] { return shape_rules::transpose(*x, to_shape(adaptor.getPerm())); });
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                         SmallVectorImpl<Type>& out) {
  std::vector<Shape> parts;
  for (Value v : adaptor.getInputs()) {
    auto s = shape_of(v, loc);
    if (!s) return failure();
    parts.push_back(*s);
  }
  return infer(ctx, loc, out, [&] { return shape_rules::concat(parts, adaptor.getAxis()); });
}

LogicalResult SliceAxisOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                            SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getInput(), loc);
  if (!x) return failure();
  return infer(ctx, loc, out,
               [&] { return shape_rules::slice_axis(*x, adaptor.getAxis(), adaptor.getBegin(), adaptor.getEnd()); });
}

LogicalResult BroadcastToOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                              SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getInput(), loc);
  if (!x) return failure();
  return infer(ctx, loc, out, [&] { return shape_rules::broadcast_to(*x, to_shape(adaptor.getShape())); });
}

LogicalResult SumToOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                        SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getInput(), loc);
  if (!x) return failure();
  return infer(ctx, loc, out, [&] { return shape_rules::sum_to(*x, to_shape(adaptor.getShape())); });
}

// --- folds ----------------------------------------------------------------------------------

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }
// Layout ops first fold away when they change nothing, then by evaluation on constants (the
// other ops fold by evaluation alone: KilnOps.td).
OpFoldResult fold_layout(Operation* op, Value input, ArrayRef<Attribute> operands) {
  if (auto same = fold_if_same_type(input, op->getResult(0).getType())) return same;
  return evaluate_constant(op, operands);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor a) { return fold_layout(*this, getInput(), a.getOperands()); }
OpFoldResult BroadcastToOp::fold(FoldAdaptor a) { return fold_layout(*this, getInput(), a.getOperands()); }
OpFoldResult SumToOp::fold(FoldAdaptor a) { return fold_layout(*this, getInput(), a.getOperands()); }
OpFoldResult SliceAxisOp::fold(FoldAdaptor a) { return fold_layout(*this, getInput(), a.getOperands()); }

OpFoldResult TransposeOp::fold(FoldAdaptor a) {
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(getPerm())) identity &= static_cast<int64_t>(i) == p;
  return identity ? OpFoldResult(getInput()) : OpFoldResult(evaluate_constant(*this, a.getOperands()));
}

OpFoldResult ConcatOp::fold(FoldAdaptor a) {
  if (getInputs().size() == 1) return getInputs()[0];
  return evaluate_constant(*this, a.getOperands());
}

// --- rows -----------------------------------------------------------------------------------

namespace {
// Whether `row` is one row of `table` (its shape without axis 0).
bool is_row_of(RankedTensorType row, RankedTensorType table) {
  return table.getRank() >= 1 && row.getShape() == table.getShape().drop_front();
}
}  // namespace

LogicalResult RowOp::verify() {
  if (!is_row_of(getType(), getInput().getType()))
    return emitOpError("result ") << getType() << " is not a row of " << getInput().getType();
  return success();
}

LogicalResult SetRowOp::verify() {
  if (!is_row_of(getValue().getType(), getInput().getType()))
    return emitOpError("value ") << getValue().getType() << " is not a row of " << getInput().getType();
  return success();
}

// --- guards ---------------------------------------------------------------------------------

LogicalResult CompareScalarOp::verify() {
  if (!is_predicate(getPredicate().str()))
    return emitOpError("predicate must be one of gt, ge, lt, le, eq, ne; got '") << getPredicate() << "'";
  for (Value v : {getLhs(), getRhs()})
    if (cast<RankedTensorType>(v.getType()).getNumElements() != 1)
      return emitOpError("compares one-element tensors; got ") << v.getType();
  return success();
}

OpFoldResult CompareScalarOp::fold(FoldAdaptor a) {
  auto lhs = dyn_cast_or_null<DenseElementsAttr>(a.getLhs()), rhs = dyn_cast_or_null<DenseElementsAttr>(a.getRhs());
  if (!lhs || !rhs) return nullptr;
  bool value = predicate_holds(getPredicate().str(), *lhs.getValues<float>().begin(), *rhs.getValues<float>().begin());
  return IntegerAttr::get(IntegerType::get(getContext(), 1), value);
}

// --- batch normalisation ----------------------------------------------------------------------

LogicalResult BatchNormStatsOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                 SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getData(), loc);
  if (!x) return failure();
  return infer(ctx, loc, out, [&] { return Shape{2, shape_rules::batch_norm("batch_norm_stats", *x).c}; });
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                            SmallVectorImpl<Type>& out) {
  auto x = shape_of(adaptor.getData(), loc), gamma = shape_of(adaptor.getGamma(), loc),
       beta = shape_of(adaptor.getBeta(), loc), mean = shape_of(adaptor.getMean(), loc),
       var = shape_of(adaptor.getVar(), loc);
  if (!x || !gamma || !beta || !mean || !var) return failure();
  return infer(ctx, loc, out, [&] {
    shape_rules::batch_norm("batch_norm", *x, {{"gamma", &*gamma}, {"beta", &*beta}, {"mean", &*mean}, {"var", &*var}});
    return *x;
  });
}

LogicalResult BatchNormBackwardOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                    SmallVectorImpl<Type>& out) {
  auto dy = shape_of(adaptor.getOutGrad(), loc), x = shape_of(adaptor.getData(), loc),
       gamma = shape_of(adaptor.getGamma(), loc), mean = shape_of(adaptor.getMean(), loc),
       var = shape_of(adaptor.getVar(), loc);
  if (!dy || !x || !gamma || !mean || !var) return failure();
  return infer(ctx, loc, out, [&] {
    shape_rules::batch_norm("batch_norm_backward", *x, {{"gamma", &*gamma}, {"mean", &*mean}, {"var", &*var}});
    return shape_rules::same_as_data("batch_norm_backward", *dy, *x);
  });
}

LogicalResult BatchNormScaleShiftGradOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc,
                                                          Adaptor adaptor, SmallVectorImpl<Type>& out) {
  auto dy = shape_of(adaptor.getOutGrad(), loc), x = shape_of(adaptor.getData(), loc),
       mean = shape_of(adaptor.getMean(), loc), var = shape_of(adaptor.getVar(), loc);
  if (!dy || !x || !mean || !var) return failure();
  return infer(ctx, loc, out, [&] {
    shape_rules::same_as_data("batch_norm_scale_shift_grad", *dy, *x);
    return Shape{2, shape_rules::batch_norm("batch_norm_scale_shift_grad", *x, {{"mean", &*mean}, {"var", &*var}}).c};
  });
}

// --- random draws -------------------------------------------------------------------------------

LogicalResult RandomUniformOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                                SmallVectorImpl<Type>& out) {
  return infer(ctx, loc, out, [&] {
    shape_rules::random_uniform_range(adaptor.getLow().convertToFloat(), adaptor.getHigh().convertToFloat());
    return shape_rules::random("random_uniform", to_shape(adaptor.getShape()));
  });
}

LogicalResult RandomNormalOp::inferReturnTypes(MLIRContext* ctx, std::optional<Location> loc, Adaptor adaptor,
                                               SmallVectorImpl<Type>& out) {
  return infer(ctx, loc, out, [&] {
    shape_rules::random_normal_scale(adaptor.getStddev().convertToFloat());
    return shape_rules::random("random_normal", to_shape(adaptor.getShape()));
  });
}

}  // namespace kiln::ir

#define GET_OP_CLASSES
#include "ir/KilnOps.cpp.inc"
