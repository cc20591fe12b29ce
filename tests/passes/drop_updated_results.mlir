// kiln-drop-updated-results: after bufferization a `kiln.updates = j` result is argument j's own
// buffer; the result goes, so the caller passes no out-parameter for it.
// RUN: kiln-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(kiln-drop-updated-results))' | FileCheck %s

// CHECK-LABEL: func @step
// CHECK-SAME: (%[[W:.*]]: memref<4xf32>, %[[G:.*]]: memref<4xf32>) -> memref<1xf32>
// CHECK: %[[L:.*]] = memref.alloc
// CHECK: return %[[L]] : memref<1xf32>
func.func @step(%w: memref<4xf32>, %g: memref<4xf32>) -> (memref<1xf32>, memref<4xf32> {kiln.updates = 0 : i64}) {
  %l = memref.alloc() : memref<1xf32>
  return %l, %w : memref<1xf32>, memref<4xf32>
}

// -----

// A result that is not its argument's buffer: bufferization did not keep the contract.
func.func @elsewhere(%w: memref<4xf32>) -> (memref<4xf32> {kiln.updates = 0 : i64}) {
  %copy = memref.alloc() : memref<4xf32>
  // expected-error @+1 {{result 0 should be argument 0's own buffer after bufferization}}
  return %copy : memref<4xf32>
}

// -----

// A value computed straight into its argument leaves a copy onto itself, which goes too.
// CHECK-LABEL: func @computed_in_place
// CHECK-NOT: memref.copy
// CHECK: return{{$}}
func.func @computed_in_place(%w: memref<4xf32>) -> (memref<4xf32> {kiln.updates = 0 : i64}) {
  memref.copy %w, %w : memref<4xf32> to memref<4xf32>
  return %w : memref<4xf32>
}
