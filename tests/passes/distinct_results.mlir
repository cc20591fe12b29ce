// kiln-distinct-results: a buffer returned twice is returned once and copied for the repeat, so
// buffer-results-to-out-params can give every result its own out-parameter.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-distinct-results))' | FileCheck %s
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-distinct-results),buffer-results-to-out-params{hoist-static-allocs})' | FileCheck %s --check-prefix=OUT

// CHECK-LABEL: func @twice
// CHECK: %[[A:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[COPY:.*]] = memref.alloc() : memref<4xf32>
// CHECK: memref.copy %[[A]], %[[COPY]]
// CHECK: %[[ARG:.*]] = memref.alloc() : memref<4xf32>
// CHECK: memref.copy %arg0, %[[ARG]]
// CHECK: return %[[A]], %[[COPY]], %[[ARG]]
// OUT-LABEL: func @twice(%arg0: memref<4xf32>, %arg1: memref<4xf32>, %arg2: memref<4xf32>, %arg3: memref<4xf32>)
// OUT: memref.copy %arg0, %arg1
// OUT: memref.copy %arg1, %arg2
// OUT: memref.copy %arg0, %arg3
func.func @twice(%arg0: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>, memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  memref.copy %arg0, %a : memref<4xf32> to memref<4xf32>
  return %a, %a, %arg0 : memref<4xf32>, memref<4xf32>, memref<4xf32>
}

// Distinct computed results are left alone.
// CHECK-LABEL: func @distinct
// CHECK-NOT: memref.copy
// CHECK: return %[[X:.*]], %[[Y:.*]] :
func.func @distinct() -> (memref<4xf32>, memref<4xf32>) {
  %a = memref.alloc() : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  return %a, %b : memref<4xf32>, memref<4xf32>
}
