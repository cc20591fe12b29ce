#include "ir/constant_eval.h"

#include "ir/KilnDialect.h"
#include "llvm/ADT/TypeSwitch.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "runtime/kernels/elementwise.h"
#include "runtime/kernels/gemm.h"
#include "runtime/kernels/indexing.h"
#include "runtime/kernels/layout.h"
#include "runtime/kernels/reduce.h"
#include "runtime/kernels/softmax.h"

using namespace mlir;

namespace kiln::ir {
namespace {

Shape shape_of(ShapedType type) { return Shape(type.getShape().begin(), type.getShape().end()); }

Array to_array(DenseElementsAttr attr) {
  Array a(shape_of(attr.getType()));
  float* out = a.data();
  if (attr.isSplat()) {
    std::fill_n(out, a.size(), attr.getSplatValue<float>());
  } else {
    for (float v : attr.getValues<float>()) *out++ = v;
  }
  return a;
}

int axis_of(int64_t axis, size_t rank) { return static_cast<int>(axis < 0 ? axis + static_cast<int64_t>(rank) : axis); }

std::optional<kernels::UnaryFn> unary_fn(Operation* op) {
  using F = kernels::UnaryFn;
  return TypeSwitch<Operation*, std::optional<F>>(op)
#define KILN_UNARY_OP(Kind, name) .Case([](Kind##Op) { return F::Kind; })
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_UNARY_OP
      .Default([](Operation*) { return std::nullopt; });
}

std::optional<kernels::BinaryFn> binary_fn(Operation* op) {
  using F = kernels::BinaryFn;
  return TypeSwitch<Operation*, std::optional<F>>(op)
#define KILN_BINARY_OP(Kind, Class, name) .Case([](Class##Op) { return F::Kind; })
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_BINARY_OP
      .Default([](Operation*) { return std::nullopt; });
}

template <class Op>
void reduce(kernels::ReduceFn fn, Op op, const Array& x, Array& out) {
  std::optional<int> axis;
  if (auto a = op.getAxis()) axis = axis_of(*a, x.ndim());
  kernels::reduce(fn, x, axis, out);
}

// Computes `op` into `out`; false when kiln has no evaluation for it.
bool evaluate(Operation* op, const std::vector<Array>& in, Array& out) {
  if (auto fn = unary_fn(op)) return kernels::unary(*fn, in[0], out), true;
  if (auto fn = binary_fn(op)) return kernels::binary(*fn, in[0], in[1], out), true;
  return TypeSwitch<Operation*, bool>(op)
      .Case([&](DotOp dot) {
        const Shape& a = in[0].shape();
        int64_t k = dot.getTransposeA() ? a[0] : a[1];
        kernels::GemmDims d{out.shape()[0], out.shape()[1], k, dot.getTransposeA(), dot.getTransposeB()};
        kernels::gemm(d, in[0].data(), in[1].data(), nullptr, out.data());
        return true;
      })
      .Case([&](FullyConnectedOp) {
        kernels::GemmDims d{out.shape()[0], out.shape()[1], in[0].shape()[1], false, true};
        kernels::gemm(d, in[0].data(), in[1].data(), in.size() == 3 ? in[2].data() : nullptr, out.data());
        return true;
      })
      .Case([&](SumOp r) { return reduce(kernels::ReduceFn::Sum, r, in[0], out), true; })
      .Case([&](MeanOp r) { return reduce(kernels::ReduceFn::Mean, r, in[0], out), true; })
      .Case([&](MaxOp r) { return reduce(kernels::ReduceFn::Max, r, in[0], out), true; })
      .Case([&](NormOp r) { return reduce(kernels::ReduceFn::L2Norm, r, in[0], out), true; })
      .Case([&](ArgmaxOp r) {
        std::optional<int> axis;
        if (auto a = r.getAxis()) axis = axis_of(*a, in[0].ndim());
        return kernels::argmax(in[0], axis, out), true;
      })
      .Case([&](SoftmaxOp op) { return kernels::softmax(in[0], axis_of(op.getAxis(), out.ndim()), false, out), true; })
      .Case([&](LogSoftmaxOp op) { return kernels::softmax(in[0], axis_of(op.getAxis(), out.ndim()), true, out), true; })
      .Case([&](PickOp op) { return kernels::pick(in[0], in[1], axis_of(op.getAxis(), in[0].ndim()), out), true; })
      .Case([&](OneHotOp op) { return kernels::one_hot(in[0], static_cast<int64_t>(op.getDepth()), out), true; })
      .Case([&](WhereOp) { return kernels::select(in[0], in[1], in[2], out), true; })
      .Case([&](SumToOp) { return kernels::sum_to(in[0], out), true; })
      .Case([&](TransposeOp t) {
        kernels::transpose(in[0], std::vector<int64_t>(t.getPerm().begin(), t.getPerm().end()), out);
        return true;
      })
      .Case([&](ReshapeOp) { return out.assign(in[0].view_as(out.shape())), true; })
      .Case([&](BroadcastToOp) { return kernels::broadcast_to(in[0], out), true; })
      .Case([&](ConcatOp c) { return kernels::concat(in, axis_of(c.getAxis(), out.ndim()), out), true; })
      .Case([&](SliceAxisOp s) {
        return kernels::slice(in[0], axis_of(s.getAxis(), out.ndim()), s.getBegin(), out), true;
      })
      .Default([](Operation*) { return false; });
}

}  // namespace

Attribute evaluate_constant(Operation* op, ArrayRef<Attribute> operands) {
  if (op->getNumResults() != 1 || operands.empty()) return {};
  auto type = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!type || !type.getElementType().isF32() || type.getNumElements() > kMaxFoldedElements) return {};
  std::vector<Array> in;
  for (Attribute a : operands) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(a);
    if (!dense || !dense.getElementType().isF32()) return {};
    in.push_back(to_array(dense));
  }
  Array out(shape_of(type));
  if (!evaluate(op, in, out)) return {};
  const Array& result = out;
  return DenseElementsAttr::get(type, ArrayRef<float>(result.data(), static_cast<size_t>(result.size())));
}

}  // namespace kiln::ir
