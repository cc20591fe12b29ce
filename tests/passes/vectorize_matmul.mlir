// kiln-vectorize-matmul: small static matmuls on memrefs become register-blocked vector kernels.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-vectorize-matmul))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-vectorize-matmul{lanes=8 registers=16}))' | FileCheck %s --check-prefix=AVX2

// C[2×256] += A[2×20]·B[20×256]: blocks of 2 rows × 64 columns (8 accumulators) over the columns,
// each reduction step broadcasting one A element per row and multiply-adding a row of B.
// CHECK-LABEL: func @matmul
// CHECK-NOT: linalg.matmul
// CHECK: scf.for %[[J:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-COUNT-8: vector.load %{{.*}} : memref<2x256xf32>, vector<16xf32>
// CHECK: scf.for %[[P:.*]] = {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-4: vector.load %{{.*}}[%[[P]], %{{.*}}] : memref<20x256xf32>, vector<16xf32>
// CHECK: memref.load %{{.*}}[%{{.*}}, %[[P]]] : memref<2x20xf32>
// CHECK: vector.broadcast
// CHECK-COUNT-4: vector.fma
// CHECK: memref.load
// CHECK: vector.broadcast
// CHECK-COUNT-4: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-8: vector.store
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

// C[2×10] += A[2×256]·B[10×256]ᵀ: dot products along k, 16 lanes at a time, then one horizontal
// sum (reassociating) per element of C.
// CHECK-LABEL: func @matmul_transpose_b
// CHECK-NOT: linalg.matmul_transpose_b
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: vector.load %{{.*}} : memref<2x256xf32>, vector<16xf32>
// CHECK-COUNT-4: vector.fma
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
