// Graphviz views of a graph before and after kiln's optimisation stage, as a user would make them
// of an export (`kiln-opt <path>-symbol.mlir --view-op-graph --kiln-optimize --view-op-graph`):
// the second view shows the relu fused into the oneDNN-sized fully_connected.
// RUN: kiln-opt %s --view-op-graph --kiln-optimize --view-op-graph -o /dev/null 2>&1 | FileCheck %s

// CHECK: digraph G {
// CHECK: label = "kiln.fully_connected
// CHECK: label = "kiln.relu
// CHECK: digraph G {
// CHECK: label = "kiln.fully_connected : (tensor<256x1024xf32>)\n\nrelu
// CHECK-NOT: kiln.relu
func.func @forward(%x: tensor<256x784xf32>, %w: tensor<1024x784xf32> {kiln.parameter}, %b: tensor<1024xf32> {kiln.parameter}) -> tensor<256x1024xf32> {
  %0 = kiln.fully_connected %x, %w, %b : tensor<256x784xf32>, tensor<1024x784xf32>, tensor<1024xf32> -> tensor<256x1024xf32>
  %1 = kiln.relu %0 : tensor<256x1024xf32> -> tensor<256x1024xf32>
  return %1 : tensor<256x1024xf32>
}
