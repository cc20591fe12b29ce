// kiln-pack-conv-weights: a conv2d whose weight is a parameter reads it packed (16 header values,
// then the output and input channels blocked by 16: 16·16·16·3·3 = 2304); with
// kiln-hoist-parameter-computations the packing moves into @<name>_prepare. A weight that is an
// input keeps the plain conv2d.
// RUN: kiln-opt %s --kiln-pack-conv-weights | FileCheck %s
// RUN: kiln-opt %s --kiln-pack-conv-weights --kiln-hoist-parameter-computations | FileCheck %s --check-prefix=HOIST

// CHECK-LABEL: func @parameter_weight
// CHECK-SAME: (%[[X:.*]]: tensor<1x3x8x8xf32>, %[[W:.*]]: tensor<16x3x3x3xf32> {kiln.parameter}, %[[B:.*]]: tensor<16xf32> {kiln.parameter})
// CHECK: %[[P:.*]] = kiln.conv2d_pack_weights %[[W]] {data_shape = array<i64: 1, 3, 8, 8>, dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, strides = array<i64: 1, 1>} : tensor<16x3x3x3xf32> -> tensor<2320xf32>
// CHECK: kiln.conv2d_packed %[[X]], %[[W]], %[[P]], %[[B]] {{.*}} -> tensor<1x16x8x8xf32>
// CHECK-NOT: kiln.conv2d %
// HOIST-LABEL: func @parameter_weight
// HOIST-SAME: %{{.*}}: tensor<2320xf32> {kiln.prepared}
// HOIST-NOT: kiln.conv2d_pack_weights
// HOIST: kiln.conv2d_packed
// HOIST-LABEL: func @parameter_weight_prepare
// HOIST: kiln.conv2d_pack_weights
func.func @parameter_weight(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32> {kiln.parameter},
                            %b: tensor<16xf32> {kiln.parameter}) -> tensor<1x16x8x8xf32> {
  %y = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<16xf32> -> tensor<1x16x8x8xf32>
  return %y : tensor<1x16x8x8xf32>
}

// CHECK-LABEL: func @input_weight
// CHECK: kiln.conv2d %
// CHECK-NOT: kiln.conv2d_pack_weights
func.func @input_weight(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>) -> tensor<1x16x6x6xf32> {
  %y = kiln.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>, dilation = array<i64: 1, 1>,
         groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x6x6xf32>
  return %y : tensor<1x16x6x6xf32>
}
