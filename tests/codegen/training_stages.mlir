// The optimisation stages know the graph's mode: an inference graph pre-transposes a small
// product's parameter weight (once per parameter version, in forward_prepare); a training graph,
// whose parameters change every step, keeps the fully_connected as it is.
// RUN: kiln-opt %s --kiln-optimize | FileCheck %s --check-prefix=INFER
// RUN: kiln-opt %s --kiln-optimize-training | FileCheck %s --check-prefix=TRAIN

// INFER-LABEL: func.func @forward
// INFER: kiln.dot
// INFER-NOT: kiln.fully_connected
// INFER: func.func @forward_prepare
// INFER: kiln.transpose
// TRAIN-LABEL: func.func @forward
// TRAIN: kiln.fully_connected
// TRAIN-NOT: kiln.transpose
// TRAIN-NOT: func.func @forward_prepare
func.func @forward(%x: tensor<2x20xf32>, %w: tensor<256x20xf32> {kiln.parameter}, %b: tensor<256xf32> {kiln.parameter}) -> tensor<2x256xf32> attributes {llvm.emit_c_interface} {
  %0 = kiln.fully_connected %x, %w, %b : tensor<2x20xf32>, tensor<256x20xf32>, tensor<256xf32> -> tensor<2x256xf32>
  return %0 : tensor<2x256xf32>
}
