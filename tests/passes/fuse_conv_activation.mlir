// kiln-fuse-conv-activation: a relu that alone reads a packed convolution's result becomes the
// convolution's activation. A result read by anything else as well, a relu of an unpacked
// convolution (its weight is an input) and a relu of other values keep their relu.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-pack-conv-weights,func.func(kiln-fuse-conv-activation))' | FileCheck %s

// CHECK-LABEL: func @fused
// CHECK: %[[C:.*]] = kiln.conv2d_packed {{.*}} {activation = "relu", {{.*}} -> tensor<1x16x8x8xf32>
// CHECK-NOT: kiln.relu
// CHECK: return %[[C]]
func.func @fused(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32> {kiln.parameter},
                 %b: tensor<16xf32> {kiln.parameter}) -> tensor<1x16x8x8xf32> {
  %y = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32> -> tensor<1x16x8x8xf32>
  %r = kiln.relu %y : tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  return %r : tensor<1x16x8x8xf32>
}

// CHECK-LABEL: func @read_twice
// CHECK: %[[C:.*]] = kiln.conv2d_packed
// CHECK-NOT: activation
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[C]]
// CHECK-NEXT: return %[[R]], %[[C]]
func.func @read_twice(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32> {kiln.parameter})
    -> (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) {
  %y = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x8x8xf32>
  %r = kiln.relu %y : tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  return %r, %y : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>
}

// CHECK-LABEL: func @not_packed
// CHECK: %[[C:.*]] = kiln.conv2d %
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[C]]
// CHECK-NEXT: kiln.relu %arg0
func.func @not_packed(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> (tensor<1x16x8x8xf32>, tensor<1x3x8x8xf32>) {
  %y = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x8x8xf32>
  %r = kiln.relu %y : tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  %s = kiln.relu %x : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  return %r, %s : tensor<1x16x8x8xf32>, tensor<1x3x8x8xf32>
}
