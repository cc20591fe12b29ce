// Every op the frontend registers is a kiln dialect op with a lowering, so every op that runs
// eagerly can be traced and compiled; and every dialect op is either a frontend op or one the
// graph builder emits itself (constants, guards, rows of nd::foreach) and the ones passes make.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "codegen/lower_kiln_to_linalg.h"
#include "frontend/op.h"
#include "ir/KilnDialect.h"
#include "mlir/IR/MLIRContext.h"

namespace kiln {
namespace {

TEST(OpRegistry, EveryOpHasADialectOpAndALowering) {
  mlir::MLIRContext context;
  context.loadDialect<ir::KilnDialect>();
  std::set<std::string> dialect_ops;
  for (mlir::RegisteredOperationName op : context.getRegisteredOperations())
    if (op.getDialectNamespace() == "kiln") dialect_ops.insert(op.getStringRef().str());
  std::vector<std::string> lowered = codegen::lowered_ops(context);
  std::set<std::string> frontend_ops;
  ASSERT_FALSE(all_ops().empty());
  for (const OpDef* op : all_ops()) {
    std::string name = "kiln." + std::string(op->name);
    frontend_ops.insert(name);
    EXPECT_TRUE(dialect_ops.contains(name)) << op->name << " has an OpDef but no dialect op";
    EXPECT_NE(std::find(lowered.begin(), lowered.end(), name), lowered.end()) << op->name << " has no lowering";
    EXPECT_EQ(find_op(op->name), op);
  }
  const std::set<std::string> graph_only{"kiln.constant", "kiln.compare_scalar", "kiln.row", "kiln.set_row"};
  // Ops that only passes make (kiln-pack-conv-weights, kiln-keep-blocked-layout): never traced,
  // but lowered.
  const std::set<std::string> pass_only{"kiln.conv2d_pack_weights", "kiln.conv2d_packed", "kiln.reorder_activations"};
  for (const std::string& name : dialect_ops)
    EXPECT_TRUE(frontend_ops.contains(name) || graph_only.contains(name) || pass_only.contains(name)) << name << " has no OpDef";
  for (const std::string& name : pass_only)
    EXPECT_NE(std::find(lowered.begin(), lowered.end(), name), lowered.end()) << name << " has no lowering";
}

}  // namespace
}  // namespace kiln
