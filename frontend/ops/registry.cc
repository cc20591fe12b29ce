// Every op by name, for graphs read back from files (SymbolBlock). Each ops file lists its own
// OpDefs; calling those lists here keeps every file linked in.
#include <unordered_map>

#include "frontend/op.h"

namespace kiln {

namespace nd {
std::vector<const OpDef*> conv_ops();
std::vector<const OpDef*> elementwise_ops();
std::vector<const OpDef*> layout_ops();
std::vector<const OpDef*> matmul_ops();
std::vector<const OpDef*> nn_ops();
std::vector<const OpDef*> norm_ops();
std::vector<const OpDef*> random_ops();
std::vector<const OpDef*> reduce_ops();
}  // namespace nd

const std::vector<const OpDef*>& all_ops() {
  static const std::vector<const OpDef*> ops = [] {
    std::vector<const OpDef*> all;
    for (auto* list : {nd::conv_ops, nd::elementwise_ops, nd::layout_ops, nd::matmul_ops, nd::nn_ops, nd::norm_ops, nd::random_ops, nd::reduce_ops})
      for (const OpDef* op : list()) all.push_back(op);
    return all;
  }();
  return ops;
}

const OpDef* find_op(std::string_view name) {
  static const std::unordered_map<std::string_view, const OpDef*> ops = [] {
    std::unordered_map<std::string_view, const OpDef*> by_name;
    for (const OpDef* op : all_ops()) by_name[op->name] = op;
    return by_name;
  }();
  auto it = ops.find(name);
  return it == ops.end() ? nullptr : it->second;
}

}  // namespace kiln
