// Constant folding by evaluation (ir/constant_eval.h): ops whose operands are all constants
// become one kiln.constant under canonicalization — a get_constant chain disappears from the
// graph. Values are what the eager kernels compute.
// RUN: kiln-opt %s -canonicalize | FileCheck %s

// (c * 2 + 1) with c = [[1, 2], [3, 4]], then relu of its negation: a chain of four ops.
// CHECK-LABEL: func @chain
// CHECK-NEXT: %[[C:.*]] = kiln.constant dense<{{\[\[}}-3.000000e+00, -5.000000e+00], [-7.000000e+00, -9.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: %[[Y:.*]] = kiln.add %arg0, %[[C]]
// CHECK-NEXT: return %[[Y]]
func.func @chain(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %c = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %two = kiln.constant dense<2.0> : tensor<f32>
  %one = kiln.constant dense<1.0> : tensor<f32>
  %0 = kiln.multiply %c, %two : tensor<2x2xf32>, tensor<f32> -> tensor<2x2xf32>
  %1 = kiln.add %0, %one : tensor<2x2xf32>, tensor<f32> -> tensor<2x2xf32>
  %2 = kiln.negative %1 : tensor<2x2xf32> -> tensor<2x2xf32>
  %3 = kiln.add %x, %2 : tensor<2x2xf32>, tensor<2x2xf32> -> tensor<2x2xf32>
  return %3 : tensor<2x2xf32>
}

// Products, transposes and reductions of constants fold too.
// CHECK-LABEL: func @products_and_reductions
// CHECK-DAG: kiln.constant dense<{{\[\[}}1.100000e+01, 1.700000e+01]]> : tensor<1x2xf32>
// CHECK-DAG: kiln.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: kiln.constant dense<5.000000e+00> : tensor<1xf32>
// CHECK-NOT: kiln.fully_connected
// CHECK-NOT: kiln.transpose
// CHECK-NOT: kiln.norm
func.func @products_and_reductions() -> (tensor<1x2xf32>, tensor<2x2xf32>, tensor<1xf32>) {
  %x = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %w = kiln.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = kiln.constant dense<[6.0, 6.0]> : tensor<2xf32>
  %v = kiln.constant dense<[3.0, 4.0]> : tensor<2xf32>
  %0 = kiln.fully_connected %x, %w, %b : tensor<1x2xf32>, tensor<2x2xf32>, tensor<2xf32> -> tensor<1x2xf32>
  %1 = kiln.transpose %w {perm = array<i64: 1, 0>} : tensor<2x2xf32> -> tensor<2x2xf32>
  %2 = kiln.norm %v : tensor<2xf32> -> tensor<1xf32>
  return %0, %1, %2 : tensor<1x2xf32>, tensor<2x2xf32>, tensor<1xf32>
}

// An operand that is not constant stops folding.
// CHECK-LABEL: func @not_constant
// CHECK: kiln.multiply %arg0
func.func @not_constant(%x: tensor<2xf32>) -> tensor<2xf32> {
  %two = kiln.constant dense<2.0> : tensor<f32>
  %0 = kiln.multiply %x, %two : tensor<2xf32>, tensor<f32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// A relu after a fully_connected folds with it to the clamped product: [[1, 2]]·[[1, 2], [-3, -4]]ᵀ = [[5, -11]].
// CHECK-LABEL: func @dense_relu
// CHECK-NEXT: kiln.constant dense<{{\[\[}}5.000000e+00, 0.000000e+00]]> : tensor<1x2xf32>
func.func @dense_relu() -> tensor<1x2xf32> {
  %x = kiln.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %w = kiln.constant dense<[[1.0, 2.0], [-3.0, -4.0]]> : tensor<2x2xf32>
  %0 = kiln.fully_connected %x, %w : tensor<1x2xf32>, tensor<2x2xf32> -> tensor<1x2xf32>
  %1 = kiln.relu %0 : tensor<1x2xf32> -> tensor<1x2xf32>
  return %1 : tensor<1x2xf32>
}

// maximum is IEEE 754-2019 maximum when folded too: NaN propagates, +0 is above -0.
// CHECK-LABEL: func @maximum_of_special_values
// CHECK-NEXT: kiln.constant dense<[0x7FC00000, 0.000000e+00, 2.000000e+00]> : tensor<3xf32>
func.func @maximum_of_special_values() -> tensor<3xf32> {
  %a = kiln.constant dense<[0x7FC00000, -0.0, 2.0]> : tensor<3xf32>
  %b = kiln.constant dense<[1.0, 0.0, -1.0]> : tensor<3xf32>
  %0 = kiln.maximum %a, %b : tensor<3xf32>, tensor<3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// argmax and where of constants fold with the eager kernels' values.
// CHECK-LABEL: func @argmax_and_where
// CHECK-DAG: kiln.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<[5.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: kiln.argmax
// CHECK-NOT: kiln.where
func.func @argmax_and_where() -> (tensor<2xf32>, tensor<2xf32>) {
  %m = kiln.constant dense<[[1.0, 3.0, 3.0], [4.0, -1.0, 4.0]]> : tensor<2x3xf32>
  %0 = kiln.argmax %m {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2xf32>
  %c = kiln.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %x = kiln.constant dense<[0x7F800000, 2.0]> : tensor<2xf32>
  %y = kiln.constant dense<5.0> : tensor<f32>
  %1 = kiln.where %c, %x, %y : tensor<2xf32>, tensor<2xf32>, tensor<f32> -> tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// softmax, pick and one_hot of constants fold too.
// CHECK-LABEL: func @softmax_pick_one_hot
// CHECK-DAG: kiln.constant dense<5.000000e-01> : tensor<1x2xf32>
// CHECK-DAG: kiln.constant dense<[3.000000e+00, 4.000000e+00]> : tensor<2xf32>
// CHECK-DAG: kiln.constant dense<{{\[\[}}0.000000e+00, 1.000000e+00], [1.000000e+00, 0.000000e+00]]> : tensor<2x2xf32>
// CHECK-NOT: kiln.softmax
// CHECK-NOT: kiln.pick
// CHECK-NOT: kiln.one_hot
func.func @softmax_pick_one_hot() -> (tensor<1x2xf32>, tensor<2xf32>, tensor<2x2xf32>) {
  %x = kiln.constant dense<[[7.0, 7.0]]> : tensor<1x2xf32>
  %0 = kiln.softmax %x : tensor<1x2xf32> -> tensor<1x2xf32>
  %m = kiln.constant dense<[[1.0, 3.0], [4.0, 2.0]]> : tensor<2x2xf32>
  %label = kiln.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %1 = kiln.pick %m, %label {axis = 1 : i64} : tensor<2x2xf32>, tensor<2xf32> -> tensor<2xf32>
  %2 = kiln.one_hot %label {depth = 2 : i64} : tensor<2xf32> -> tensor<2x2xf32>
  return %0, %1, %2 : tensor<1x2xf32>, tensor<2xf32>, tensor<2x2xf32>
}
