// Batch normalisation lowers to calls into the runtime's C ABI with the data as n×c×s×1 (an n×c
// input reshaped), epsilon as an f32 scalar, every operand passed read-only; random draws fill a flat buffer from the runtime's
// generator and are never folded or merged.
// RUN: kiln-opt %s --lower-kiln-to-linalg | FileCheck %s
// RUN: kiln-opt %s --canonicalize --cse | FileCheck %s --check-prefix=KEPT

// CHECK-LABEL: func @train
// CHECK: tensor.reshape %{{.*}} : (tensor<8x16xf32>, tensor<4xi64>) -> tensor<8x16x1x1xf32>
// Operands cross read-only, so bufferization passes their own buffers, never copies:
// CHECK: bufferization.to_memref %{{.*}} read_only : memref<8x16x1x1xf32>
// CHECK: call @kiln_rt_batch_norm_stats({{.*}}) : (memref<?x?x?x?xf32>, memref<?x?xf32>) -> ()
// CHECK: arith.constant 1.000000e-03 : f32
// CHECK-NEXT: call @kiln_rt_batch_norm({{.*}}) : (memref<?x?x?x?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?x?x?x?xf32>, f32) -> ()
// CHECK: arith.constant 1 : i64
// CHECK-NEXT: arith.constant 1.000000e-03 : f32
// CHECK-NEXT: call @kiln_rt_batch_norm_backward({{.*}}) : (memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?x?x?x?xf32>, i64, f32) -> ()
// CHECK: tensor.reshape %{{.*}} : (tensor<8x16x1x1xf32>, tensor<2xi64>) -> tensor<8x16xf32>
// CHECK: call @kiln_rt_batch_norm_scale_shift_grad({{.*}}) : (memref<?x?x?x?xf32>, memref<?x?x?x?xf32>, memref<?xf32>, memref<?xf32>, memref<?x?xf32>, f32) -> ()
// CHECK-NOT: kiln.
func.func @train(%x: tensor<8x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>, %m: tensor<16xf32>, %v: tensor<16xf32>,
                 %dy: tensor<8x16xf32>) -> (tensor<2x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<2x16xf32>) {
  %s = kiln.batch_norm_stats %x : tensor<8x16xf32> -> tensor<2x16xf32>
  %y = kiln.batch_norm %x, %g, %b, %m, %v {epsilon = 1.0e-03 : f32, batch_stats = true}
       : tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<8x16xf32>
  %dx = kiln.batch_norm_backward %dy, %x, %g, %m, %v {epsilon = 1.0e-03 : f32, batch_stats = true}
       : tensor<8x16xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<8x16xf32>
  %gb = kiln.batch_norm_scale_shift_grad %dy, %x, %m, %v {epsilon = 1.0e-03 : f32}
       : tensor<8x16xf32>, tensor<8x16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<2x16xf32>
  return %s, %y, %dx, %gb : tensor<2x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>, tensor<2x16xf32>
}

// CHECK-LABEL: func @draws
// CHECK: arith.constant -1.000000e+00 : f32
// CHECK-NEXT: arith.constant 2.000000e+00 : f32
// CHECK-NEXT: call @kiln_rt_random_uniform({{.*}}) : (memref<?xf32>, f32, f32) -> ()
// CHECK: tensor.reshape %{{.*}} : (tensor<12xf32>, tensor<2xi64>) -> tensor<3x4xf32>
// CHECK: call @kiln_rt_random_normal({{.*}}) : (memref<?xf32>, f32, f32) -> ()
// Two identical draws stay two draws, and an unused one stays:
// KEPT-LABEL: func @draws
// KEPT-COUNT-2: kiln.random_uniform
// KEPT: kiln.random_normal
func.func @draws() -> (tensor<3x4xf32>, tensor<3x4xf32>) {
  %a = kiln.random_uniform {shape = array<i64: 3, 4>, low = -1.0 : f32, high = 2.0 : f32} : tensor<3x4xf32>
  %b = kiln.random_uniform {shape = array<i64: 3, 4>, low = -1.0 : f32, high = 2.0 : f32} : tensor<3x4xf32>
  %unused = kiln.random_normal {shape = array<i64: 5>, mean = 0.0 : f32, stddev = 1.0 : f32} : tensor<5xf32>
  return %a, %b : tensor<3x4xf32>, tensor<3x4xf32>
}
