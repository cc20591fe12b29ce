// Every op by name, for graphs read back from files (SymbolBlock). Each ops file lists its own
// OpDefs; calling those lists here keeps every file linked in.
#include <unordered_map>

#include "frontend/op.h"

namespace kiln {

namespace nd {
std::vector<const OpDef*> elementwise_ops();
std::vector<const OpDef*> layout_ops();
std::vector<const OpDef*> matmul_ops();
std::vector<const OpDef*> reduce_ops();
}  // namespace nd

const OpDef* find_op(std::string_view name) {
  static const std::unordered_map<std::string_view, const OpDef*> ops = [] {
    std::unordered_map<std::string_view, const OpDef*> all;
    for (auto* list : {nd::elementwise_ops, nd::layout_ops, nd::matmul_ops, nd::reduce_ops})
      for (const OpDef* op : list()) all[op->name] = op;
    return all;
  }();
  auto it = ops.find(name);
  return it == ops.end() ? nullptr : it->second;
}

}  // namespace kiln
