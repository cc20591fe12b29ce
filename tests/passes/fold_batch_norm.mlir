// kiln-fold-batch-norm: a predict-mode batch_norm after a conv2d of parameters becomes the conv2d
// of the scaled weight, s = gamma / sqrt(var + eps), and bias beta − mean·s (+ b·s). Training-mode
// normalisation, a convolution used twice and statistics that are inputs keep their form.
// RUN: kiln-opt %s --kiln-fold-batch-norm | FileCheck %s

// CHECK-LABEL: func @folds
// CHECK-SAME: (%[[X:[^:]*]]: tensor<1x3x8x8xf32>, %[[W:[^:]*]]: tensor<4x3x3x3xf32> {kiln.parameter}, %[[G:[^:]*]]: tensor<4xf32> {kiln.parameter}, %[[B:[^:]*]]: tensor<4xf32> {kiln.parameter}, %[[M:[^:]*]]: tensor<4xf32> {kiln.parameter}, %[[V:[^:]*]]: tensor<4xf32> {kiln.parameter})
// CHECK: %[[EPS:.*]] = kiln.constant dense<1.000000e-03> : tensor<f32>
// CHECK: %[[VE:.*]] = kiln.add %[[V]], %[[EPS]]
// CHECK: %[[D:.*]] = kiln.sqrt %[[VE]]
// CHECK: %[[S:.*]] = kiln.divide %[[G]], %[[D]]
// CHECK: %[[S4:.*]] = kiln.reshape %[[S]] {shape = array<i64: 4, 1, 1, 1>}
// CHECK: %[[WS:.*]] = kiln.multiply %[[W]], %[[S4]]
// CHECK: %[[MS:.*]] = kiln.multiply %[[M]], %[[S]]
// CHECK: %[[BIAS:.*]] = kiln.subtract %[[B]], %[[MS]]
// CHECK: %[[Y:.*]] = kiln.conv2d %[[X]], %[[WS]], %[[BIAS]]
// CHECK-NOT: kiln.batch_norm
// CHECK: return %[[Y]]
func.func @folds(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32> {kiln.parameter}, %g: tensor<4xf32> {kiln.parameter},
                 %b: tensor<4xf32> {kiln.parameter}, %m: tensor<4xf32> {kiln.parameter},
                 %v: tensor<4xf32> {kiln.parameter}) -> tensor<1x4x6x6xf32> {
  %c = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  %y = kiln.batch_norm %c, %g, %b, %m, %v {epsilon = 1.0e-03 : f32, batch_stats = false}
       : tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// The convolution's own bias is scaled and added.
// CHECK-LABEL: func @with_bias
// CHECK: kiln.subtract
// CHECK: %[[CB:.*]] = kiln.multiply %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
// CHECK: %[[BIAS:.*]] = kiln.add %{{.*}}, %[[CB]]
// CHECK: kiln.conv2d %{{.*}}, %{{.*}}, %[[BIAS]]
// CHECK-NOT: kiln.batch_norm
func.func @with_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32> {kiln.parameter}, %cb: tensor<4xf32> {kiln.parameter},
                     %g: tensor<4xf32> {kiln.parameter}, %b: tensor<4xf32> {kiln.parameter}, %m: tensor<4xf32> {kiln.parameter},
                     %v: tensor<4xf32> {kiln.parameter}) -> tensor<1x4x6x6xf32> {
  %c = kiln.conv2d %x, %w, %cb {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
  %y = kiln.batch_norm %c, %g, %b, %m, %v {epsilon = 1.0e-05 : f32, batch_stats = false}
       : tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
  return %y : tensor<1x4x6x6xf32>
}

// CHECK-LABEL: func @kept
// CHECK-COUNT-3: kiln.batch_norm
func.func @kept(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32> {kiln.parameter}, %g: tensor<4xf32> {kiln.parameter},
                %b: tensor<4xf32> {kiln.parameter}, %m: tensor<4xf32>, %v: tensor<4xf32> {kiln.parameter})
    -> (tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>) {
  %c = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  // training mode
  %t = kiln.batch_norm %c, %g, %b, %m, %v {epsilon = 1.0e-05 : f32, batch_stats = true}
       : tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
  %c2 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  // the mean is an input
  %i = kiln.batch_norm %c2, %g, %b, %m, %v {epsilon = 1.0e-05 : f32, batch_stats = false}
       : tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
  %c3 = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32> -> tensor<1x4x6x6xf32>
  // the convolution is used again
  %u = kiln.batch_norm %c3, %g, %b, %v, %v {epsilon = 1.0e-05 : f32, batch_stats = false}
       : tensor<1x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32> -> tensor<1x4x6x6xf32>
  return %t, %i, %u, %c3 : tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>, tensor<1x4x6x6xf32>
}
