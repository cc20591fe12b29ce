// The whole lowering pipeline (codegen/pipeline.cpp's stages) takes a kiln function to the LLVM
// dialect with a C entry point and results as out-parameters.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(lower-kiln-to-linalg,canonicalize,cse,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},buffer-results-to-out-params{hoist-static-allocs},buffer-deallocation-pipeline,convert-linalg-to-loops,canonicalize,cse,expand-strided-metadata,lower-affine,convert-scf-to-cf,convert-math-to-libm,convert-math-to-llvm,finalize-memref-to-llvm,convert-arith-to-llvm,convert-func-to-llvm,convert-cf-to-llvm,reconcile-unrealized-casts)' | FileCheck %s

// CHECK: llvm.func @tanhf(f32) -> f32
// CHECK: llvm.func @forward(
// CHECK: llvm.call @tanhf
// CHECK: llvm.func @_mlir_ciface_forward(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// CHECK-NOT: kiln.
func.func @forward(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> attributes {llvm.emit_c_interface} {
  %0 = kiln.fully_connected %x, %w : tensor<2x4xf32>, tensor<3x4xf32> -> tensor<2x3xf32>
  %1 = kiln.tanh %0 : tensor<2x3xf32> -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}
