#include "passes/matmul_epilogue.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace kiln::passes {
namespace {

bool all_parallel(linalg::GenericOp g) {
  return llvm::all_of(g.getIteratorTypesArray(), [](utils::IteratorType t) { return t == utils::IteratorType::parallel; });
}

// Every result of `map` is d0, d1 or the constant 0 (how kiln's lowering writes broadcasts).
bool is_broadcast_map(AffineMap map) {
  return llvm::all_of(map.getResults(), [](AffineExpr e) {
    if (auto c = dyn_cast<AffineConstantExpr>(e)) return c.getValue() == 0;
    return isa<AffineDimExpr>(e);
  });
}

// The constant `buffer` holds just before `at`: its last write is a constant fill, directly or
// through a copy from a buffer whose last write was one (after CSE merged equal fills,
// bufferization copies one filled buffer into each product's C). Reads in between are fine.
Value constant_before(Operation* at, Value buffer) {
  auto touches = [&](Operation* op) {
    return llvm::any_of(buffer.getUsers(), [&](Operation* user) { return op->isAncestor(user); });
  };
  for (Operation* op = at->getPrevNode(); op; op = op->getPrevNode()) {
    if (!touches(op)) continue;
    if (auto fill = dyn_cast<linalg::FillOp>(op))
      return fill.getOutputs()[0] == buffer && matchPattern(fill.getInputs()[0], m_Constant()) ? fill.getInputs()[0]
                                                                                              : Value();
    auto copy = dyn_cast<memref::CopyOp>(op);
    if (!copy) return {};
    if (copy.getTarget() == buffer) return constant_before(copy, copy.getSource());
    // otherwise a read of `buffer`
  }
  return {};
}

// A generic that copies a row vector (or any broadcast) into every element of C.
bool broadcasts_into(Operation* op, Value c) {
  auto g = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!g || g.getNumDpsInits() != 1 || g.getDpsInits()[0] != c || g.getNumDpsInputs() != 1 || !all_parallel(g))
    return false;
  auto yield = cast<linalg::YieldOp>(g.getBody()->getTerminator());
  return yield.getValues()[0] == g.getBody()->getArgument(0) && g.getIndexingMapsArray()[1].isIdentity() &&
         is_broadcast_map(g.getIndexingMapsArray()[0]) && isa<MemRefType>(g.getDpsInputs()[0].getType());
}

// Whether `g` is an elementwise op over C's shape whose body can run on vectors, reading
// `current` (the value computed so far) through the identity map.
bool fusable(linalg::GenericOp g, Value current, ArrayRef<int64_t> shape) {
  if (!g.hasPureBufferSemantics() || g.getNumDpsInits() != 1 || !all_parallel(g) || g.getNumLoops() != 2) return false;
  auto out_type = dyn_cast<MemRefType>(g.getDpsInits()[0].getType());
  if (!out_type || out_type.getShape() != shape || !out_type.getLayout().isIdentity() ||
      !g.getIndexingMapsArray().back().isIdentity())
    return false;
  bool reads_current = false;
  for (OpOperand* in : g.getDpsInputOperands()) {
    AffineMap map = g.getMatchingIndexingMap(in);
    if (in->get() == current) {
      if (!map.isIdentity()) return false;
      reads_current = true;
    } else if (!is_broadcast_map(map) || !isa<MemRefType>(in->get().getType())) {
      return false;
    }
  }
  Value out_arg = g.getBody()->getArguments().back();
  if (!reads_current || (g.getDpsInits()[0] != current && !out_arg.use_empty())) return false;
  for (Operation& op : g.getBody()->without_terminator())
    if (!op.hasTrait<OpTrait::Elementwise>() || op.getNumRegions() != 0) return false;
  return true;
}

// Indices into an operand read through `map` at C[row][col]; whether its last index runs along
// the columns (so a vector load reads consecutive elements).
SmallVector<Value> indices_for(Emitter& e, AffineMap map, Value row, Value col, bool& along_columns) {
  SmallVector<Value> indices;
  along_columns = false;
  for (AffineExpr expr : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(expr);
    indices.push_back(!dim ? e.index(0) : dim.getPosition() == 0 ? row : col);
    along_columns = dim && dim.getPosition() == 1;
  }
  return indices;
}

