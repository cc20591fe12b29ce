// An argument updated in place (a `kiln.updates = j` result, ir::Graph::add_update): the lowering
// makes every other argument read-only for bufferization and materializes the new value in
// argument j's buffer; empty-tensor elimination then computes it there directly, and the result
// leaves the signature. Nothing is copied and no out-parameter is passed for it.
// RUN: kiln-opt %s --lower-kiln-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: kiln-opt %s --kiln-optimize-training --kiln-lower-to-llvm --mlir-print-ir-after=kiln-drop-updated-results 2>&1 >/dev/null | FileCheck %s --check-prefix=BUFFERS

// LINALG-LABEL: func.func @sgd
// LINALG-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = true, kiln.parameter}
// LINALG-SAME: %{{.*}}: tensor<4xf32> {bufferization.writable = false}
// LINALG: linalg.generic
// LINALG: %[[NEW:.*]] = linalg.generic
// LINALG: %[[IN_PLACE:.*]] = bufferization.materialize_in_destination %[[NEW]] in %arg0
// LINALG: return %[[IN_PLACE]]

// BUFFERS-LABEL: func.func @sgd
// BUFFERS-SAME: (%[[W:[a-z0-9]+]]: memref<4xf32> {kiln.parameter}, %[[G:[a-z0-9]+]]: memref<4xf32>) attributes
// BUFFERS-NOT: memref.alloc
// BUFFERS: linalg.generic {{.*}} ins(%[[W]], %[[G]] : memref<4xf32>, memref<4xf32>) outs(%[[W]] : memref<4xf32>)
// BUFFERS-NOT: memref.copy
// BUFFERS: return{{$}}
func.func @sgd(%w: tensor<4xf32> {kiln.parameter}, %g: tensor<4xf32>) -> (tensor<4xf32> {kiln.updates = 0 : i64}) attributes {llvm.emit_c_interface} {
  %lr = kiln.constant dense<0.5> : tensor<f32>
  %s = kiln.multiply %g, %lr : tensor<4xf32>, tensor<f32> -> tensor<4xf32>
  %n = kiln.subtract %w, %s : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %n : tensor<4xf32>
}
