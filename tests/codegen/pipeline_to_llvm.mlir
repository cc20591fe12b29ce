// The whole pipeline hybridize() runs (codegen/pipeline.cpp's stages, registered in kiln-opt) takes a kiln function to the LLVM
// dialect: the entry takes one bare pointer per array (inputs, parameters, then the result as an
// out-parameter), with no descriptor wrapper.
// RUN: kiln-opt %s --kiln-optimize --kiln-lower-to-llvm | FileCheck %s

// CHECK: llvm.func @tanhf(f32) -> f32
// CHECK: llvm.func @forward(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes {llvm.bareptr}
// CHECK: llvm.call @tanhf
// CHECK-NOT: _mlir_ciface_forward
// CHECK-NOT: kiln.
func.func @forward(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> attributes {llvm.emit_c_interface} {
  %0 = kiln.fully_connected %x, %w : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
  %1 = kiln.tanh %0 : tensor<2x3xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
