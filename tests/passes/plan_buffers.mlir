// kiln-plan-buffers: static intermediates become views of one arena; buffers whose live ranges
// do not overlap share bytes; a small arena is a stack buffer, a large one a heap buffer.
// RUN: kiln-opt %s -allow-unregistered-dialect --pass-pipeline='builtin.module(func.func(kiln-plan-buffers))' | FileCheck %s
// RUN: kiln-opt %s -allow-unregistered-dialect --pass-pipeline='builtin.module(func.func(kiln-plan-buffers{stack-budget-bytes=256}))' | FileCheck %s --check-prefix=HEAP

// %a dies when %c is born, so %c reuses its bytes: 512 (a) + 256 (b) bytes, not 512+256+512.
// CHECK-LABEL: func @reuse
// CHECK: %[[ARENA:.*]] = memref.alloca() {alignment = 64 : i64} : memref<768xi8>
// CHECK: %[[OFF0:.*]] = arith.constant 0 : index
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%[[OFF0]]][] : memref<768xi8> to memref<128xf32>
// CHECK: %[[OFF512:.*]] = arith.constant 512 : index
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%[[OFF512]]][] : memref<768xi8> to memref<64xf32>
// CHECK: "test.use"(%[[A]], %[[B]])
// CHECK: %[[OFF0_AGAIN:.*]] = arith.constant 0 : index
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%[[OFF0_AGAIN]]][] : memref<768xi8> to memref<128xf32>
// CHECK: "test.use"(%[[B]], %[[C]])
// CHECK-NOT: memref.alloc(
// HEAP-LABEL: func @reuse
// HEAP: memref.alloc() {alignment = 64 : i64} : memref<768xi8>
func.func @reuse() {
  %a = memref.alloc() : memref<128xf32>
  %b = memref.alloc() : memref<64xf32>
  "test.use"(%a, %b) : (memref<128xf32>, memref<64xf32>) -> ()
  %c = memref.alloc() : memref<128xf32>
  "test.use"(%b, %c) : (memref<64xf32>, memref<128xf32>) -> ()
  return
}

// A use through a view (here a cast) keeps the buffer alive: %a and %b overlap.
// CHECK-LABEL: func @views_extend_liveness
// CHECK: memref.alloca() {alignment = 64 : i64} : memref<1024xi8>
func.func @views_extend_liveness() {
  %a = memref.alloc() : memref<128xf32>
  %cast = memref.cast %a : memref<128xf32> to memref<?xf32>
  %b = memref.alloc() : memref<128xf32>
  "test.use"(%b) : (memref<128xf32>) -> ()
  "test.use"(%cast) : (memref<?xf32>) -> ()
  return
}

// Dynamic shapes stay as they are.
// CHECK-LABEL: func @dynamic
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
func.func @dynamic(%n: index) {
  %d = memref.alloc(%n) : memref<?xf32>
  "test.use"(%d) : (memref<?xf32>) -> ()
  return
}
