#include "passes/uses_in_range.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "mlir/IR/Block.h"

using namespace mlir;

namespace kiln::passes {

bool used_in_range(Value value, Operation* from, Operation* to, llvm::function_ref<bool(Operation*)> is_view,
                   Operation* except) {
  Block* block = from->getBlock();
  SmallVector<Value> pending{value};
  llvm::SmallPtrSet<Value, 8> seen;
  while (!pending.empty()) {
    Value v = pending.pop_back_val();
    if (!seen.insert(v).second) continue;
    for (Operation* user : v.getUsers()) {
      if (is_view(user))
        for (Value r : user->getResults()) pending.push_back(r);
      if (user == except) continue;
      Operation* at = block->findAncestorOpInBlock(*user);
      if (!at) return true;
      if (at != from && from->isBeforeInBlock(at) && (!to || at->isBeforeInBlock(to))) return true;
    }
  }
  return false;
}

}  // namespace kiln::passes
