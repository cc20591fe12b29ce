// kiln-transpose-dense-weights: a small fully_connected whose weight is a parameter becomes
// dot(x, transpose(w)) + b; an input weight, a narrow product and a oneDNN-sized one keep their form.
// RUN: kiln-opt %s --kiln-transpose-dense-weights | FileCheck %s

// CHECK-LABEL: func @parameter_weight
// CHECK-SAME: (%[[X:.*]]: tensor<2x20xf32>, %[[W:.*]]: tensor<256x20xf32> {kiln.parameter}, %[[B:.*]]: tensor<256xf32> {kiln.parameter})
// CHECK: %[[WT:.*]] = kiln.transpose %[[W]] {perm = array<i64: 1, 0>} : tensor<256x20xf32> -> tensor<20x256xf32>
// CHECK: %[[Y:.*]] = kiln.dot %[[X]], %[[WT]] : tensor<2x20xf32>, tensor<20x256xf32> -> tensor<2x256xf32>
// CHECK: %[[Z:.*]] = kiln.add %[[Y]], %[[B]]
// CHECK: return %[[Z]]
func.func @parameter_weight(%x: tensor<2x20xf32>, %w: tensor<256x20xf32> {kiln.parameter}, %b: tensor<256xf32> {kiln.parameter}) -> tensor<2x256xf32> {
  %0 = kiln.fully_connected %x, %w, %b : tensor<2x20xf32>, tensor<256x20xf32>, tensor<256xf32> -> tensor<2x256xf32>
  return %0 : tensor<2x256xf32>
}

// A weight computed from a parameter qualifies too; without a bias there is no add.
// CHECK-LABEL: func @derived_weight_no_bias
// CHECK: %[[S:.*]] = kiln.multiply
// CHECK: kiln.transpose %[[S]]
// CHECK-NOT: kiln.add
// CHECK-NOT: kiln.fully_connected
func.func @derived_weight_no_bias(%x: tensor<2x20xf32>, %w: tensor<32x20xf32> {kiln.parameter}) -> tensor<2x32xf32> {
  %c = kiln.constant dense<2.0> : tensor<f32>
  %s = kiln.multiply %w, %c : tensor<32x20xf32>, tensor<f32> -> tensor<32x20xf32>
  %0 = kiln.fully_connected %x, %s : tensor<2x20xf32>, tensor<32x20xf32> -> tensor<2x32xf32>
  return %0 : tensor<2x32xf32>
}

// CHECK-LABEL: func @kept
// CHECK-NOT: kiln.transpose
// CHECK: kiln.fully_connected %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x20xf32>, tensor<256x20xf32>
// CHECK: kiln.fully_connected %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x20xf32>, tensor<10x20xf32>
// CHECK: kiln.fully_connected %{{.*}}, %{{.*}}, %{{.*}} : tensor<256x784xf32>, tensor<1024x784xf32>
func.func @kept(%x: tensor<2x20xf32>, %w_input: tensor<256x20xf32>, %b: tensor<256xf32> {kiln.parameter},
                %w_narrow: tensor<10x20xf32> {kiln.parameter}, %b_narrow: tensor<10xf32> {kiln.parameter},
                %big: tensor<256x784xf32>, %w_big: tensor<1024x784xf32> {kiln.parameter}, %b_big: tensor<1024xf32> {kiln.parameter})
    -> (tensor<2x256xf32>, tensor<2x10xf32>, tensor<256x1024xf32>) {
  %0 = kiln.fully_connected %x, %w_input, %b : tensor<2x20xf32>, tensor<256x20xf32>, tensor<256xf32> -> tensor<2x256xf32>
  %1 = kiln.fully_connected %x, %w_narrow, %b_narrow : tensor<2x20xf32>, tensor<10x20xf32>, tensor<10xf32> -> tensor<2x10xf32>
  %2 = kiln.fully_connected %big, %w_big, %b_big : tensor<256x784xf32>, tensor<1024x784xf32>, tensor<1024xf32> -> tensor<256x1024xf32>
  return %0, %1, %2 : tensor<2x256xf32>, tensor<2x10xf32>, tensor<256x1024xf32>
}
