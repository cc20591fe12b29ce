// Graphviz views of a graph before and after kiln's optimisation stage, as a user would make them
// of an export (`kiln-opt <path>-symbol.mlir --view-op-graph --kiln-optimize --view-op-graph`):
// the second view shows the small fully_connected as a dot on a pre-transposed weight, and the
// transpose moved into the prepare function.
// RUN: kiln-opt %s --view-op-graph --kiln-optimize --view-op-graph -o /dev/null 2>&1 | FileCheck %s

// CHECK: digraph G {
// CHECK: label = "kiln.fully_connected
// CHECK: label = "kiln.relu
// CHECK: digraph G {
// CHECK-NOT: kiln.fully_connected
// CHECK: label = "kiln.dot : (tensor<2x64xf32>)
// CHECK: label = "kiln.relu
// CHECK: sym_name: \"forward_prepare
// CHECK: label = "kiln.transpose : (tensor<20x64xf32>)
func.func @forward(%x: tensor<2x20xf32>, %w: tensor<64x20xf32> {kiln.parameter}, %b: tensor<64xf32> {kiln.parameter}) -> tensor<2x64xf32> {
  %0 = kiln.fully_connected %x, %w, %b : tensor<2x20xf32>, tensor<64x20xf32>, tensor<64xf32> -> tensor<2x64xf32>
  %1 = kiln.relu %0 : tensor<2x64xf32> -> tensor<2x64xf32>
  return %1 : tensor<2x64xf32>
}
