// Every kiln op prints and parses back unchanged.
// RUN: kiln-opt %s | kiln-opt | FileCheck %s

// CHECK-LABEL: func @all_ops
func.func @all_ops(%x: tensor<2x3xf32>, %v: tensor<3xf32>, %w: tensor<4x3xf32>, %b: tensor<4xf32>)
    -> (tensor<2x3xf32>, tensor<2x4xf32>) {
  // CHECK: kiln.constant dense<1.000000e+00> : tensor<f32>
  %c = kiln.constant dense<1.0> : tensor<f32>
  // CHECK: kiln.relu %{{.*}} : tensor<2x3xf32> -> tensor<2x3xf32>
  %0 = kiln.relu %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = kiln.sigmoid %0 : tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = kiln.tanh %1 : tensor<2x3xf32> -> tensor<2x3xf32>
  %3 = kiln.exp %2 : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = kiln.log %3 : tensor<2x3xf32> -> tensor<2x3xf32>
  %5 = kiln.negative %4 : tensor<2x3xf32> -> tensor<2x3xf32>
  %6 = kiln.sqrt %5 : tensor<2x3xf32> -> tensor<2x3xf32>
  %7 = kiln.square %6 : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: kiln.add %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %8 = kiln.add %7, %v : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %9 = kiln.subtract %8, %c : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %10 = kiln.multiply %9, %x : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %11 = kiln.divide %10, %c : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %12 = kiln.maximum %11, %x : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %13 = kiln.equal %12, %x : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %14 = kiln.greater %13, %c : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %15 = kiln.lesser %14, %v : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  // CHECK: kiln.dot %{{.*}}, %{{.*}} {transpose_b = true} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<2x4xf32>
  %16 = kiln.dot %15, %w {transpose_b = true} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<2x4xf32>
  // CHECK: kiln.fully_connected %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32> -> tensor<2x4xf32>
  %17 = kiln.fully_connected %x, %w, %b : tensor<2x3xf32>, tensor<4x3xf32>, tensor<4xf32> -> tensor<2x4xf32>
  // CHECK: kiln.fully_connected %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<2x4xf32>
  %18 = kiln.fully_connected %x, %w : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<2x4xf32>
  %19 = kiln.add %16, %17 : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<2x4xf32>
  %20 = kiln.add %19, %18 : tensor<2x4xf32>, tensor<2x4xf32> -> tensor<2x4xf32>
  // CHECK: kiln.sum %{{.*}} {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2xf32>
  %21 = kiln.sum %x {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2xf32>
  // CHECK: kiln.mean %{{.*}} : tensor<2x3xf32> -> tensor<1xf32>
  %22 = kiln.mean %x : tensor<2x3xf32> -> tensor<1xf32>
  // CHECK: kiln.max %{{.*}} {axis = 0 : i64, keepdims = true} : tensor<2x3xf32> -> tensor<1x3xf32>
  %23 = kiln.max %x {axis = 0 : i64, keepdims = true} : tensor<2x3xf32> -> tensor<1x3xf32>
  %24 = kiln.norm %x : tensor<2x3xf32> -> tensor<1xf32>
  // CHECK: kiln.argmax %{{.*}} {axis = 1 : i64, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
  %argmax = kiln.argmax %x {axis = 1 : i64, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
  // CHECK: kiln.softmax %{{.*}} {axis = 0 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  %softmax = kiln.softmax %x {axis = 0 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: kiln.log_softmax %{{.*}} : tensor<2x3xf32> -> tensor<2x3xf32>
  %log_softmax = kiln.log_softmax %softmax : tensor<2x3xf32> -> tensor<2x3xf32>
  // CHECK: kiln.one_hot %{{.*}} {depth = 3 : i64} : tensor<2xf32> -> tensor<2x3xf32>
  %labels = kiln.sum %x {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2xf32>
  %one_hot = kiln.one_hot %labels {depth = 3 : i64} : tensor<2xf32> -> tensor<2x3xf32>
  // CHECK: kiln.pick %{{.*}}, %{{.*}} {axis = 1 : i64, keepdims = true} : tensor<2x3xf32>, tensor<2xf32> -> tensor<2x1xf32>
  %picked = kiln.pick %log_softmax, %labels {axis = 1 : i64, keepdims = true} : tensor<2x3xf32>, tensor<2xf32> -> tensor<2x1xf32>
  // CHECK: kiln.where %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x1xf32>, tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %where = kiln.where %argmax, %x, %c : tensor<2x1xf32>, tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  // CHECK: kiln.reshape %{{.*}} {shape = array<i64: 3, -1>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %25 = kiln.reshape %x {shape = array<i64: 3, -1>} : tensor<2x3xf32> -> tensor<3x2xf32>
  // CHECK: kiln.transpose %{{.*}} {perm = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
  %26 = kiln.transpose %25 {perm = array<i64: 1, 0>} : tensor<3x2xf32> -> tensor<2x3xf32>
  // CHECK: kiln.concat %{{.*}}, %{{.*}} {axis = 0 : i64} : tensor<2x3xf32>, tensor<1x3xf32> -> tensor<3x3xf32>
  %27 = kiln.concat %26, %23 {axis = 0 : i64} : tensor<2x3xf32>, tensor<1x3xf32> -> tensor<3x3xf32>
  // CHECK: kiln.slice_axis %{{.*}} {axis = 0 : i64, begin = 1 : i64, end = 3 : i64} : tensor<3x3xf32> -> tensor<2x3xf32>
  %28 = kiln.slice_axis %27 {axis = 0 : i64, begin = 1 : i64, end = 3 : i64} : tensor<3x3xf32> -> tensor<2x3xf32>
  // CHECK: kiln.broadcast_to %{{.*}} {shape = array<i64: 2, 3>} : tensor<1x3xf32> -> tensor<2x3xf32>
  %29 = kiln.broadcast_to %23 {shape = array<i64: 2, 3>} : tensor<1x3xf32> -> tensor<2x3xf32>
  // CHECK: kiln.sum_to %{{.*}} {shape = array<i64: 3>} : tensor<2x3xf32> -> tensor<3xf32>
  %30 = kiln.sum_to %29 {shape = array<i64: 3>} : tensor<2x3xf32> -> tensor<3xf32>
  %31 = kiln.add %28, %30 : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  return %31, %20 : tensor<2x3xf32>, tensor<2x4xf32>
}
