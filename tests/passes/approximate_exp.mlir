// kiln-approximate-exp: f32 math.exp, scalar or vector, becomes arithmetic (a range reduction
// by ln 2, a polynomial, the exponent built in the bits), with NaN passed through by a select;
// f64 exp and other math ops keep their libm form.
// RUN: kiln-opt %s --pass-pipeline='builtin.module(func.func(kiln-approximate-exp))' | FileCheck %s

// CHECK-LABEL: func @exps
// CHECK-SAME: (%[[X:.*]]: f32, %[[V:.*]]: vector<16xf32>, %[[D:.*]]: f64)
// CHECK-NOT: math.exp {{.*}} : f32
// CHECK-NOT: math.exp {{.*}} : vector<16xf32>
// CHECK: llvm.intr.floor
// CHECK: llvm.intr.fma
// CHECK-NOT: math.floor
// CHECK-NOT: math.fma
// CHECK: arith.shli
// CHECK: %[[BITS:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: %[[SCALAR:.*]] = arith.mulf %{{.*}}, %[[BITS]] : f32
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: %[[GUARDED:.*]] = arith.select %[[NAN]], %[[X]], %[[SCALAR]] : f32
// CHECK: arith.bitcast %{{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: %[[VNAN:.*]] = arith.cmpf uno, %[[V]], %[[V]] : vector<16xf32>
// CHECK: %[[VGUARDED:.*]] = arith.select %[[VNAN]], %[[V]], %{{.*}} : vector<16xi1>, vector<16xf32>
// CHECK: %[[DEXP:.*]] = math.exp %[[D]] : f64
// CHECK: %[[LOG:.*]] = math.log %[[X]] : f32
// CHECK: return %[[GUARDED]], %[[VGUARDED]], %[[DEXP]], %[[LOG]]
func.func @exps(%x: f32, %v: vector<16xf32>, %d: f64) -> (f32, vector<16xf32>, f64, f32) {
  %a = math.exp %x : f32
  %b = math.exp %v : vector<16xf32>
  %c = math.exp %d : f64
  %e = math.log %x : f32
  return %a, %b, %c, %e : f32, vector<16xf32>, f64, f32
}