// One lane vector of `memref` read through `map` at C[row][col...].
Value read_operand(Emitter& e, Value memref, AffineMap map, Value row, Value col, int64_t used) {
  bool along_columns;
  SmallVector<Value> indices = indices_for(e, map, row, col, along_columns);
  if (along_columns) return e.load(memref, indices, used);
  Value scalar = e.b.create<memref::LoadOp>(e.loc, memref, indices);
  return e.b.create<vector::BroadcastOp>(e.loc, e.vector_type, scalar);
}

// A buffer the function allocated for itself (an allocation, or a view into kiln-plan-buffers'
// arena), as opposed to an argument the caller may read.
bool is_temporary(Value buffer) {
  if (auto view = buffer.getDefiningOp<memref::ViewOp>()) buffer = view.getSource();
  return buffer.getDefiningOp<memref::AllocOp>() || buffer.getDefiningOp<memref::AllocaOp>();
}

// The bytes [begin, end) a view covers in its arena, if its offset is a constant.
std::optional<std::pair<int64_t, int64_t>> byte_range(memref::ViewOp view) {
  auto offset = getConstantIntValue(view.getByteShift());
  if (!offset) return std::nullopt;
  MemRefType type = view.getType();
  return std::make_pair(*offset, *offset + type.getNumElements() * type.getElementTypeBitWidth() / 8);
}

// Whether two buffers may share memory: the same buffer, or overlapping views of one arena
// (kiln-plan-buffers reuses bytes between buffers that are not live at the same time, which
// fusing ops moves). Distinct allocations and arguments do not.
bool may_alias(Value a, Value b) {
  if (a == b) return true;
  auto view_a = a.getDefiningOp<memref::ViewOp>(), view_b = b.getDefiningOp<memref::ViewOp>();
  Value root_a = view_a ? view_a.getSource() : a, root_b = view_b ? view_b.getSource() : b;
  if (root_a != root_b) return false;
  if (!view_a || !view_b) return true;
  auto range_a = byte_range(view_a), range_b = byte_range(view_b);
  return !range_a || !range_b || (range_a->first < range_b->second && range_b->first < range_a->second);
}

bool may_alias_any(Value v, ArrayRef<Value> set) {
  return llvm::any_of(set, [&](Value other) { return may_alias(v, other); });
}

}  // namespace

