// RUN: not kiln-opt %s --kiln-lower-to-llvm 2>&1 | FileCheck %s

// The old value is still needed after the update (returned as well): bufferization refuses
// rather than write the new value somewhere else.
// CHECK: cannot avoid RaW conflict
func.func @old_and_new(%w: tensor<4xf32> {kiln.parameter}, %g: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32> {kiln.updates = 0 : i64}) attributes {llvm.emit_c_interface} {
  %n = kiln.subtract %w, %g : tensor<4xf32>, tensor<4xf32> -> tensor<4xf32>
  return %w, %n : tensor<4xf32>, tensor<4xf32>
}
