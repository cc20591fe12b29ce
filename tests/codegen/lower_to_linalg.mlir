// The kiln -> linalg lowering: broadcasting in indexing maps, contractions as linalg.generic
// with a reduction, large products as calls into the runtime's oneDNN C ABI.
// RUN: kiln-opt %s --lower-kiln-to-linalg | FileCheck %s
// KILN_ONEDNN_MULTIPLY_ADDS moves the switch; "1e18" (floating-point form) keeps every product generated:
// RUN: env KILN_ONEDNN_MULTIPLY_ADDS=1e18 kiln-opt %s --lower-kiln-to-linalg | FileCheck %s --check-prefix=GENERATED
// GENERATED-LABEL: func @large_dense
// GENERATED: linalg.matmul_transpose_b ins(%{{.*}}, %{{.*}} : tensor<256x784xf32>, tensor<1024x784xf32>)
// GENERATED-NOT: call @kiln_rt_fully_connected

// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0, d1) -> ()>

// CHECK-LABEL: func @broadcast_add
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK: arith.addf
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[SCALAR]], #[[ID]]]
// CHECK: arith.cmpf ogt
// CHECK-NOT: kiln.
func.func @broadcast_add(%x: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %c = kiln.constant dense<0.5> : tensor<f32>
  %0 = kiln.add %x, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
  %1 = kiln.greater %0, %c : tensor<2x3xf32>, tensor<f32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// Bias broadcast into the accumulator, then a named matmul that kiln-vectorize-matmul knows.
// CHECK-LABEL: func @small_dense
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK: linalg.matmul_transpose_b ins(%{{.*}}, %{{.*}} : tensor<2x20xf32>, tensor<10x20xf32>) outs(%[[BIAS]] : tensor<2x10xf32>)
// CHECK-NOT: call
func.func @small_dense(%x: tensor<2x20xf32>, %w: tensor<10x20xf32>, %b: tensor<10xf32>) -> tensor<2x10xf32> {
  %0 = kiln.fully_connected %x, %w, %b : tensor<2x20xf32>, tensor<10x20xf32>, tensor<10xf32> -> tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// CHECK-LABEL: func @large_dense
// CHECK: bufferization.to_memref
// CHECK: memref.alloc() : memref<256x1024xf32>
// CHECK: call @kiln_rt_fully_connected({{.*}}) : (memref<?x?xf32>, memref<?x?xf32>, memref<?xf32>, memref<?x?xf32>) -> ()
// CHECK: bufferization.to_tensor {{.*}} restrict writable
func.func @large_dense(%x: tensor<256x784xf32>, %w: tensor<1024x784xf32>, %b: tensor<1024xf32>) -> tensor<256x1024xf32> {
  %0 = kiln.fully_connected %x, %w, %b : tensor<256x784xf32>, tensor<1024x784xf32>, tensor<1024xf32> -> tensor<256x1024xf32>
  return %0 : tensor<256x1024xf32>
}

// A narrow product (fewer than 16 units) switches to oneDNN 16× later (passes/matmul_strategy.h):
// conv_block's 8×16384×10 Dense (1.3 M multiply-adds) stays generated; with 16 units it goes to
// oneDNN.
// CHECK-LABEL: func @narrow_dense
// CHECK: linalg.matmul_transpose_b ins(%{{.*}}, %{{.*}} : tensor<8x16384xf32>, tensor<10x16384xf32>)
// CHECK: call @kiln_rt_fully_connected
func.func @narrow_dense(%x: tensor<8x16384xf32>, %w: tensor<10x16384xf32>, %w16: tensor<16x16384xf32>)
    -> (tensor<8x10xf32>, tensor<8x16xf32>) {
  %0 = kiln.fully_connected %x, %w : tensor<8x16384xf32>, tensor<10x16384xf32> -> tensor<8x10xf32>
  %1 = kiln.fully_connected %x, %w16 : tensor<8x16384xf32>, tensor<16x16384xf32> -> tensor<8x16xf32>
  return %0, %1 : tensor<8x10xf32>, tensor<8x16xf32>
}

// CHECK-LABEL: func @dots
// CHECK: linalg.matmul ins
// CHECK: linalg.matmul_transpose_b ins
// CHECK: %[[AT:.*]] = linalg.transpose ins(%{{.*}} : tensor<3x2xf32>) outs(%{{.*}} : tensor<2x3xf32>) permutation = [1, 0]
// CHECK: linalg.matmul ins(%[[AT]], %{{.*}} : tensor<2x3xf32>, tensor<3x4xf32>)
func.func @dots(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %bt: tensor<4x3xf32>, %at: tensor<3x2xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  %0 = kiln.dot %a, %b : tensor<2x3xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  %1 = kiln.dot %a, %bt {transpose_b = true} : tensor<2x3xf32>, tensor<4x3xf32> -> tensor<2x4xf32>
  %2 = kiln.dot %at, %b {transpose_a = true} : tensor<3x2xf32>, tensor<3x4xf32> -> tensor<2x4xf32>
  return %0, %1, %2 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func @reductions
// CHECK: linalg.fill
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: tensor.reshape
// CHECK: math.sqrt
func.func @reductions(%x: tensor<2x3xf32>) -> (tensor<2x1xf32>, tensor<1xf32>) {
  %0 = kiln.sum %x {axis = 1 : i64, keepdims = true} : tensor<2x3xf32> -> tensor<2x1xf32>
  %1 = kiln.norm %x : tensor<2x3xf32> -> tensor<1xf32>
  return %0, %1 : tensor<2x1xf32>, tensor<1xf32>
}

// 2-D transposes call the runtime; higher ranks are linalg.transpose.
// CHECK-LABEL: func @layout
// CHECK: call @kiln_rt_transpose_2d({{.*}}) : (memref<?x?xf32>, memref<?x?xf32>) -> ()
// CHECK: linalg.transpose ins(%{{.*}} : tensor<2x3x4xf32>) outs(%{{.*}} : tensor<4x2x3xf32>) permutation = [2, 0, 1]
// CHECK: tensor.insert_slice
// CHECK: tensor.extract_slice
func.func @layout(%x: tensor<2x3xf32>, %y: tensor<2x3x4xf32>) -> (tensor<1x2xf32>, tensor<4x2x3xf32>) {
  %0 = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %t = kiln.transpose %y {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %1 = kiln.concat %0, %0 {axis = 0 : i64} : tensor<3x2xf32>, tensor<3x2xf32> -> tensor<6x2xf32>
  %2 = kiln.slice_axis %1 {axis = 0 : i64, begin = 2 : i64, end = 3 : i64} : tensor<6x2xf32> -> tensor<1x2xf32>
  return %2, %t : tensor<1x2xf32>, tensor<4x2x3xf32>
}

// A guard's predicate reads both one-element tensors and compares them as C++ does.
// CHECK-LABEL: func @guard_predicate
// CHECK-DAG: %[[A:.*]] = tensor.extract %arg0[%{{.*}}] : tensor<1xf32>
// CHECK-DAG: %[[B:.*]] = tensor.extract %arg1[%{{.*}}, %{{.*}}] : tensor<1x1xf32>
// CHECK: arith.cmpf ogt, %[[A]], %[[B]] : f32
// CHECK: arith.cmpf une
func.func @guard_predicate(%a: tensor<1xf32>, %b: tensor<1x1xf32>) -> (i1, i1) {
  %0 = kiln.compare_scalar "gt" %a, %b : tensor<1xf32>, tensor<1x1xf32>
  %1 = kiln.compare_scalar "ne" %a, %b : tensor<1xf32>, tensor<1x1xf32>
  return %0, %1 : i1, i1
}

// nd::foreach's rows: a rank-reducing slice at the loop index, and its insertion.
// CHECK-LABEL: func @rows
// CHECK: %[[R:.*]] = tensor.extract_slice %arg0[%arg2, 0, 0] [1, 2, 3] [1, 1, 1] : tensor<5x2x3xf32> to tensor<2x3xf32>
// CHECK: tensor.insert_slice %[[R]] into %arg1[%arg2, 0, 0] [1, 2, 3] [1, 1, 1] : tensor<2x3xf32> into tensor<5x2x3xf32>
func.func @rows(%data: tensor<5x2x3xf32>, %acc: tensor<5x2x3xf32>, %i: index) -> tensor<5x2x3xf32> {
  %r = kiln.row %data[%i] : tensor<5x2x3xf32> -> tensor<2x3xf32>
  %y = kiln.set_row %acc[%i], %r : tensor<5x2x3xf32>, tensor<2x3xf32>
  return %y : tensor<5x2x3xf32>
}

// relu, maximum and the max reduction are arith.maximumf: IEEE 754-2019 maximum, as the eager
// kernels (NaN propagates, +0 above -0).
// CHECK-LABEL: func @maxima
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK: arith.maximumf
// CHECK-NOT: arith.select
func.func @maxima(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = kiln.relu %x : tensor<2x3xf32> -> tensor<2x3xf32>
  %1 = kiln.maximum %0, %y : tensor<2x3xf32>, tensor<2x3xf32> -> tensor<2x3xf32>
  %2 = kiln.max %1 {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2xf32>
  return %2 : tensor<2xf32>
}

// A splat of -0.0 is filled, not an arith.constant: MLIR 19's LLVM translation would write that
// splat as zeroinitializer (+0.0).
// CHECK-LABEL: func @negative_zero_splat
// CHECK: %[[NZ:.*]] = arith.constant -0.000000e+00 : f32
// CHECK: linalg.fill ins(%[[NZ]] : f32)
func.func @negative_zero_splat() -> tensor<4xf32> {
  %0 = kiln.constant dense<-0.0> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// where is a select on condition ≠ 0 (une: NaN counts as true) over broadcast operands: the
// value not taken is never combined with the one taken.
// CHECK-LABEL: func @where
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3xf32>, tensor<f32>)
// CHECK: %[[HOLDS:.*]] = arith.cmpf une, %{{.*}}, %{{.*}} : f32
// CHECK: arith.select %[[HOLDS]]
// CHECK-NOT: arith.mulf
func.func @where(%c: tensor<2x3xf32>, %x: tensor<3xf32>, %y: tensor<f32>) -> tensor<2x3xf32> {
  %0 = kiln.where %c, %x, %y : tensor<2x3xf32>, tensor<3xf32>, tensor<f32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// argmax carries the best value and its index through one reduction: an element wins when
// larger (ogt: the first of equal maxima stays) or when it is the first NaN.
// CHECK-LABEL: func @argmax
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "reduction"]
// CHECK: linalg.index 1
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf uno
// CHECK: arith.cmpf ord
// CHECK: arith.select
// CHECK: arith.select
// CHECK: linalg.yield
func.func @argmax(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = kiln.argmax %x {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// softmax: the row maximum, the sum of exp(x − m), then exp(x − m) / s — three passes over the
// row, the shift recomputed where it is read (elementwise fusion merges it later).
// CHECK-LABEL: func @softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: math.exp
// CHECK: arith.divf
// CHECK-LABEL: func @log_softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.log
// CHECK: arith.subf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.softmax %x {axis = 1 : i64} : tensor<2x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}
func.func @log_softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = kiln.log_softmax %x : tensor<2x5xf32> -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// pick reads one element per label: the label clamped into [0, extent) as a float, truncated,
// then a tensor.extract — a gather, not a product with a one-hot row.
// CHECK-LABEL: func @pick
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}} : tensor<2xf32>)
// CHECK: arith.maxnumf
// CHECK: arith.minimumf
// CHECK: arith.fptosi
// CHECK: %[[ROW:.*]] = linalg.index 0
// CHECK: tensor.extract %{{.*}}[%[[ROW]], %{{.*}}] : tensor<2x5xf32>
// CHECK-NOT: arith.mulf
func.func @pick(%x: tensor<2x5xf32>, %label: tensor<2xf32>) -> tensor<2xf32> {
  %0 = kiln.pick %x, %label {axis = 1 : i64} : tensor<2x5xf32>, tensor<2xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// one_hot compares the index with the position along the new last axis.
// CHECK-LABEL: func @one_hot
// CHECK: linalg.index 1
// CHECK: arith.cmpf oeq
// CHECK: arith.uitofp
func.func @one_hot(%label: tensor<2xf32>) -> tensor<2x4xf32> {
  %0 = kiln.one_hot %label {depth = 4 : i64} : tensor<2xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
