// kiln-vectorize-matmul: small static matmuls on memrefs become register-blocked vector kernels.
// RUN: kiln-opt %s -allow-unregistered-dialect --pass-pipeline='builtin.module(func.func(kiln-vectorize-matmul))' | FileCheck %s
// RUN: kiln-opt %s -allow-unregistered-dialect --pass-pipeline='builtin.module(func.func(kiln-vectorize-matmul{lanes=8 registers=16}))' | FileCheck %s --check-prefix=AVX2

// C[2×256] += A[2×20]·B[20×256]: blocks of 2 rows × 128 columns (16 accumulators of 16 lanes)
// over the columns, each reduction step broadcasting one A element per row and multiply-adding
// a row of B.
// CHECK-LABEL: func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-COUNT-16: vector.load %{{.*}} : memref<2x256xf32>, vector<16xf32>
// CHECK: scf.for %[[P:.*]] = {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-8: vector.load %{{.*}}[%[[P]], %{{.*}}] : memref<20x256xf32>, vector<16xf32>
// CHECK: memref.load %{{.*}}[%{{.*}}, %[[P]]] : memref<2x20xf32>
// CHECK: vector.broadcast
// CHECK-COUNT-8: vector.fma
// CHECK: memref.load
// CHECK: vector.broadcast
// CHECK-COUNT-8: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-16: vector.store
// With 8 lanes and 16 registers (AVX2) a block of 2 rows holds 2 × 4 vectors of 8 lanes: 8
// accumulators, 4 row vectors of B and a broadcast fit in 16 registers.
// AVX2-LABEL: func @matmul
// AVX2: scf.for {{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX2-COUNT-4: vector.load %{{.*}} : memref<20x256xf32>, vector<8xf32>
// AVX2-COUNT-4: vector.fma
func.func @matmul(%a: memref<2x20xf32>, %b: memref<20x256xf32>, %c: memref<2x256xf32>) {
  linalg.matmul ins(%a, %b : memref<2x20xf32>, memref<20x256xf32>) outs(%c : memref<2x256xf32>)
  return
}

// 20 columns: one full vector and a masked 4-lane tail, for loads and stores alike.
// CHECK-LABEL: func @matmul_masked_tail
// CHECK: %[[MASK:.*]] = vector.constant_mask [4] : vector<16xi1>
// CHECK: vector.maskedload %{{.*}}, %[[MASK]]
// CHECK: vector.maskedstore %{{.*}}, %[[MASK]]
func.func @matmul_masked_tail(%a: memref<3x8xf32>, %b: memref<8x20xf32>, %c: memref<3x20xf32>) {
  linalg.matmul ins(%a, %b : memref<3x8xf32>, memref<8x20xf32>) outs(%c : memref<3x20xf32>)
  return
}

// One row: the row of B is not kept in registers, so a block holds up to 8 vectors (128
// columns) of accumulators, which also keeps 8 multiply-add chains in flight.
// CHECK-LABEL: func @one_row
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// AVX2-LABEL: func @one_row
// AVX2: scf.for {{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
func.func @one_row(%a: memref<1x64xf32>, %b: memref<64x128xf32>, %c: memref<1x128xf32>) {
  linalg.matmul ins(%a, %b : memref<1x64xf32>, memref<64x128xf32>) outs(%c : memref<1x128xf32>)
  return
}

// C[2×10] += A[2×256]·B[10×256]ᵀ: dot products along k, 16 lanes at a time, for blocks of 2 rows
// × 4 columns (8 accumulators sharing 2 + 4 loads per step), then one horizontal sum
// (reassociating) per element of C.
// CHECK-LABEL: func @matmul_transpose_b
// CHECK-NOT: linalg.matmul_transpose_b
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-2: vector.load %{{.*}} : memref<2x256xf32>, vector<16xf32>
// CHECK-COUNT-4: vector.load %{{.*}} : memref<10x256xf32>, vector<16xf32>
// CHECK-COUNT-8: vector.fma
// CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK: memref.load
// CHECK: arith.addf
// CHECK: memref.store
func.func @matmul_transpose_b(%a: memref<2x256xf32>, %b: memref<10x256xf32>, %c: memref<2x10xf32>) {
  linalg.matmul_transpose_b ins(%a, %b : memref<2x256xf32>, memref<10x256xf32>) outs(%c : memref<2x10xf32>)
  return
}

// Dynamic shapes are left to the generic lowering.
// CHECK-LABEL: func @dynamic
// CHECK: linalg.matmul
func.func @dynamic(%a: memref<?x4xf32>, %b: memref<4x4xf32>, %c: memref<?x4xf32>) {
  linalg.matmul ins(%a, %b : memref<?x4xf32>, memref<4x4xf32>) outs(%c : memref<?x4xf32>)
  return
}

