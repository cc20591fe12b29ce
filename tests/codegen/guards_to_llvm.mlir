// A trace tree (frontend/hybridize/trace_tree.h) goes through kiln's whole pipeline: the guard becomes a
// native comparison and branch, the loop a native loop, the exit status an i32 return value.
// RUN: kiln-opt %s --kiln-optimize --kiln-lower-to-llvm | FileCheck %s

// CHECK-LABEL: llvm.func @forward
// CHECK-NOT: kiln.
// CHECK-NOT: scf.
// CHECK: llvm.fcmp "ogt"
// CHECK: llvm.cond_br
// CHECK: llvm.return %{{.*}} : i32
func.func @forward(%x: tensor<2x4xf32>) -> (tensor<1xf32>, i32) attributes {llvm.emit_c_interface} {
  %n = kiln.norm %x : tensor<2x4xf32> -> tensor<1xf32>
  %one = kiln.constant dense<1.0> : tensor<1xf32>
  %p = kiln.compare_scalar "gt" %n, %one : tensor<1xf32>, tensor<1xf32>
  %r:2 = scf.if %p -> (tensor<1xf32>, i32) {
    %w:2 = scf.while (%s = %x, %sn = %n) : (tensor<2x4xf32>, tensor<1xf32>) -> (tensor<2x4xf32>, tensor<1xf32>) {
      %q = kiln.compare_scalar "gt" %sn, %one : tensor<1xf32>, tensor<1xf32>
      scf.condition(%q) %s, %sn : tensor<2x4xf32>, tensor<1xf32>
    } do {
    ^bb0(%s: tensor<2x4xf32>, %sn: tensor<1xf32>):
      %two = kiln.constant dense<2.0> : tensor<f32>
      %h = kiln.divide %s, %two : tensor<2x4xf32>, tensor<f32> -> tensor<2x4xf32>
      %hn = kiln.norm %h : tensor<2x4xf32> -> tensor<1xf32>
      scf.yield %h, %hn : tensor<2x4xf32>, tensor<1xf32>
    }
    %sum = kiln.sum %w#0 : tensor<2x4xf32> -> tensor<1xf32>
    %ok = arith.constant 0 : i32
    scf.yield %sum, %ok : tensor<1xf32>, i32
  } else {
    %z = kiln.constant dense<0.0> : tensor<1xf32>
    %exit = arith.constant 1 : i32
    scf.yield %z, %exit : tensor<1xf32>, i32
  }
  return %r#0, %r#1 : tensor<1xf32>, i32
}
