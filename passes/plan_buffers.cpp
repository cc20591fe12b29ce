// kiln-plan-buffers (Passes.td): a call's static intermediates share one arena, placed by
// liveness; the arena lives on the stack when it fits the budget.
#include <algorithm>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "passes/passes.h"
#include "passes/reporting.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_PLANBUFFERS
#include "passes/Passes.h.inc"

namespace {

constexpr int64_t kAlignment = 64;

struct Buffer {
  memref::AllocOp alloc;
  int64_t bytes = 0;
  int64_t first = 0, last = 0;  // positions in the entry block where it is live
  int64_t offset = -1;
};

// The entry-block op that contains `op`.
Operation* top_level(Operation* op, Block* entry) {
  while (op && op->getBlock() != entry) op = op->getParentOp();
  return op;
}

// The last position in `entry` where `alloc` or a view of it is used; -1 if it is returned,
// which keeps it out of the plan.
int64_t last_use(memref::AllocOp alloc, Block* entry, const llvm::DenseMap<Operation*, int64_t>& position) {
  int64_t last = position.lookup(alloc);
  SmallVector<Value> values{alloc.getResult()};
  while (!values.empty()) {
    Value v = values.pop_back_val();
    for (Operation* user : v.getUsers()) {
      if (isa<func::ReturnOp>(user)) return -1;
      Operation* top = top_level(user, entry);
      if (!top) return -1;
      last = std::max(last, position.lookup(top));
      for (Value result : user->getResults())  // views and casts alias the buffer
        if (isa<BaseMemRefType>(result.getType())) values.push_back(result);
    }
  }
  return last;
}

struct PlanBuffersPass : impl::PlanBuffersBase<PlanBuffersPass>, Reporting {
  using PlanBuffersBase::PlanBuffersBase;
  int64_t buffers = 0, requested = 0, planned = 0, on_stack = 0;
  std::string report() const override {
    return std::to_string(buffers) + " buffers of " + std::to_string(requested) + " bytes in an arena of " +
           std::to_string(planned) + " bytes (" + std::to_string(on_stack) + " on the stack)";
  }

  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal()) return;
    Block* entry = &function.getBody().front();
    llvm::DenseMap<Operation*, int64_t> position;
    int64_t index = 0;
    for (Operation& op : *entry) position[&op] = index++;

    std::vector<Buffer> plan;
    for (memref::AllocOp alloc : entry->getOps<memref::AllocOp>()) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity() || !type.getElementType().isIntOrFloat()) continue;
      int64_t last = last_use(alloc, entry, position);
      if (last < 0) continue;
      int64_t bytes = type.getNumElements() * type.getElementTypeBitWidth() / 8;
      plan.push_back({alloc, (bytes + kAlignment - 1) / kAlignment * kAlignment, position[alloc], last});
    }
    if (plan.empty()) return;

    // Largest first, each at the lowest offset that overlaps no buffer live at the same time.
    std::vector<Buffer*> order;
    for (Buffer& b : plan) order.push_back(&b);
    std::stable_sort(order.begin(), order.end(), [](Buffer* a, Buffer* b) { return a->bytes > b->bytes; });
    int64_t arena_bytes = 0;
    std::vector<Buffer*> placed;
    for (Buffer* b : order) {
      std::vector<std::pair<int64_t, int64_t>> taken;  // [begin, end) of overlapping live buffers
      for (Buffer* p : placed)
        if (p->first <= b->last && b->first <= p->last) taken.push_back({p->offset, p->offset + p->bytes});
      std::sort(taken.begin(), taken.end());
      int64_t offset = 0;
      for (auto [begin, end] : taken) {
        if (offset + b->bytes <= begin) break;
        offset = std::max(offset, end);
      }
      b->offset = offset;
      arena_bytes = std::max(arena_bytes, offset + b->bytes);
      placed.push_back(b);
    }

    OpBuilder builder(entry, entry->begin());
    Location loc = function.getLoc();
    auto arena_type = MemRefType::get({arena_bytes}, builder.getI8Type());
    auto alignment = builder.getI64IntegerAttr(kAlignment);
    Value arena = arena_bytes <= stackBudgetBytes
                      ? builder.create<memref::AllocaOp>(loc, arena_type, alignment).getResult()
                      : builder.create<memref::AllocOp>(loc, arena_type, alignment).getResult();
    for (Buffer& b : plan) {
      builder.setInsertionPoint(b.alloc);
      Value offset = builder.create<arith::ConstantIndexOp>(b.alloc.getLoc(), b.offset);
      Value view = builder.create<memref::ViewOp>(b.alloc.getLoc(), b.alloc.getType(), arena, offset, ValueRange{});
      b.alloc.replaceAllUsesWith(view);
      b.alloc.erase();
      requested += b.bytes;
      ++buffers;
    }
    planned += arena_bytes;
    if (arena_bytes <= stackBudgetBytes) on_stack += arena_bytes;
  }
};

}  // namespace
}  // namespace kiln::passes
