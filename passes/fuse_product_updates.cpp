// kiln-fuse-product-updates (Passes.td): an in-place update that is linear in a oneDNN product,
// `w ← β·w + α·(a·b)` (SGD's step on a weight gradient), becomes one accumulating product into w.
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "passes/passes.h"
#include "passes/reporting.h"
#include "passes/uses_in_range.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_FUSEPRODUCTUPDATES
#include "passes/Passes.h.inc"

namespace {

constexpr StringLiteral kProduct = "kiln_rt_dot", kAccumulate = "kiln_rt_dot_accumulate";

// A value of the update's body as `alpha·t + beta·w` (t the product's element, w the weight's)
// or, with `scalar`, a value computed from the update's scalar operands alone. alpha is built
// before the product (null: 0); beta must be a constant, because oneDNN fixes the weight of the
// old value when it builds the primitive.
struct Linear {
  bool scalar = false;
  Value value;  // scalar: its value, rebuilt before the product
  Value alpha;
  double beta = 0;
};

// Decomposes the body of `update` (an all-parallel linalg.generic) into Linear form, building the
// scalar arithmetic with `builder`; nullopt when it is not linear in t and w.
class Decomposition {
 public:
  Decomposition(linalg::GenericOp update, Value product, Value weight, OpBuilder& builder)
      : update_(update), builder_(builder), loc_(update.getLoc()) {
    for (OpOperand& operand : update->getOpOperands()) {
      BlockArgument arg = update.getMatchingBlockArgument(&operand);
      if (operand.get() == product) {
        known_[arg] = Linear{false, {}, constant(1.0), 0};
      } else if (operand.get() == weight) {
        known_[arg] = Linear{false, {}, {}, 1};
      } else if (update.getMatchingIndexingMap(&operand).getNumResults() == 0 && arg.getType().isF32()) {
        // A 0-d operand (a learning rate, a rescale): loaded once, before the product.
        known_[arg] = Linear{true, builder_.create<memref::LoadOp>(loc_, operand.get(), ValueRange{}), {}, 0};
      }
    }
  }

  // The yielded value's form, or nullopt.
  std::optional<Linear> result() {
    auto yield = cast<linalg::YieldOp>(update_.getBody()->getTerminator());
    return of(yield.getOperand(0));
  }

 private:
  Value constant(double v) { return builder_.create<arith::ConstantOp>(loc_, builder_.getF32FloatAttr(float(v))); }
  static std::optional<double> constant_value(Value v) {
    if (auto c = v.getDefiningOp<arith::ConstantOp>())
      if (auto f = dyn_cast<FloatAttr>(c.getValue())) return f.getValueAsDouble();
    return std::nullopt;
  }
  Value mul(Value x, Value y) {
    if (!x || !y) return {};
    if (constant_value(x) == 1.0) return y;  // t's own coefficient
    return builder_.create<arith::MulFOp>(loc_, x, y);
  }
  Value add(Value x, Value y) {
    if (!x || !y) return x ? x : y;
    return builder_.create<arith::AddFOp>(loc_, x, y);
  }
  Value negate(Value x) { return x ? builder_.create<arith::NegFOp>(loc_, x).getResult() : Value(); }

  std::optional<Linear> of(Value v) {
    if (auto found = known_.find(v); found != known_.end()) return found->second;
    std::optional<Linear> r = compute(v);
    if (r) known_[v] = *r;
    return r;
  }

  std::optional<Linear> compute(Value v) {
    if (auto c = constant_value(v)) return Linear{true, constant(*c), {}, 0};
    Operation* op = v.getDefiningOp();
    if (!op || op->getBlock() != update_.getBody()) return std::nullopt;  // a value of another kind
    SmallVector<Linear, 2> in;
    for (Value operand : op->getOperands()) {
      std::optional<Linear> l = of(operand);
      if (!l) return std::nullopt;
      in.push_back(*l);
    }
    bool all_scalar = llvm::all_of(in, [](const Linear& l) { return l.scalar; });
    if (all_scalar && isa<arith::AddFOp, arith::SubFOp, arith::MulFOp, arith::DivFOp, arith::NegFOp>(op)) {
      IRMapping map;
      for (auto [operand, l] : llvm::zip(op->getOperands(), in)) map.map(operand, l.value);
      return Linear{true, builder_.clone(*op, map)->getResult(0), {}, 0};
    }
    if (isa<arith::NegFOp>(op)) return Linear{false, {}, negate(in[0].alpha), -in[0].beta};
    if (isa<arith::AddFOp, arith::SubFOp>(op)) {
      if (in[0].scalar || in[1].scalar) return std::nullopt;  // an offset: not a product's epilogue
      bool sub = isa<arith::SubFOp>(op);
      return Linear{false, {}, add(in[0].alpha, sub ? negate(in[1].alpha) : in[1].alpha),
                    in[0].beta + (sub ? -in[1].beta : in[1].beta)};
    }
    if (isa<arith::MulFOp>(op) && in[0].scalar != in[1].scalar) {
      const Linear& s = in[0].scalar ? in[0] : in[1];
      const Linear& l = in[0].scalar ? in[1] : in[0];
      std::optional<double> c = constant_value(s.value);
      if (l.beta != 0 && !c) return std::nullopt;  // w scaled by a runtime value
      return Linear{false, {}, mul(l.alpha, s.value), l.beta * (c ? *c : 0)};
    }
    if (isa<arith::DivFOp>(op) && !in[0].scalar && in[1].scalar) {
      std::optional<double> c = constant_value(in[1].value);
      if (in[0].beta != 0 && !c) return std::nullopt;
      Value alpha = in[0].alpha ? builder_.create<arith::DivFOp>(loc_, in[0].alpha, in[1].value).getResult() : Value();
      return Linear{false, {}, alpha, c ? in[0].beta / *c : 0};
    }
    return std::nullopt;
  }

