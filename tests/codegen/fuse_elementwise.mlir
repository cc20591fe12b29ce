// kiln's "linalg" stage (codegen/pipeline.cpp) fuses with upstream linalg-fuse-elementwise-ops:
// a chain of elementwise and broadcast ops becomes one loop nest, and a reduction absorbs the
// elementwise ops that feed it, so no intermediate tensor is materialised.
// RUN: kiln-opt %s --lower-kiln-to-linalg --linalg-fuse-elementwise-ops --canonicalize --cse | FileCheck %s

// add (with a broadcast bias) -> relu -> scale -> tanh: one generic, one pass over the data.
// CHECK-LABEL: func @chain
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-SAME: ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3xf32>)
// CHECK: arith.addf
// CHECK: arith.maximumf
// CHECK: arith.mulf
// CHECK: math.tanh
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @chain(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %two = kiln.constant dense<2.0> : tensor<f32>
  %0 = kiln.add %x, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %1 = kiln.relu %0 : tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = kiln.multiply %1, %two : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  %3 = kiln.tanh %2 : tensor<2x3xf32> -> tensor<2x3xf32>
  return %3 : tensor<2x3xf32>
}

// sum(relu(x) * x): the producers run inside the reduction's loop.
// CHECK-LABEL: func @sum_of_chain
// CHECK: linalg.fill
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "reduction"]
// CHECK-SAME: ins(%arg0 : tensor<2x3xf32>)
// CHECK: arith.maximumf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @sum_of_chain(%x: tensor<2x3xf32>) -> tensor<1xf32> {
  %a = kiln.relu %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %b = kiln.multiply %a, %x : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %s = kiln.sum %b : tensor<2x3xf32> -> tensor<1xf32>
  return %s : tensor<1xf32>
}

// norm(x - y): the difference and its square fuse into the reduction; only the square root of
// the one-element result is left after it.
// CHECK-LABEL: func @norm_of_difference
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction", "reduction"]
// CHECK-SAME: ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: arith.subf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK: math.sqrt
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @norm_of_difference(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<1xf32> {
  %d = kiln.subtract %x, %y : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %n = kiln.norm %d : tensor<2x3xf32> -> tensor<1xf32>
  return %n : tensor<1xf32>
}
