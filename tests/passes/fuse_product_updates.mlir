// kiln-fuse-product-updates: an in-place update linear in a oneDNN product (SGD's step on a weight
// gradient) becomes one accumulating product into the weight.
// RUN: kiln-opt %s -split-input-file --pass-pipeline='builtin.module(kiln-fuse-product-updates)' | FileCheck %s

#id = affine_map<(d0, d1) -> (d0, d1)>
#scalar = affine_map<(d0, d1) -> ()>
func.func private @kiln_rt_dot(memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, i64, i64) attributes {llvm.emit_c_interface}

// w ← w − lr·(t·rescale), t = gᵀ·x: alpha = −(lr·rescale) from the 0-d arguments, beta = 1.
// CHECK-LABEL: func @sgd_step
// CHECK-SAME: (%[[G:.*]]: memref<16x256xf32>, %[[X:.*]]: memref<16x784xf32>, %[[LR:.*]]: memref<f32>, %[[R:.*]]: memref<f32>, %[[W:.*]]: memref<256x784xf32>)
// CHECK-NOT: memref.alloc
// CHECK-DAG: %[[LRV:.*]] = memref.load %[[LR]][]
// CHECK-DAG: %[[RV:.*]] = memref.load %[[R]][]
// CHECK: %[[SCALED:.*]] = arith.mulf %[[RV]], %[[LRV]]
// CHECK: %[[ALPHA:.*]] = arith.negf %[[SCALED]]
// CHECK: %[[WD:.*]] = memref.cast %[[W]] : memref<256x784xf32> to memref<?x?xf32>
// CHECK: %[[BETA:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: call @kiln_rt_dot_accumulate(%{{.*}}, %{{.*}}, %[[WD]], %{{.*}}, %{{.*}}, %[[ALPHA]], %[[BETA]])
// CHECK-NOT: linalg.generic
// CHECK-NOT: call @kiln_rt_dot(
// CHECK: return
func.func @sgd_step(%g: memref<16x256xf32>, %x: memref<16x784xf32>, %lr: memref<f32>, %rescale: memref<f32>,
                    %w: memref<256x784xf32>) {
  %c0 = arith.constant 0 : i64
  %c1 = arith.constant 1 : i64
  %ga = memref.cast %g : memref<16x256xf32> to memref<?x?xf32>
  %xa = memref.cast %x : memref<16x784xf32> to memref<?x?xf32>
  %t = memref.alloc() : memref<256x784xf32>
  %ta = memref.cast %t : memref<256x784xf32> to memref<?x?xf32>
  call @kiln_rt_dot(%ga, %xa, %ta, %c1, %c0) : (memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, i64, i64) -> ()
  linalg.generic {indexing_maps = [#id, #scalar, #id, #scalar, #id], iterator_types = ["parallel", "parallel"]}
      ins(%w, %lr, %t, %rescale : memref<256x784xf32>, memref<f32>, memref<256x784xf32>, memref<f32>) outs(%w : memref<256x784xf32>) {
  ^bb0(%win: f32, %lrv: f32, %tv: f32, %rv: f32, %out: f32):
    %s = arith.mulf %tv, %rv : f32
    %u = arith.mulf %lrv, %s : f32
    %n = arith.subf %win, %u : f32
    linalg.yield %n : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#scalar = affine_map<(d0, d1) -> ()>
func.func private @kiln_rt_dot(memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, i64, i64) attributes {llvm.emit_c_interface}

// A constant weight on the old value is the sum post-op's scale: w/4 + w/4 + 2·t gives 0.5 (w
// read through the init).
// CHECK-LABEL: func @constant_beta
// CHECK: %[[BETA:.*]] = arith.constant 5.000000e-01 : f32
// CHECK-NEXT: call @kiln_rt_dot_accumulate({{.*}}, %[[BETA]])
// CHECK-NOT: linalg.generic
func.func @constant_beta(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %w: memref<8x8xf32>) {
  %c0 = arith.constant 0 : i64
  %four = arith.constant 4.0 : f32
  %two = arith.constant 2.0 : f32
  %t = memref.alloc() : memref<8x8xf32>
  %ta = memref.cast %t : memref<8x8xf32> to memref<?x?xf32>
  call @kiln_rt_dot(%a, %b, %ta, %c0, %c0) : (memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, i64, i64) -> ()
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<8x8xf32>) outs(%w : memref<8x8xf32>) {
  ^bb0(%tv: f32, %out: f32):
    %q = arith.divf %out, %four : f32
    %s = arith.addf %q, %q : f32
    %u = arith.mulf %two, %tv : f32
    %n = arith.addf %s, %u : f32
    linalg.yield %n : f32
  }
  return
}

// -----

#id = affine_map<(d0, d1) -> (d0, d1)>
#scalar = affine_map<(d0, d1) -> ()>
func.func private @kiln_rt_dot(memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, i64, i64) attributes {llvm.emit_c_interface}

// Not fused: a clipped gradient is not linear in t; a weight decayed by a runtime rate scales w by
// a value oneDNN would have to know when it builds the primitive; a read of w between the product
// and the update would see the new weight; an offset is not a product's epilogue.
// CHECK-LABEL: func @clipped
// CHECK: call @kiln_rt_dot(
// CHECK: linalg.generic
// CHECK-NOT: kiln_rt_dot_accumulate
func.func @clipped(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %clip: memref<f32>, %w: memref<8x8xf32>) {
  %c0 = arith.constant 0 : i64
  %t = memref.alloc() : memref<8x8xf32>
  %ta = memref.cast %t : memref<8x8xf32> to memref<?x?xf32>
  call @kiln_rt_dot(%a, %b, %ta, %c0, %c0) : (memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, i64, i64) -> ()
  linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t, %clip : memref<8x8xf32>, memref<f32>) outs(%w : memref<8x8xf32>) {
  ^bb0(%tv: f32, %c: f32, %out: f32):
    %m = arith.minimumf %tv, %c : f32
    %n = arith.subf %out, %m : f32
    linalg.yield %n : f32
  }
  return
}

// CHECK-LABEL: func @decayed
// CHECK: call @kiln_rt_dot(
// CHECK-NOT: kiln_rt_dot_accumulate
func.func @decayed(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %wd: memref<f32>, %w: memref<8x8xf32>) {
  %c0 = arith.constant 0 : i64
  %t = memref.alloc() : memref<8x8xf32>
  %ta = memref.cast %t : memref<8x8xf32> to memref<?x?xf32>
  call @kiln_rt_dot(%a, %b, %ta, %c0, %c0) : (memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, i64, i64) -> ()
  linalg.generic {indexing_maps = [#id, #scalar, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t, %wd : memref<8x8xf32>, memref<f32>) outs(%w : memref<8x8xf32>) {
  ^bb0(%tv: f32, %d: f32, %out: f32):
    %s = arith.mulf %d, %out : f32
    %g = arith.addf %tv, %s : f32
    %n = arith.subf %out, %g : f32
    linalg.yield %n : f32
  }
  return
}

// CHECK-LABEL: func @read_between
// CHECK: call @kiln_rt_dot(
// CHECK-NOT: kiln_rt_dot_accumulate
func.func @read_between(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %w: memref<8x8xf32>, %copy: memref<8x8xf32>) {
  %c0 = arith.constant 0 : i64
  %t = memref.alloc() : memref<8x8xf32>
  %ta = memref.cast %t : memref<8x8xf32> to memref<?x?xf32>
  call @kiln_rt_dot(%a, %b, %ta, %c0, %c0) : (memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, i64, i64) -> ()
  memref.copy %w, %copy : memref<8x8xf32> to memref<8x8xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<8x8xf32>) outs(%w : memref<8x8xf32>) {
  ^bb0(%tv: f32, %out: f32):
    %n = arith.subf %out, %tv : f32
    linalg.yield %n : f32
  }
  return
}

// CHECK-LABEL: func @offset
// CHECK: call @kiln_rt_dot(
// CHECK-NOT: kiln_rt_dot_accumulate
func.func @offset(%a: memref<?x?xf32>, %b: memref<?x?xf32>, %w: memref<8x8xf32>) {
  %c0 = arith.constant 0 : i64
  %one = arith.constant 1.0 : f32
  %t = memref.alloc() : memref<8x8xf32>
  %ta = memref.cast %t : memref<8x8xf32> to memref<?x?xf32>
  call @kiln_rt_dot(%a, %b, %ta, %c0, %c0) : (memref<?x?xf32>, memref<?x?xf32>, memref<?x?xf32>, i64, i64) -> ()
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<8x8xf32>) outs(%w : memref<8x8xf32>) {
  ^bb0(%tv: f32, %out: f32):
    %s = arith.addf %out, %tv : f32
    %n = arith.addf %s, %one : f32
    linalg.yield %n : f32
  }
  return
}
