// Trivial folds: identity reshapes, transposes, broadcasts, sums, slices and one-part concats
// disappear under canonicalization.
// RUN: kiln-opt %s -canonicalize | FileCheck %s

// CHECK-LABEL: func @identities
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]]
func.func @identities(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.reshape %x {shape = array<i64: 2, 3>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = kiln.transpose %0 {perm = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = kiln.broadcast_to %1 {shape = array<i64: 2, 3>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = kiln.sum_to %2 {shape = array<i64: 2, 3>} : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = kiln.slice_axis %3 {axis = 0 : i64, begin = 0 : i64, end = 2 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  %5 = kiln.concat %4 {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %5 : tensor<2x3xf32>
}

// CHECK-LABEL: func @kept
// CHECK: kiln.transpose
// CHECK: kiln.reshape
func.func @kept(%x: tensor<2x3xf32>) -> tensor<6xf32> {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %1 = kiln.reshape %0 {shape = array<i64: -1>} : tensor<3x2xf32> -> tensor<6xf32>
  return %1 : tensor<6xf32>
}

// Unused pure ops are removed.
// CHECK-LABEL: func @dead
// CHECK-NOT: kiln.
func.func @dead(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = kiln.exp %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %x : tensor<2x3xf32>
}

// A max pool of a relu only it reads pools first (the relu then runs on a quarter of the
// values); a relu something else reads stays before the pool.
// CHECK-LABEL: func @pool_before_relu
// CHECK-SAME: (%[[X:.*]]: tensor<1x2x4x4xf32>)
// CHECK-NEXT: %[[P:.*]] = kiln.max_pool2d %[[X]] {{.*}} -> tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[P]] : tensor<1x2x2x2xf32>
// CHECK-NEXT: %[[R2:.*]] = kiln.relu %[[X]] : tensor<1x2x4x4xf32>
// CHECK-NEXT: %[[P2:.*]] = kiln.max_pool2d %[[R2]]
// CHECK-NEXT: return %[[R]], %[[P2]], %[[R2]]
func.func @pool_before_relu(%x: tensor<1x2x4x4xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>) {
  %r = kiln.relu %x : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %p = kiln.max_pool2d %r {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>}
         : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %r2 = kiln.relu %x : tensor<1x2x4x4xf32> -> tensor<1x2x4x4xf32>
  %p2 = kiln.max_pool2d %r2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>}
          : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %p, %p2, %r2 : tensor<1x2x2x2xf32>, tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>
}