MatmulEpilogue::MatmulEpilogue(linalg::MatmulOp matmul, bool one_block)
    : c_(matmul.getDpsInits()[0]), destination_(c_) {
  Operation* prev = matmul->getPrevNode();
  if (broadcasts_into(prev, c_)) {
    init_broadcast_ = cast<linalg::GenericOp>(prev);
    erasable_init_ = prev;
  } else if ((init_constant_ = constant_before(matmul, c_))) {
    // The op that set C just before the product is redundant now; an earlier fill is kept, as
    // other products may copy from it.
    bool sets_c_directly = prev && ((isa<linalg::FillOp>(prev) && cast<linalg::FillOp>(prev).getOutputs()[0] == c_) ||
                                    (isa<memref::CopyOp>(prev) && cast<memref::CopyOp>(prev).getTarget() == c_));
    if (sets_c_directly) erasable_init_ = prev;
  }
  auto shape = cast<MemRefType>(c_.getType()).getShape();
  // The buffers whose values are carried in registers rather than stored: no later op may read
  // them, so the destination may only move past a temporary that, after the chain, is freed or
  // first overwritten whole (bufferization reuses one buffer for several products).
  llvm::SmallPtrSet<Operation*, 8> chain{matmul};
  Block* block = matmul->getBlock();
  auto dead_after_chain = [&](Value buffer, Operation* next) {
    if (!is_temporary(buffer)) return false;
    Operation* first_later = nullptr;  // the first op after the chain that touches the buffer
    for (Operation* user : buffer.getUsers()) {
      if (user == next || chain.contains(user)) continue;
      while (user && user->getBlock() != block) user = user->getParentOp();
      if (!user) return false;
      if (user->isBeforeInBlock(matmul)) continue;
      if (!first_later || user->isBeforeInBlock(first_later)) first_later = user;
    }
    if (!first_later || isa<memref::DeallocOp>(first_later)) return true;
    if (auto copy = dyn_cast<memref::CopyOp>(first_later)) return copy.getTarget() == buffer;
    if (auto fill = dyn_cast<linalg::FillOp>(first_later)) return fill.getOutputs()[0] == buffer;
    return false;
  };
  // The kernel stores each block as soon as it is done, while other blocks still read: a buffer
  // it writes (C and each destination) must not be one it reads elsewhere than at the position
  // being written (A, B, broadcast operands), nor an input other than the running value (which
  // lives in registers, so its buffer is stale).
  SmallVector<Value> written{c_};
  SmallVector<Value> read_elsewhere;
  if (!one_block) read_elsewhere = {matmul.getDpsInputs()[0], matmul.getDpsInputs()[1]};
  if (init_broadcast_) read_elsewhere.push_back(init_broadcast_.getDpsInputs()[0]);
  Value current = c_;
  for (Operation* next = matmul->getNextNode(); next; next = next->getNextNode()) {
    auto g = dyn_cast<linalg::GenericOp>(next);
    if (!g || !fusable(g, current, shape)) break;
    Value out = g.getDpsInits()[0];
    if (out != current && !dead_after_chain(current, g)) break;
    bool hazard = may_alias_any(out, read_elsewhere);
    for (OpOperand* in : g.getDpsInputOperands()) {
      if (in->get() == current) continue;
      hazard |= may_alias_any(in->get(), written);
      if (!g.getMatchingIndexingMap(in).isIdentity()) hazard |= may_alias(in->get(), out);
    }
    if (hazard) break;
    for (OpOperand* in : g.getDpsInputOperands())
      if (!g.getMatchingIndexingMap(in).isIdentity()) read_elsewhere.push_back(in->get());
    written.push_back(out);
    ops_.push_back(g);
    chain.insert(g);
    current = out;
  }
  destination_ = current;
}

Value MatmulEpilogue::initial(Emitter& e, Value row, Value col, int64_t used) const {
  if (init_constant_) return e.b.create<vector::BroadcastOp>(e.loc, e.vector_type, init_constant_);
  if (linalg::GenericOp broadcast = init_broadcast_)
    return read_operand(e, broadcast.getDpsInputs()[0], broadcast.getIndexingMapsArray()[0], row, col, used);
  return e.load(c_, {row, col}, used);
}

void MatmulEpilogue::finish(Emitter& e, Value acc, Value row, Value col, int64_t used) const {
  Value current_buffer = c_;
  for (linalg::GenericOp g : ops_) {
    IRMapping map;
    Block* body = g.getBody();
    for (OpOperand* in : g.getDpsInputOperands()) {
      Value arg = body->getArgument(in->getOperandNumber());
      map.map(arg, in->get() == current_buffer
                       ? acc
                       : read_operand(e, in->get(), g.getMatchingIndexingMap(in), row, col, used));
    }
    map.map(body->getArguments().back(), acc);  // only read when the op updates `current` in place
    for (Operation& op : body->without_terminator()) {
      for (Value operand : op.getOperands())  // scalars from outside the body become splats
        if (!map.contains(operand)) map.map(operand, e.b.create<vector::BroadcastOp>(e.loc, e.vector_type, operand));
      Operation* vector_op = e.b.clone(op, map);
      for (OpResult result : vector_op->getResults())
        result.setType(VectorType::get({e.lanes}, result.getType()));
    }
    acc = map.lookup(cast<linalg::YieldOp>(body->getTerminator()).getValues()[0]);
    current_buffer = g.getDpsInits()[0];
  }
  e.store(acc, destination_, {row, col}, used);
}

void MatmulEpilogue::erase() {
  for (linalg::GenericOp g : ops_) g->erase();
  if (erasable_init_) erasable_init_->erase();
}

}  // namespace kiln::passes
