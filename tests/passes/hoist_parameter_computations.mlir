// kiln-hoist-parameter-computations: work on parameters alone moves to @<name>_prepare, which
// takes every parameter argument; the graph takes its results as trailing kiln.prepared arguments.
// RUN: kiln-opt %s --kiln-hoist-parameter-computations | FileCheck %s

// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.*]]: tensor<2x20xf32>, %[[W:.*]]: tensor<256x20xf32> {kiln.parameter}, %[[B:.*]]: tensor<256xf32> {kiln.parameter}, %[[WT:.*]]: tensor<20x256xf32> {kiln.prepared}, %[[B2:.*]]: tensor<256xf32> {kiln.prepared})
// CHECK-NOT: kiln.transpose
// CHECK: %[[Y:.*]] = kiln.dot %[[X]], %[[WT]]
// CHECK: kiln.add %[[Y]], %[[B2]]
// CHECK: func.func @forward_prepare(%[[PW:.*]]: tensor<256x20xf32>, %[[PB:.*]]: tensor<256xf32>) -> (tensor<20x256xf32>, tensor<256xf32>) attributes {llvm.emit_c_interface}
// CHECK: %[[T:.*]] = kiln.transpose %[[PW]]
// CHECK: %[[C:.*]] = kiln.constant dense<2.000000e+00>
// CHECK: %[[M:.*]] = kiln.multiply %[[PB]], %[[C]]
// CHECK: return %[[T]], %[[M]]
func.func @forward(%x: tensor<2x20xf32>, %w: tensor<256x20xf32> {kiln.parameter}, %b: tensor<256xf32> {kiln.parameter}) -> tensor<2x256xf32> attributes {llvm.emit_c_interface} {
  %wt = kiln.transpose %w {perm = array<i64: 1, 0>} : tensor<256x20xf32> -> tensor<20x256xf32>
  %c = kiln.constant dense<2.0> : tensor<f32>
  %b2 = kiln.multiply %b, %c : tensor<256xf32>, tensor<f32> -> tensor<256xf32>
  %y = kiln.dot %x, %wt : tensor<2x20xf32>, tensor<20x256xf32> -> tensor<2x256xf32>
  %z = kiln.add %y, %b2 : tensor<2x256xf32>, tensor<256xf32> -> tensor<2x256xf32>
  return %z : tensor<2x256xf32>
}

// Nothing depends on parameters alone: the function is left as it is, with no prepare function.
// CHECK-LABEL: func.func @inputs_only
// CHECK-NOT: kiln.prepared
// CHECK-NOT: @inputs_only_prepare
func.func @inputs_only(%x: tensor<4xf32>, %w: tensor<4xf32> {kiln.parameter}) -> tensor<4xf32> {
  %0 = kiln.add %x, %w : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// A parameter the function updates in place (BatchNorm's running mean: `kiln.updates`) changes on
// every call, so what is computed from it stays in the graph; the other parameter's work moves.
// CHECK-LABEL: func.func @updates_its_parameter
// CHECK-SAME: %[[M:[^:]*]]: tensor<4xf32> {kiln.parameter}, %[[W:[^:]*]]: tensor<4xf32> {kiln.parameter}, %{{.*}}: tensor<4xf32> {kiln.prepared}
// CHECK: kiln.multiply %[[M]]
// CHECK: func.func @updates_its_parameter_prepare
// CHECK-NOT: kiln.multiply
// CHECK: kiln.exp
// CHECK-NOT: kiln.multiply
// CHECK: return
func.func @updates_its_parameter(%x: tensor<4xf32>, %m: tensor<4xf32> {kiln.parameter}, %w: tensor<4xf32> {kiln.parameter}) -> (tensor<4xf32>, tensor<4xf32> {kiln.updates = 1 : i64}) {
  %c = kiln.constant dense<0.9> : tensor<f32>
  %scaled = kiln.multiply %m, %c : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  %new = kiln.add %scaled, %x : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  %e = kiln.exp %w : tensor<4xf32> -> tensor<4xf32>
  %y = kiln.add %x, %e : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %y, %new : tensor<4xf32>, tensor<4xf32>
}
