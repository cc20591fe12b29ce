// kiln's optimisation passes, one per file in passes/. Each runs alone through kiln-opt
// (`kiln-opt --<name>`) and has a FileCheck test in tests/passes/.
#ifndef KILN_PASSES_TD
#define KILN_PASSES_TD

include "mlir/Pass/PassBase.td"

def TransposeDenseWeights : Pass<"kiln-transpose-dense-weights", "mlir::ModuleOp"> {
  let summary = "Give small fully_connected ops a units-contiguous (in×units) weight";
  let description = [{
    `kiln.fully_connected(x, w, b)` reads `w` as units×in, so each output is a dot product along
    `in`. For the small products that kiln generates code for, the fast loop order instead runs
    along `units` with one multiply-add per weight row, which needs the weight as in×units.
    When the weight is computed from parameters alone, this pass rewrites the op to
    `kiln.add(kiln.dot(x, kiln.transpose(w)), b)`; kiln-hoist-parameter-computations then moves
    the transpose out of the per-call path. Products large enough for oneDNN, or with fewer
    than 16 units (dot products along `in` suit those), keep their form.
  }];
  let dependentDialects = ["::kiln::ir::KilnDialect"];
}

def FoldBatchNorm : Pass<"kiln-fold-batch-norm", "mlir::ModuleOp"> {
  let summary = "Fold a predict-mode BatchNorm into the convolution before it";
  let description = [{
    With fixed statistics, `kiln.batch_norm(conv2d(x, w, b), γ, β, μ, σ²)` is a convolution
    with scaled weights: `conv2d(x, w·s, β − μ·s + b·s)`, s = γ / √(σ² + ε) per output channel.
    When the convolution's result has no other use and every operand but x is computed from
    parameters alone (or is a constant), this pass rewrites it so; kiln-hoist-parameter-computations
    then computes the folded weight and bias once per parameter version (canonicalize folds
    constant ones), and the normalisation's pass over the activations is gone. Training-mode normalisation (batch_stats) keeps its form.
  }];
  let dependentDialects = ["::kiln::ir::KilnDialect"];
}

def PackConvWeights : Pass<"kiln-pack-conv-weights", "mlir::ModuleOp"> {
  let summary = "Pack a convolution's parameter weight once, in oneDNN's layout, for every call";
  let description = [{
    oneDNN's convolutions run with their weights in a blocked layout of their choosing; given
    plain OIHW weights, each call reorders them first — a pass over every weight of the network
    per call, a large share of a batch-1 ResNet's time. When a `kiln.conv2d`'s weight is
    computed from parameters alone, this pass makes it `kiln.conv2d_packed(x, w,
    kiln.conv2d_pack_weights(w), b)`; kiln-hoist-parameter-computations then moves the packing
    into the prepare function, which runs when a parameter changes. Inference graphs only: a
    training step changes the weights on every call.
  }];
  let dependentDialects = ["::kiln::ir::KilnDialect"];
}

def HoistParameterComputations : Pass<"kiln-hoist-parameter-computations", "mlir::ModuleOp"> {
  let summary = "Move what is computed from parameters alone into a `<name>_prepare` function";
  let description = [{
    A traced graph's `kiln.parameter` arguments change only when the user updates them, not
    from call to call. Every pure op whose operands are parameters, constants or other such ops
    moves into `@<name>_prepare`, which takes the parameter arguments (in order) and returns the
    values the graph still needs. The graph receives those as new trailing arguments marked
    `kiln.prepared`. The runtime reruns the prepare function only when a parameter's data
    version changes.
  }];
  let dependentDialects = ["mlir::func::FuncDialect"];
}

