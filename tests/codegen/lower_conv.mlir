// Convolutions and pools lower to calls into the runtime's oneDNN C ABI (runtime/c_abi.h) on
// 4-D memrefs, the window passed as i64 scalars.
// RUN: kiln-opt %s --lower-kiln-to-linalg | FileCheck %s

// CHECK-LABEL: func @lenet_layer
// strides 1 1, padding 2 2, dilation 1 1, groups 1:
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: call @kiln_rt_conv2d({{.*}}) : (memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64, i64) -> ()
// kernel 2 2, strides 2 2, padding 0 0:
// CHECK: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 0 : i64
// CHECK-NEXT: arith.constant 0 : i64
// CHECK-NEXT: call @kiln_rt_max_pool2d({{.*}}) : (memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64) -> ()
// CHECK: call @kiln_rt_max_pool2d_backward
// CHECK: call @kiln_rt_conv2d_backward_data
// CHECK: call @kiln_rt_conv2d_backward_weights
// CHECK: call @kiln_rt_avg_pool2d({{.*}}) : (memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64, i64) -> ()
// CHECK: call @kiln_rt_avg_pool2d_backward
// CHECK-NOT: kiln.
func.func @lenet_layer(%x: tensor<2x1x28x28xf32>, %w: tensor<6x1x5x5xf32>, %b: tensor<6xf32>)
    -> (tensor<2x6x14x14xf32>, tensor<2x1x28x28xf32>, tensor<6x1x5x5xf32>, tensor<2x6x28x28xf32>) {
  %y = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 2, 2>, dilation = array<i64: 1, 1>, groups = 1 : i64}
       : tensor<2x1x28x28xf32>, tensor<6x1x5x5xf32>, tensor<6xf32> -> tensor<2x6x28x28xf32>
  %p = kiln.max_pool2d %y {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>}
       : tensor<2x6x28x28xf32> -> tensor<2x6x14x14xf32>
  %dy = kiln.max_pool2d_grad %p, %y {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>}
       : tensor<2x6x14x14xf32>, tensor<2x6x28x28xf32> -> tensor<2x6x28x28xf32>
  %dx = kiln.conv2d_backward_data %dy, %w {shape = array<i64: 2, 1, 28, 28>, strides = array<i64: 1, 1>, padding = array<i64: 2, 2>,
        dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<2x6x28x28xf32>, tensor<6x1x5x5xf32> -> tensor<2x1x28x28xf32>
  %dw = kiln.conv2d_backward_weights %dy, %x {shape = array<i64: 6, 1, 5, 5>, strides = array<i64: 1, 1>, padding = array<i64: 2, 2>,
        dilation = array<i64: 1, 1>, groups = 1 : i64} : tensor<2x6x28x28xf32>, tensor<2x1x28x28xf32> -> tensor<6x1x5x5xf32>
  %a = kiln.avg_pool2d %y {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>, count_include_pad = true}
       : tensor<2x6x28x28xf32> -> tensor<2x6x14x14xf32>
  %da = kiln.avg_pool2d_grad %a {shape = array<i64: 2, 6, 28, 28>, kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
        padding = array<i64: 0, 0>, count_include_pad = true} : tensor<2x6x14x14xf32> -> tensor<2x6x28x28xf32>
  return %a, %dx, %dw, %da : tensor<2x6x14x14xf32>, tensor<2x1x28x28xf32>, tensor<6x1x5x5xf32>, tensor<2x6x28x28xf32>
}

// Pools of blocked activations (kiln-keep-blocked-layout) call one entry that takes the pool's
// kind (kernels::PoolKind: 0 max, 1 average counting padding, 2 not) and the layout last.
// CHECK-LABEL: func @blocked_pools
// kernel 2 2, strides 2 2, padding 0 0, max, blocked by 8:
// CHECK: arith.constant 2 : i64
// CHECK-COUNT-3: arith.constant 2 : i64
// CHECK-COUNT-3: arith.constant 0 : i64
// CHECK-NEXT: arith.constant 8 : i64
// CHECK-NEXT: call @kiln_rt_pool2d_in_layout({{.*}}) : (memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
// kernel 3 3, strides 2 2, padding 1 1, average without the padding, blocked by 16:
// CHECK: arith.constant 3 : i64
// CHECK-NEXT: arith.constant 3 : i64
// CHECK-NEXT: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 2 : i64
// CHECK-NEXT: arith.constant 16 : i64
// CHECK-NEXT: call @kiln_rt_pool2d_in_layout
func.func @blocked_pools(%x: tensor<2x16x8x8xf32>) -> (tensor<2x16x4x4xf32>, tensor<2x16x4x4xf32>) {
  %m = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>, layout = 8 : i64}
       : tensor<2x16x8x8xf32> -> tensor<2x16x4x4xf32>
  %a = kiln.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1>,
       count_include_pad = false, layout = 16 : i64} : tensor<2x16x8x8xf32> -> tensor<2x16x4x4xf32>
  return %m, %a : tensor<2x16x4x4xf32>, tensor<2x16x4x4xf32>
}

// A packed convolution with an activation calls the entry that takes it last (1: relu).
// CHECK-LABEL: func @activated
// CHECK: arith.constant 16 : i64
// CHECK-NEXT: arith.constant 8 : i64
// CHECK-NEXT: arith.constant 1 : i64
// CHECK-NEXT: call @kiln_rt_conv2d_packed_activated_no_bias({{.*}}) : (memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?xf32>, memref<?x?x?x?xf32>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
func.func @activated(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>, %p: tensor<2320xf32>) -> tensor<1x16x8x8xf32> {
  %y = kiln.conv2d_packed %x, %w, %p {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
         groups = 1 : i64, data_layout = 16 : i64, result_layout = 8 : i64, activation = "relu"}
       : tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>, tensor<2320xf32> -> tensor<1x16x8x8xf32>
  return %y : tensor<1x16x8x8xf32>
}
