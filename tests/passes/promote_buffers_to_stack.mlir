// kiln-promote-buffers-to-stack: static intermediates become allocas, in order, while their
// total fits the budget; the rest stay heap buffers.
// RUN: kiln-opt %s -allow-unregistered-dialect --pass-pipeline='builtin.module(func.func(kiln-promote-buffers-to-stack{budget-bytes=1024}))' | FileCheck %s

// CHECK-LABEL: func @budget
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<128xf32>
// CHECK: memref.alloc() {alignment = 64 : i64} : memref<256xf32>
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<64xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
func.func @budget(%n: index) {
  %a = memref.alloc() {alignment = 64 : i64} : memref<128xf32>
  %b = memref.alloc() {alignment = 64 : i64} : memref<256xf32>
  %c = memref.alloc() {alignment = 64 : i64} : memref<64xf32>
  %d = memref.alloc(%n) : memref<?xf32>
  "test.use"(%a, %b, %c, %d) : (memref<128xf32>, memref<256xf32>, memref<64xf32>, memref<?xf32>) -> ()
  memref.dealloc %b : memref<256xf32>
  memref.dealloc %d : memref<?xf32>
  return
}
