// kiln-keep-blocked-layout: packed convolutions pass activations blocked (here by 16) through
// relu and a residual add to the next convolution and to pools; a reorder to NCHW stays only
// where a value leaves the chain (here the output, after the pool). The image convolution (3 channels) reads NCHW data
// and gives a blocked result; a 6-channel convolution runs in nhwc and keeps NCHW; an add with a
// broadcast operand is not per position, so its operand is reordered first.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-pack-conv-weights,func.func(kiln-keep-blocked-layout{block=16}))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(kiln-pack-conv-weights,func.func(kiln-keep-blocked-layout{block=8}))' | FileCheck %s --check-prefix=AVX2

// CHECK-LABEL: func @chain
// CHECK: %[[C1:.*]] = kiln.conv2d_packed %arg0, {{.*}} {dilation = {{.*}}, result_layout = 16 : i64, {{.*}} -> tensor<1x16x8x8xf32>
// CHECK-NEXT: %[[R1:.*]] = kiln.relu %[[C1]]
// CHECK: %[[C2:.*]] = kiln.conv2d_packed %[[R1]], {{.*}}data_layout = 16 : i64{{.*}}result_layout = 16 : i64
// CHECK-NEXT: %[[R2:.*]] = kiln.relu %[[C2]]
// CHECK-NEXT: %[[SUM:.*]] = kiln.add %[[R2]], %[[R1]]
// CHECK-NEXT: %[[POOL:.*]] = kiln.max_pool2d %[[SUM]] {kernel = {{.*}}, layout = 16 : i64, {{.*}} -> tensor<1x16x4x4xf32>
// CHECK-NEXT: %[[PLAIN:.*]] = kiln.reorder_activations %[[POOL]] {from = 16 : i64, to = 0 : i64} : tensor<1x16x4x4xf32>
// CHECK-NOT: kiln.reorder_activations
// CHECK: return %[[PLAIN]]
// AVX2-LABEL: func @chain
// AVX2: kiln.conv2d_packed %arg0, {{.*}}result_layout = 8 : i64
// AVX2: data_layout = 8 : i64{{.*}}result_layout = 8 : i64
// AVX2: kiln.max_pool2d {{.*}}layout = 8 : i64
// AVX2-COUNT-1: kiln.reorder_activations %{{.*}} {from = 8 : i64, to = 0 : i64}
func.func @chain(%x: tensor<1x3x8x8xf32>, %w1: tensor<16x3x3x3xf32> {kiln.parameter},
                 %w2: tensor<16x16x3x3xf32> {kiln.parameter}) -> tensor<1x16x4x4xf32> {
  %c1 = kiln.conv2d %x, %w1 {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
          groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x8x8xf32>
  %r1 = kiln.relu %c1 : tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  %c2 = kiln.conv2d %r1, %w2 {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
          groups = 1 : i64} : tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32> -> tensor<1x16x8x8xf32>
  %r2 = kiln.relu %c2 : tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  %s = kiln.add %r2, %r1 : tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32> -> tensor<1x16x8x8xf32>
  %p = kiln.max_pool2d %s {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>}
         : tensor<1x16x8x8xf32> -> tensor<1x16x4x4xf32>
  return %p : tensor<1x16x4x4xf32>
}

// CHECK-LABEL: func @unblocked
// CHECK: %[[C:.*]] = kiln.conv2d_packed %arg0, {{.*}}result_layout = 16 : i64
// CHECK-NEXT: %[[PLAIN:.*]] = kiln.reorder_activations %[[C]] {from = 16 : i64, to = 0 : i64}
// CHECK-NEXT: kiln.add %[[PLAIN]], %arg3
// CHECK: kiln.conv2d_packed %{{.*}} {dilation = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1>, strides = array<i64: 1, 1>} : {{.*}} -> tensor<1x6x8x8xf32>
// CHECK-NEXT: return
func.func @unblocked(%x: tensor<1x3x8x8xf32>, %w1: tensor<16x3x3x3xf32> {kiln.parameter},
                     %w6: tensor<6x16x3x3xf32> {kiln.parameter}, %bias: tensor<16x1x1xf32>) -> tensor<1x6x8x8xf32> {
  %c1 = kiln.conv2d %x, %w1 {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
          groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x8x8xf32>
  %a = kiln.add %c1, %bias : tensor<1x16x8x8xf32>, tensor<16x1x1xf32> -> tensor<1x16x8x8xf32>
  %c6 = kiln.conv2d %a, %w6 {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
          groups = 1 : i64} : tensor<1x16x8x8xf32>, tensor<6x16x3x3xf32> -> tensor<1x6x8x8xf32>
  return %c6 : tensor<1x6x8x8xf32>
}

// An average pool pools blocked data too, and a relu after it runs on the blocked result; the
// value is reordered where the reshape for a Dense layer reads it. A pool of NCHW data (here the
// function's argument) keeps NCHW.
// CHECK-LABEL: func @pools
// CHECK: %[[C:.*]] = kiln.conv2d_packed %arg0, {{.*}}result_layout = 16 : i64
// CHECK-NEXT: %[[AVG:.*]] = kiln.avg_pool2d %[[C]] {count_include_pad = false, kernel = {{.*}}, layout = 16 : i64
// CHECK-NEXT: %[[R:.*]] = kiln.relu %[[AVG]] : tensor<1x16x4x4xf32>
// CHECK-NEXT: %[[PLAIN:.*]] = kiln.reorder_activations %[[R]] {from = 16 : i64, to = 0 : i64}
// CHECK-NEXT: kiln.reshape %[[PLAIN]]
// CHECK: kiln.max_pool2d %arg0 {kernel = array<i64: 2, 2>, padding = array<i64: 0, 0>, strides = array<i64: 2, 2>}
func.func @pools(%x: tensor<1x3x8x8xf32>, %w1: tensor<16x3x3x3xf32> {kiln.parameter}) -> (tensor<1x256xf32>, tensor<1x3x4x4xf32>) {
  %c1 = kiln.conv2d %x, %w1 {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
          groups = 1 : i64} : tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32> -> tensor<1x16x8x8xf32>
  %a = kiln.avg_pool2d %c1 {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1>,
         count_include_pad = false} : tensor<1x16x8x8xf32> -> tensor<1x16x4x4xf32>
  %r = kiln.relu %a : tensor<1x16x4x4xf32> -> tensor<1x16x4x4xf32>
  %f = kiln.reshape %r {shape = array<i64: 1, 256>} : tensor<1x16x4x4xf32> -> tensor<1x256xf32>
  %p = kiln.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0>}
         : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %f, %p : tensor<1x256xf32>, tensor<1x3x4x4xf32>
}

// A Dense layer on flattened blocked activations reads them as they are: its parameter weight is
// put into the blocked order (units×c×h×w, reordered like activations, flattened again), which
// kiln-hoist-parameter-computations then does once per parameter version. A weight that is an
// input keeps the reorder of the activations.
// CHECK-LABEL: func @dense
// CHECK: %[[C:.*]] = kiln.conv2d_packed %arg0, {{.*}}result_layout = 16 : i64
// CHECK-NEXT: %[[PLAIN:.*]] = kiln.reorder_activations %[[C]] {from = 16 : i64, to = 0 : i64}
// CHECK-NEXT: %[[XI:.*]] = kiln.reshape %[[PLAIN]]
// CHECK-NEXT: %[[W4:.*]] = kiln.reshape %arg2 {shape = array<i64: 10, 16, 8, 8>}
// CHECK-NEXT: %[[WB:.*]] = kiln.reorder_activations %[[W4]] {from = 0 : i64, to = 16 : i64} : tensor<10x16x8x8xf32>
// CHECK-NEXT: %[[W:.*]] = kiln.reshape %[[WB]] {shape = array<i64: 10, 1024>}
// CHECK-NEXT: %[[X:.*]] = kiln.reshape %[[C]] {shape = array<i64: 2, -1>}
// CHECK-NEXT: kiln.fully_connected %[[X]], %[[W]], %arg3
// CHECK-NEXT: kiln.fully_connected %[[XI]], %arg4
func.func @dense(%x: tensor<2x3x8x8xf32>, %w1: tensor<16x3x3x3xf32> {kiln.parameter}, %wd: tensor<10x1024xf32> {kiln.parameter},
                 %bd: tensor<10xf32> {kiln.parameter}, %wi: tensor<5x1024xf32>) -> (tensor<2x10xf32>, tensor<2x5xf32>) {
  %c1 = kiln.conv2d %x, %w1 {strides = array<i64: 1, 1>, padding = array<i64: 1, 1>, dilation = array<i64: 1, 1>,
          groups = 1 : i64} : tensor<2x3x8x8xf32>, tensor<16x3x3x3xf32> -> tensor<2x16x8x8xf32>
  %f = kiln.reshape %c1 {shape = array<i64: 2, -1>} : tensor<2x16x8x8xf32> -> tensor<2x1024xf32>
  %y = kiln.fully_connected %f, %wd, %bd : tensor<2x1024xf32>, tensor<10x1024xf32>, tensor<10xf32> -> tensor<2x10xf32>
  %z = kiln.fully_connected %f, %wi : tensor<2x1024xf32>, tensor<5x1024xf32> -> tensor<2x5xf32>
  return %y, %z : tensor<2x10xf32>, tensor<2x5xf32>
}