def VectorizeMatmul : Pass<"kiln-vectorize-matmul", "mlir::func::FuncOp"> {
  let summary = "Register-blocked vector kernels for small static linalg matmuls on memrefs";
  let description = [{
    Rewrites bufferized `linalg.matmul` (C += A·B) into a register-blocked kernel: blocks of up
    to 4 rows × 8 vectors of C (as many accumulators as the register file holds) live in
    registers, each step of the reduction broadcasts one element of A per row and does one fused
    multiply-add per accumulator. `lanes` and `registers` describe the target (16 and 32 for
    AVX-512, 8 and 16 for AVX2); codegen passes the host's. Rewrites `linalg.matmul_transpose_b`
    (C += A·Bᵀ) into dot products along the contiguous reduction axis, blocks of 2 rows × 4
    columns at a time. Tails are masked vectors, so any static shape is handled.

    Around a `linalg.matmul` it also fuses (matmul_epilogue.h): a constant C (a fill, possibly
    copied from a filled buffer) or a bias broadcast just before it becomes the accumulators'
    start, and the elementwise `linalg.generic` ops just after it that read C (bias add,
    activation, any arith/math body) run on the accumulators in registers, so only the last of
    them writes memory. A fusion that would store into a buffer the kernel still reads is
    refused.
  }];
  let options = [
    Option<"lanes", "lanes", "int64_t", /*default=*/"16", "f32 lanes in one vector register">,
    Option<"registers", "registers", "int64_t", /*default=*/"32", "vector registers of the target">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
                           "mlir::arith::ArithDialect", "mlir::memref::MemRefDialect"];
}

def PlanBuffers : Pass<"kiln-plan-buffers", "mlir::func::FuncOp"> {
  let summary = "Place a call's intermediate buffers in one arena by liveness (memory planning)";
  let description = [{
    Every static `memref.alloc` of the function's entry block that does not escape becomes a
    `memref.view` into one arena: buffers whose live ranges (from the allocation to the last
    use of it or of a view of it) do not overlap share bytes, the largest placed first at the
    lowest free offset, 64-byte aligned. The arena is a stack buffer when it fits
    `stack-budget-bytes` (so small graphs allocate nothing per call), otherwise one heap buffer
    per call from kiln's block cache. Runs before the deallocation pipeline, which then frees
    only the arena.
  }];
  let options = [
    Option<"stackBudgetBytes", "stack-budget-bytes", "int64_t", /*default=*/"65536",
           "Largest arena a call keeps on the stack">,
  ];
  let dependentDialects = ["mlir::memref::MemRefDialect", "mlir::arith::ArithDialect"];
}