  linalg::GenericOp update_;
  OpBuilder& builder_;
  Location loc_;
  llvm::DenseMap<Value, Linear> known_;
};

// The buffer a memref value views (through casts, subviews, reshapes).
Value base_buffer(Value v) {
  while (Operation* op = v.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(op);
    if (!view) break;
    v = view.getViewSource();
  }
  return v;
}

struct FuseProductUpdatesPass : impl::FuseProductUpdatesBase<FuseProductUpdatesPass>, Reporting {
  int64_t fused = 0;
  std::string report() const override { return std::to_string(fused) + " updates fused into products"; }

  void runOnOperation() override {
    SmallVector<func::CallOp> products;
    getOperation().walk([&](func::CallOp call) {
      if (call.getCallee() == kProduct) products.push_back(call);
    });
    for (func::CallOp call : products)
      if (fuse(call)) ++fused;
  }

  // call @kiln_rt_dot(a, b, cast(t), ta, tb); ...; linalg.generic ins(t, w?, scalars) outs(w)
  //   -> call @kiln_rt_dot_accumulate(a, b, cast(w), ta, tb, alpha, beta)
  bool fuse(func::CallOp call) {
    auto out = call.getOperand(2).getDefiningOp<memref::CastOp>();
    auto t = out ? out.getSource().getDefiningOp<memref::AllocOp>() : nullptr;
    if (!t || !out->hasOneUse()) return false;
    // t: written by the product, read by one update and nothing else.
    linalg::GenericOp update;
    for (Operation* user : t->getUsers()) {
      if (user == out) continue;
      if (update || !isa<linalg::GenericOp>(user)) return false;
      update = cast<linalg::GenericOp>(user);
    }
    if (!update || update->getBlock() != call->getBlock() || update.getNumDpsInits() != 1 ||
        update.getNumParallelLoops() != update.getNumLoops() || update->getNumResults() != 0)
      return false;
    OpOperand* init = update.getDpsInitOperand(0);
    Value w = init->get();
    if (w.getType() != t.getType() || !update.getMatchingIndexingMap(init).isIdentity()) return false;
    for (OpOperand* input : update.getDpsInputOperands()) {
      Value v = input->get();
      AffineMap map = update.getMatchingIndexingMap(input);
      if (v == t.getResult() || v == w) {
        if (!map.isIdentity()) return false;
      } else if (map.getNumResults() != 0 || !isa<BlockArgument>(v)) {
        // A scalar must hold its value from the product on: a function argument (never written).
        return false;
      }
    }
    // w takes its new value at the product: nothing between may see it, and the product's
    // operands must not be w.
    if (used_in_range(w, call, update, [](Operation* op) { return isa<ViewLikeOpInterface>(op); })) return false;
    Value w_base = base_buffer(w);
    if (base_buffer(call.getOperand(0)) == w_base || base_buffer(call.getOperand(1)) == w_base) return false;

    // alpha's arithmetic is built in a detached block, moved before the product on success.
    Block scratch;
    OpBuilder b(call->getContext());
    b.setInsertionPointToEnd(&scratch);
    std::optional<Linear> form = Decomposition(update, t.getResult(), w, b).result();
    if (!form || form->scalar || !form->alpha) return false;  // scratch's ops die with it
    while (!scratch.empty()) scratch.front().moveBefore(call);

    b.setInsertionPoint(call);
    Value w_dynamic = b.create<memref::CastOp>(call.getLoc(), out.getType(), w);
    Value beta = b.create<arith::ConstantOp>(call.getLoc(), b.getF32FloatAttr(float(form->beta)));
    SmallVector<Value> args{call.getOperand(0), call.getOperand(1), w_dynamic, call.getOperand(3), call.getOperand(4),
                            form->alpha, beta};
    declare_accumulate(call, args);
    b.create<func::CallOp>(call.getLoc(), kAccumulate, TypeRange{}, args);
    update->erase();
    call->erase();
    out->erase();
    t->erase();
    return true;
  }

  static void declare_accumulate(func::CallOp call, ValueRange args) {
    auto module = call->getParentOfType<ModuleOp>();
    if (module.lookupSymbol<func::FuncOp>(kAccumulate)) return;
    OpBuilder b(module.getBody(), module.getBody()->begin());
    auto decl = b.create<func::FuncOp>(call.getLoc(), kAccumulate, b.getFunctionType(args.getTypes(), {}));
    decl.setPrivate();
    decl->setAttr("llvm.emit_c_interface", b.getUnitAttr());
  }
};

}  // namespace
}  // namespace kiln::passes
