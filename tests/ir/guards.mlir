// Guards in the kiln dialect: kiln.compare_scalar is the predicate of the scf.if / scf.while a
// trace tree compiles to (frontend/hybridize/trace_tree.h). On constants it folds, and so does the branch.
// RUN: kiln-opt %s -canonicalize | FileCheck %s

// A guard on a constant value is decided at compile time: the branch disappears.
// CHECK-LABEL: func @decided_guard
// CHECK-NOT: kiln.compare_scalar
// CHECK-NOT: scf.if
// CHECK: %[[Y:.*]] = kiln.multiply %arg0
// CHECK: return %[[Y]], %c0_i32
func.func @decided_guard(%x: tensor<2xf32>) -> (tensor<2xf32>, i32) {
  %n = kiln.constant dense<3.0> : tensor<1xf32>
  %one = kiln.constant dense<1.0> : tensor<1xf32>
  %p = kiln.compare_scalar "gt" %n, %one : tensor<1xf32>, tensor<1xf32>
  %r:2 = scf.if %p -> (tensor<2xf32>, i32) {
    %c = kiln.constant dense<2.0> : tensor<f32>
    %y = kiln.multiply %x, %c : tensor<2xf32>, tensor<f32> -> tensor<2xf32>
    %ok = arith.constant 0 : i32
    scf.yield %y, %ok : tensor<2xf32>, i32
  } else {
    %z = kiln.constant dense<0.0> : tensor<2xf32>
    %exit = arith.constant 1 : i32
    scf.yield %z, %exit : tensor<2xf32>, i32
  }
  return %r#0, %r#1 : tensor<2xf32>, i32
}

// NaN compares as in C++: only "ne" holds.
// CHECK-LABEL: func @nan_compares
// CHECK: return %false, %false, %true
func.func @nan_compares() -> (i1, i1, i1) {
  %nan = kiln.constant dense<0x7FC00000> : tensor<1xf32>
  %one = kiln.constant dense<1.0> : tensor<1xf32>
  %gt = kiln.compare_scalar "gt" %nan, %one : tensor<1xf32>, tensor<1xf32>
  %eq = kiln.compare_scalar "eq" %nan, %nan : tensor<1xf32>, tensor<1xf32>
  %ne = kiln.compare_scalar "ne" %nan, %nan : tensor<1xf32>, tensor<1xf32>
  return %gt, %eq, %ne : i1, i1, i1
}

// A data-dependent loop (FancyMLP's `while (x.norm().asscalar() > 1) x /= 2`) stays a loop.
// CHECK-LABEL: func @halving_loop
// CHECK: scf.while
// CHECK: kiln.compare_scalar "gt"
// CHECK: scf.condition
// CHECK: kiln.divide
// CHECK: kiln.norm
// CHECK: scf.yield
func.func @halving_loop(%x: tensor<2x20xf32>) -> tensor<2x20xf32> {
  %n = kiln.norm %x : tensor<2x20xf32> -> tensor<1xf32>
  %r:2 = scf.while (%s = %x, %sn = %n) : (tensor<2x20xf32>, tensor<1xf32>) -> (tensor<2x20xf32>, tensor<1xf32>) {
    %one = kiln.constant dense<1.0> : tensor<1xf32>
    %p = kiln.compare_scalar "gt" %sn, %one : tensor<1xf32>, tensor<1xf32>
    scf.condition(%p) %s, %sn : tensor<2x20xf32>, tensor<1xf32>
  } do {
  ^bb0(%s: tensor<2x20xf32>, %sn: tensor<1xf32>):
    %two = kiln.constant dense<2.0> : tensor<f32>
    %h = kiln.divide %s, %two : tensor<2x20xf32>, tensor<f32> -> tensor<2x20xf32>
    %hn = kiln.norm %h : tensor<2x20xf32> -> tensor<1xf32>
    scf.yield %h, %hn : tensor<2x20xf32>, tensor<1xf32>
  }
  return %r#0 : tensor<2x20xf32>
}