// Fused epilogue: the zero fill becomes the accumulators' start, and the bias add (writing a
// new buffer) and the relu (in place) run on the accumulators; only %out is written.
// CHECK-LABEL: func @dense_bias_relu
// CHECK-NOT: linalg.fill
// CHECK: %[[ZERO:.*]] = vector.broadcast %{{.*}} : f32 to vector<16xf32>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[ZERO]],
// CHECK: vector.fma
// CHECK: scf.yield
// CHECK: %[[BIAS:.*]] = vector.load %[[B:.*]][%{{.*}}] : memref<32xf32>, vector<16xf32>
// CHECK: %[[SUM:.*]] = arith.addf %{{.*}}, %[[BIAS]] : vector<16xf32>
// CHECK: %[[POS:.*]] = arith.cmpf ogt, %[[SUM]], %{{.*}} : vector<16xf32>
// CHECK: %[[RELU:.*]] = arith.select %[[POS]], %[[SUM]], %{{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: vector.store %[[RELU]], %[[OUT:.*]][
// CHECK-NOT: linalg.generic
// CHECK: return
#id = affine_map<(d0, d1) -> (d0, d1)>
#row = affine_map<(d0, d1) -> (d1)>
func.func @dense_bias_relu(%x: memref<2x8xf32>, %wt: memref<8x32xf32>, %b: memref<32xf32>, %out: memref<2x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %c = memref.alloca() {alignment = 64 : i64} : memref<2x32xf32>
  linalg.fill ins(%zero : f32) outs(%c : memref<2x32xf32>)
  linalg.matmul ins(%x, %wt : memref<2x8xf32>, memref<8x32xf32>) outs(%c : memref<2x32xf32>)
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %b : memref<2x32xf32>, memref<32xf32>) outs(%out : memref<2x32xf32>) {
  ^bb0(%in: f32, %bias: f32, %o: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%out : memref<2x32xf32>) outs(%out : memref<2x32xf32>) {
  ^bb0(%in: f32, %o: f32):
    %p = arith.cmpf ogt, %in, %zero : f32
    %r = arith.select %p, %in, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// C copied from a buffer filled with a constant (what CSE of equal fills leaves) starts from
// that constant; the copy goes, the shared fill stays for its other readers.
// CHECK-LABEL: func @copied_fill
// CHECK: linalg.fill
// CHECK: memref.copy %{{.*}}, %arg2
// CHECK-NOT: memref.copy
// CHECK: vector.broadcast %{{.*}} : f32 to vector<16xf32>
func.func @copied_fill(%x: memref<2x8xf32>, %wt: memref<8x16xf32>, %other: memref<2x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %filled = memref.alloca() : memref<2x16xf32>
  linalg.fill ins(%zero : f32) outs(%filled : memref<2x16xf32>)
  memref.copy %filled, %other : memref<2x16xf32> to memref<2x16xf32>
  %c = memref.alloca() : memref<2x16xf32>
  memref.copy %filled, %c : memref<2x16xf32> to memref<2x16xf32>
  linalg.matmul ins(%x, %wt : memref<2x8xf32>, memref<8x16xf32>) outs(%c : memref<2x16xf32>)
  "test.use"(%c) : (memref<2x16xf32>) -> ()
  return
}

// The bias add would write the product's own left operand while later blocks still read it:
// it is not fused, and C is stored.
// CHECK-LABEL: func @destination_is_an_operand
// CHECK: vector.store %{{.*}}, %[[C:.*]][
// CHECK: linalg.generic
func.func @destination_is_an_operand(%x: memref<8x64xf32>, %wt: memref<64x64xf32>, %b: memref<64xf32>) {
  %c = memref.alloca() : memref<8x64xf32>
  linalg.matmul ins(%x, %wt : memref<8x64xf32>, memref<64x64xf32>) outs(%c : memref<8x64xf32>)
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %b : memref<8x64xf32>, memref<64xf32>) outs(%x : memref<8x64xf32>) {
  ^bb0(%in: f32, %bias: f32, %o: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  }
  return
}

// One register block (1 row, 64 columns) reads all of A before it stores: the epilogue may then
// write the product's own left operand, as a chain of Dense layers sharing one buffer does.
// CHECK-LABEL: func @one_block_may_overwrite_its_operand
// CHECK-NOT: linalg.generic
// CHECK: vector.store %{{.*}}, %arg0[
func.func @one_block_may_overwrite_its_operand(%x: memref<1x64xf32>, %wt: memref<64x64xf32>, %b: memref<64xf32>) {
  %c = memref.alloca() : memref<1x64xf32>
  linalg.matmul ins(%x, %wt : memref<1x64xf32>, memref<64x64xf32>) outs(%c : memref<1x64xf32>)
  linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%c, %b : memref<1x64xf32>, memref<64xf32>) outs(%x : memref<1x64xf32>) {
  ^bb0(%in: f32, %bias: f32, %o: f32):
    %s = arith.addf %in, %bias : f32
    linalg.yield %s : f32
  }
  return
}