def ComputeUpdatesInPlace : Pass<"kiln-compute-updates-in-place", "mlir::func::FuncOp"> {
  let summary = "Compute an in-place update straight into its argument's buffer";
  let description = [{
    An argument updated in place is materialized in its own buffer
    (`bufferization.materialize_in_destination`, from lower-kiln-to-linalg), which costs a copy
    of the new value. When the value comes from an all-parallel linalg.generic that writes a
    fresh tensor element for element, and nothing reads the argument (or a view of it) after
    that op, the op's init becomes the argument: one-shot-bufferize then computes the value in
    place, and the copy is a copy onto itself (which kiln-drop-updated-results removes).
    Upstream `eliminate-empty-tensors` does this without the read check, and after elementwise
    fusion (a reduction that re-reads the old value) that makes bufferization fail.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect"];
}

def DropUpdatedResults : Pass<"kiln-drop-updated-results", "mlir::func::FuncOp"> {
  let summary = "Remove the results that update an argument in place";
  let description = [{
    A result marked `kiln.updates = j` is argument j's new value. lower-kiln-to-linalg
    materializes it in the argument's buffer (`bufferization.materialize_in_destination`, the
    argument `bufferization.writable`), so after one-shot-bufferize the result is argument j
    itself. This pass checks that and removes the result: the caller's array for argument j
    holds the new value after the call, and no out-parameter is passed for it. A result that is
    not its argument's buffer is an error (bufferization broke the contract), never a silent copy.
    Where the value was computed in place, bufferization leaves a copy of the buffer onto itself;
    the pass removes it.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def FuseProductUpdates : Pass<"kiln-fuse-product-updates", "mlir::ModuleOp"> {
  let summary = "Apply an in-place update that is linear in a oneDNN product inside the product";
  let description = [{
    On bufferized code: a product `t = op(a)·op(b)` through `kiln_rt_dot` whose only reader is
    an all-parallel linalg.generic writing argument `w` in place as `β·w + α·t` (SGD's step
    `w − lr·rescale·t` on a weight gradient), where α is arithmetic on 0-d function arguments
    and β a constant, becomes `kiln_rt_dot_accumulate(a, b, w, α, β)`: oneDNN scales the product
    and adds `β·w` in its epilogue, so the gradient is never stored and the weight is read and
    written once. Refused when anything between the product and the update uses `w`, when the
    product reads `w`, or when the body is not linear (a clip, a weight scaled by a runtime
    value, an offset).
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::memref::MemRefDialect", "mlir::func::FuncDialect"];
}

def DistinctResults : Pass<"kiln-distinct-results", "mlir::func::FuncOp"> {
  let summary = "Return each buffer once: a repeated result becomes a copy";
  let description = [{
    CSE can make two results of a graph one value (two gradients that are the same sum, an
    output the backward also saves). `buffer-results-to-out-params` writes each returned buffer
    into its own out-parameter and cannot return one buffer twice, nor (with
    `hoist-static-allocs`, in MLIR 19) a function argument: on bufferized functions this pass gives
    each repeat of a returned memref, and each returned argument, a fresh buffer holding a copy
    (which the out-parameter then replaces).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def FuseConvActivation : Pass<"kiln-fuse-conv-activation", "mlir::func::FuncOp"> {
  let summary = "Apply a relu that only reads a packed convolution inside the convolution's call";
  let description = [{
    A `kiln.relu` whose operand is a `kiln.conv2d_packed` result with no other reader becomes
    the convolution's `activation = "relu"`. The runtime then makes the result a few images at a
    time and applies relu to each part while it is still in cache, instead of a separate pass
    over the whole result once it has left it. The relu is kiln's (NaN stays NaN), not oneDNN's
    post-op.
  }];
  let dependentDialects = ["::kiln::ir::KilnDialect"];
}

def KeepBlockedLayout : Pass<"kiln-keep-blocked-layout", "mlir::func::FuncOp"> {
  let summary = "Keep activations in oneDNN's blocked layout from one convolution to the next";
  let description = [{
    oneDNN's convolutions run on activations blocked by channel (nChw16c on AVX-512, nChw8c on
    AVX2). Given NCHW data, each `kiln.conv2d_packed` reorders its data into that layout and its
    result back out, around every call. This pass lets a packed convolution whose output
    channels fill whole blocks give its result blocked (`result_layout`), followed by a
    `kiln.reorder_activations` to NCHW; carries that reorder past per-element ops (relu, add of
    two such values: they compute each element from the same position, whatever the order) and
    past pools (`layout` on max_pool2d and avg_pool2d: a channel's windows are the same in either
    layout, and the reorder then moves the pool's smaller output); and lets a convolution whose
    data comes out of such a reorder read the blocked value directly (`data_layout`). A Dense
    layer on the flattened values (`fully_connected` of a reshape to batch × c·h·w, with a
    parameter weight) reads the blocked values too: its weight is put into the blocked order
    instead, which kiln-hoist-parameter-computations does once per parameter version. Reorders
    then remain only where a value leaves the blocked chain (an output, an op that needs NCHW).
    Convolutions that run in nhwc (channel counts that blocks would pad;
    kernels::conv2d_runs_blocked) and grouped ones keep NCHW.
  }];
  let options = [Option<"block", "block", "int64_t", "16", "channels per block: 16 (AVX-512) or 8 (AVX2)">];
  let dependentDialects = ["::kiln::ir::KilnDialect"];
}

def ApproximateExp : Pass<"kiln-approximate-exp", "mlir::func::FuncOp"> {
  let summary = "Expand f32 math.exp into MLIR's polynomial approximation, so its loops vectorise";
  let description = [{
    Lowered as a call to libm's `expf`, an exponential keeps the loop around it scalar: LLVM's
    loop vectorizer cannot widen an opaque call. This pass rewrites each f32 `math.exp` (scalar
    or vector) into MLIR's range reduction and polynomial (`populateMathPolynomialApproximationPatterns`,
    applied to the exp ops alone), which is plain arithmetic that vectorises with the rest of
    the loop body: sigmoid, softmax and their relatives. NaN (passed through by a select),
    infinities and overflow to +inf are kept; a subnormal result may come out as 0.
    tests/special_values_test.cc bounds the error: 2 ulps up to x = 88.6, 5 from there to
    overflow. The expansion's floor and fma become LLVM intrinsics here: convert-math-to-libm,
    which runs first, would make each a libm call, once per vector lane.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect", "mlir::math::MathDialect", "mlir::vector::VectorDialect",
                           "mlir::LLVM::LLVMDialect"];
}

#endif  // KILN_PASSES_TD
