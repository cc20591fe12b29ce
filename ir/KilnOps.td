// The kiln ops. Each infers its result type with the frontend's shape rule (the verifier checks
// a written result type against it) and is pure.
#ifndef KILN_OPS_TD
#define KILN_OPS_TD

include "ir/KilnDialect.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// Ops that compute each element of the result from the elements at the same position of their
// operands (unary and binary elementwise ops). With operands of the result's shape they commute
// with any reordering of the elements, such as a change of layout (kiln-keep-blocked-layout).
def Kiln_PerElement : NativeOpTrait<"PerElement"> { let cppNamespace = "::kiln::ir"; }

// -----------------------------------------------------------------------------------------
// Constants

def Kiln_ConstantOp : Kiln_Op<"constant", [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "a constant tensor (get_constant values, scalars)";
  let description = [{
    A value baked into the compiled graph: a `get_constant` parameter or a scalar operand.

    ```mlir
    %c = kiln.constant dense<1.0> : tensor<f32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

// -----------------------------------------------------------------------------------------
// Elementwise

class Kiln_UnaryOp<string mnemonic, string what> : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor, Kiln_PerElement]> {
  let summary = what;
  let description = [{
    Applies the function to every element; the result has the operand's type.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x : tensor<2x20xf32> -> tensor<2x20xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  // Constant operands fold to the value the runtime's kernels compute (ir/constant_eval.h).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::kiln::ir::evaluate_constant(*this, adaptor.getOperands());
    }
  }];
}

def Kiln_ReluOp : Kiln_UnaryOp<"relu", "max(x, 0)">;
def Kiln_SigmoidOp : Kiln_UnaryOp<"sigmoid", "1 / (1 + exp(-x))">;
def Kiln_TanhOp : Kiln_UnaryOp<"tanh", "hyperbolic tangent">;
def Kiln_ExpOp : Kiln_UnaryOp<"exp", "e^x">;
def Kiln_LogOp : Kiln_UnaryOp<"log", "natural logarithm">;
def Kiln_NegativeOp : Kiln_UnaryOp<"negative", "-x">;
def Kiln_SqrtOp : Kiln_UnaryOp<"sqrt", "square root">;
def Kiln_SquareOp : Kiln_UnaryOp<"square", "x * x">;
def Kiln_AbsOp : Kiln_UnaryOp<"abs", "|x|">;
def Kiln_SoftreluOp : Kiln_UnaryOp<"softrelu", "log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|))">;
def Kiln_SoftsignOp : Kiln_UnaryOp<"softsign", "x / (1 + |x|)">;

class Kiln_BinaryOp<string mnemonic, string what> : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor, Kiln_PerElement]> {
  let summary = what;
  let description = [{
    Elementwise with NumPy broadcasting: the result's shape is the broadcast of both shapes.
    Comparisons give 1.0 where true and 0.0 where false.

    ```mlir
    %z = kiln.}] # mnemonic # [{ %x, %b : tensor<2x3xf32>, tensor<3xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
  // Constant operands fold to the value the runtime's kernels compute (ir/constant_eval.h).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::kiln::ir::evaluate_constant(*this, adaptor.getOperands());
    }
  }];
}

def Kiln_AddOp : Kiln_BinaryOp<"add", "lhs + rhs">;
def Kiln_SubtractOp : Kiln_BinaryOp<"subtract", "lhs - rhs">;
def Kiln_MultiplyOp : Kiln_BinaryOp<"multiply", "lhs * rhs">;
def Kiln_DivideOp : Kiln_BinaryOp<"divide", "lhs / rhs">;
def Kiln_MaximumOp : Kiln_BinaryOp<"maximum", "max(lhs, rhs)">;
def Kiln_MinimumOp : Kiln_BinaryOp<"minimum", "min(lhs, rhs)">;
def Kiln_EqualOp : Kiln_BinaryOp<"equal", "lhs == rhs as 1.0 / 0.0">;
def Kiln_GreaterOp : Kiln_BinaryOp<"greater", "lhs > rhs as 1.0 / 0.0">;
def Kiln_LesserOp : Kiln_BinaryOp<"lesser", "lhs < rhs as 1.0 / 0.0">;

def Kiln_WhereOp : Kiln_Op<"where", [Pure, InferTypeOpAdaptor, Kiln_PerElement]> {
  let summary = "x where condition ≠ 0, else y";
  let description = [{
    Elementwise selection with NumPy broadcasting of all three operands (NaN in the condition
    counts as true). The value not taken never enters the result.

    ```mlir
    %z = kiln.where %c, %x, %y : tensor<4xf32>, tensor<4xf32>, tensor<f32> -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$condition, Kiln_Tensor:$x, Kiln_Tensor:$y);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$condition `,` $x `,` $y attr-dict `:` type($condition) `,` type($x) `,` type($y) `->` type($result)";
  // Constant operands fold to the value the runtime's kernels compute (ir/constant_eval.h).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::kiln::ir::evaluate_constant(*this, adaptor.getOperands());
    }
  }];
}

// -----------------------------------------------------------------------------------------
// Matrix products

def Kiln_DotOp : Kiln_Op<"dot", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D matrix product op(lhs) · op(rhs)";
  let description = [{
    `transpose_a` / `transpose_b` read the operand as its transpose (no copy is implied).

    ```mlir
    %c = kiln.dot %a, %b {transpose_b = true} : tensor<2x20xf32>, tensor<256x20xf32> -> tensor<2x256xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_a,
                       DefaultValuedAttr<BoolAttr, "false">:$transpose_b);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
  // Constant operands fold to the value the runtime's kernels compute (ir/constant_eval.h).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::kiln::ir::evaluate_constant(*this, adaptor.getOperands());
    }
  }];
}

def Kiln_FullyConnectedOp : Kiln_Op<"fully_connected", [Pure, InferTypeOpAdaptor]> {
  let summary = "Gluon's FullyConnected: data · weightᵀ (+ bias)";
  let description = [{
    Dense's core. `data` is batch×in, `weight` units×in, the optional `bias` has `units`
    elements. (A relu after it is a kiln.relu: kiln-vectorize-matmul fuses it into generated
    products; oneDNN's relu post-op is not used, as it turns NaN into 0.)

    ```mlir
    %y = kiln.fully_connected %x, %w, %b : tensor<2x20xf32>, tensor<256x20xf32>, tensor<256xf32> -> tensor<2x256xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$data, Kiln_Tensor:$weight, Optional<Kiln_Tensor>:$bias);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $weight (`,` $bias^)? attr-dict `:` type($data) `,` type($weight) (`,` type($bias)^)? `->` type($result)
  }];
  // Constant operands fold to the value the runtime's kernels compute (ir/constant_eval.h).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::kiln::ir::evaluate_constant(*this, adaptor.getOperands());
    }
  }];
}

// -----------------------------------------------------------------------------------------
// Reductions

class Kiln_ReduceOp<string mnemonic, string what> : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = what;
  let description = [{
    Reduces over `axis`, or over all elements when `axis` is absent (the result then has
    shape 1, as MXNet 1.x). `keepdims` keeps reduced axes as extent 1.

    ```mlir
    %s = kiln.}] # mnemonic # [{ %x {axis = 1 : i64} : tensor<2x3xf32> -> tensor<2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, OptionalAttr<I64Attr>:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  // Constant operands fold to the value the runtime's kernels compute (ir/constant_eval.h).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::kiln::ir::evaluate_constant(*this, adaptor.getOperands());
    }
  }];
}

def Kiln_SumOp : Kiln_ReduceOp<"sum", "sum of elements">;
def Kiln_MeanOp : Kiln_ReduceOp<"mean", "mean of elements">;
def Kiln_MaxOp : Kiln_ReduceOp<"max", "largest element">;
def Kiln_NormOp : Kiln_ReduceOp<"norm", "L2 norm: sqrt of the sum of squares">;
def Kiln_ArgmaxOp : Kiln_ReduceOp<"argmax", "index of the largest element as f32 (the first on ties; NaN counts as largest)">;

// -----------------------------------------------------------------------------------------
// Neural-network ops

class Kiln_SoftmaxOp<string mnemonic, string what> : Kiln_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = what;
  let description = [{
    Along `axis` (default the last), shifted by the maximum m: exp(x − m) / Σ exp(x − m) for
    softmax, (x − m) − log Σ exp(x − m) for log_softmax.

    ```mlir
    %y = kiln.}] # mnemonic # [{ %x {axis = 1 : i64} : tensor<2x10xf32> -> tensor<2x10xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  // Constant operands fold to the value the runtime's kernels compute (ir/constant_eval.h).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::kiln::ir::evaluate_constant(*this, adaptor.getOperands());
    }
  }];
}

def Kiln_SoftmaxOp : Kiln_SoftmaxOp<"softmax", "softmax along an axis">;
def Kiln_LogSoftmaxOp : Kiln_SoftmaxOp<"log_softmax", "log of softmax along an axis, computed as x − logsumexp(x)">;

def Kiln_PickOp : Kiln_Op<"pick", [Pure, InferTypeOpAdaptor]> {
  let summary = "the element at an index along an axis (a gather)";
  let description = [{
    `index` has the input's shape without `axis` and holds whole numbers; the result is the
    element at that position along `axis` (which `keepdims` keeps as extent 1). An index is
    clamped into range (the frontend checks the range before, with a guard in compiled code),
    so no read leaves the input.

    ```mlir
    %p = kiln.pick %x, %label {axis = 1 : i64} : tensor<256x10xf32>, tensor<256xf32> -> tensor<256xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_Tensor:$index, DefaultValuedAttr<I64Attr, "-1">:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keepdims);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input `,` $index attr-dict `:` type($input) `,` type($index) `->` type($result)";
  // Constant operands fold to the value the runtime's kernels compute (ir/constant_eval.h).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::kiln::ir::evaluate_constant(*this, adaptor.getOperands());
    }
  }];
}

def Kiln_OneHotOp : Kiln_Op<"one_hot", [Pure, InferTypeOpAdaptor]> {
  let summary = "1.0 where the appended axis equals the index, else 0.0";
  let description = [{
    ```mlir
    %h = kiln.one_hot %label {depth = 10 : i64} : tensor<256xf32> -> tensor<256x10xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$depth);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  // Constant operands fold to the value the runtime's kernels compute (ir/constant_eval.h).
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::kiln::ir::evaluate_constant(*this, adaptor.getOperands());
    }
  }];
}

// -----------------------------------------------------------------------------------------
// Convolution and pooling (NCHW; oneDNN's primitives through the runtime's C ABI)
//
// Each takes its window per spatial axis (height, width): `strides`, zero `padding` on both
// sides and, for conv2d, `dilation`; output extents are ⌊(h + 2·pad − dilation·(k − 1) − 1) /
// stride⌋ + 1 (Gluon's). The backward passes are ops of their own: compiled backward calls
// oneDNN's backward primitives. `shape` is the shape the backward op produces.

def Kiln_Conv2DOp : Kiln_Op<"conv2d", [Pure, InferTypeOpAdaptor]> {
  let summary = "2-D convolution: data (n×c×h×w) ⋆ weight (o×c/groups×kh×kw) (+ bias (o))";
  let description = [{
    ```mlir
    %y = kiln.conv2d %x, %w, %b {strides = array<i64: 1, 1>, padding = array<i64: 0, 0>,
           dilation = array<i64: 1, 1>, groups = 1 : i64}
         : tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32> -> tensor<8x16x30x30xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$data, Kiln_Tensor:$weight, Optional<Kiln_Tensor>:$bias, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $weight (`,` $bias^)? attr-dict `:` type($data) `,` type($weight) (`,` type($bias)^)? `->` type($result)
  }];
}

def Kiln_Conv2DBackwardDataOp : Kiln_Op<"conv2d_backward_data", [Pure, InferTypeOpAdaptor]> {
  let summary = "the gradient of conv2d's data: the transposed convolution of out_grad with weight";
  let arguments = (ins Kiln_Tensor:$out_grad, Kiln_Tensor:$weight, DenseI64ArrayAttr:$shape, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$out_grad `,` $weight attr-dict `:` type($out_grad) `,` type($weight) `->` type($result)";
}

def Kiln_Conv2DBackwardWeightsOp : Kiln_Op<"conv2d_backward_weights", [Pure, InferTypeOpAdaptor]> {
  let summary = "the gradient of conv2d's weight, from out_grad and the data";
  let arguments = (ins Kiln_Tensor:$out_grad, Kiln_Tensor:$data, DenseI64ArrayAttr:$shape, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$out_grad `,` $data attr-dict `:` type($out_grad) `,` type($data) `->` type($result)";
}

// Made by kiln-pack-conv-weights, never traced: a parameter's weight packed once (in the
// prepare function) into the layout oneDNN's forward primitive runs in, and the convolution
// that reads it.
def Kiln_Conv2DPackWeightsOp : Kiln_Op<"conv2d_pack_weights", [Pure, InferTypeOpAdaptor]> {
  let summary = "conv2d's weight packed for data of `data_shape` (a header, then oneDNN's layout)";
  let arguments = (ins Kiln_Tensor:$weight, DenseI64ArrayAttr:$data_shape, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilation, I64Attr:$groups);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$weight attr-dict `:` type($weight) `->` type($result)";
}

def Kiln_Conv2DPackedOp : Kiln_Op<"conv2d_packed", [Pure, InferTypeOpAdaptor]> {
  let summary = "conv2d with its weight also given packed (conv2d_pack_weights of the same window)";
  let description = [{
    `data_layout` and `result_layout` say how the data and the result hold their elements: 0 in
    NCHW order, 8 or 16 in oneDNN's nChw8c / nChw16c (channels in blocks of that many, innermost;
    the block divides the channel count, so the tensor's shape and size are those of NCHW). Set
    by kiln-keep-blocked-layout; a blocked tensor is read only by ops that agree on its layout.

    `activation` ("" or "relu", set by kiln-fuse-conv-activation) is applied to the result as the
    runtime makes it, a few images at a time while they are in cache, with kiln.relu's semantics
    (oneDNN's relu post-op would turn NaN into 0).
  }];
  let arguments = (ins Kiln_Tensor:$data, Kiln_Tensor:$weight, Kiln_Tensor:$packed, Optional<Kiln_Tensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding, DenseI64ArrayAttr:$dilation,
                       I64Attr:$groups, DefaultValuedAttr<I64Attr, "0">:$data_layout,
                       DefaultValuedAttr<I64Attr, "0">:$result_layout, DefaultValuedAttr<StrAttr, "\"\"">:$activation);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $weight `,` $packed (`,` $bias^)? attr-dict `:` type($data) `,` type($weight) `,` type($packed)
    (`,` type($bias)^)? `->` type($result)
  }];
}

// Made by kiln-keep-blocked-layout: the same n×c×h×w tensor with its elements moved from one
// layout to another (conv2d_packed's layouts: 0 NCHW, 8 or 16 blocked).
def Kiln_ReorderActivationsOp : Kiln_Op<"reorder_activations", [Pure, InferTypeOpAdaptor]> {
  let summary = "an n×c×h×w tensor's elements moved from layout `from` to layout `to`";
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$from, I64Attr:$to);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def Kiln_MaxPool2DOp : Kiln_Op<"max_pool2d", [Pure, InferTypeOpAdaptor]> {
  let summary = "the maximum of each kernel window (padding counts as −∞)";
  let description = [{
    Canonicalization pools before a relu that only the pool reads: `max_pool2d(relu(x))` is
    `relu(max_pool2d(x))` exactly (relu is non-decreasing, NaN stays NaN through both, and −0
    becomes +0 either way), and the relu then runs on the pool's smaller output.

    `layout` says how data and result hold their elements (conv2d_packed's layouts: 0 NCHW, 8 or
    16 blocked); set by kiln-keep-blocked-layout, so a pool reads the blocked activations a
    convolution gives and the reorder out of that layout moves the pool's smaller output.
  }];
  let arguments = (ins Kiln_Tensor:$data, DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       DefaultValuedAttr<I64Attr, "0">:$layout);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$data attr-dict `:` type($data) `->` type($result)";
  let hasCanonicalizer = 1;
}

def Kiln_MaxPool2DGradOp : Kiln_Op<"max_pool2d_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "max_pool2d's gradient: out_grad routed to each window's maximum in data";
  let arguments = (ins Kiln_Tensor:$out_grad, Kiln_Tensor:$data, DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$padding);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$out_grad `,` $data attr-dict `:` type($out_grad) `,` type($data) `->` type($result)";
}

def Kiln_AvgPool2DOp : Kiln_Op<"avg_pool2d", [Pure, InferTypeOpAdaptor]> {
  let summary = "the mean of each kernel window (padding counted as zeros when count_include_pad)";
  let description = [{ `layout` as max_pool2d's. }];
  let arguments = (ins Kiln_Tensor:$data, DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding,
                       BoolAttr:$count_include_pad, DefaultValuedAttr<I64Attr, "0">:$layout);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$data attr-dict `:` type($data) `->` type($result)";
}

def Kiln_AvgPool2DGradOp : Kiln_Op<"avg_pool2d_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "avg_pool2d's gradient: each window's share of out_grad spread over it";
  let arguments = (ins Kiln_Tensor:$out_grad, DenseI64ArrayAttr:$shape, DenseI64ArrayAttr:$kernel,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$padding, BoolAttr:$count_include_pad);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$out_grad attr-dict `:` type($out_grad) `->` type($result)";
}

// -----------------------------------------------------------------------------------------
// Batch normalisation over axis 1 (n×c or n×c×h×w data; oneDNN's primitives and kiln's loops
// through the runtime). `epsilon` is added to the variance.

def Kiln_BatchNormStatsOp : Kiln_Op<"batch_norm_stats", [Pure, InferTypeOpAdaptor]> {
  let summary = "each channel's mean and biased variance (2×c: the means, then the variances)";
  let arguments = (ins Kiln_Tensor:$data);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$data attr-dict `:` type($data) `->` type($result)";
}

def Kiln_BatchNormOp : Kiln_Op<"batch_norm", [Pure, InferTypeOpAdaptor]> {
  let summary = "(data − mean) / √(var + epsilon) · gamma + beta per channel";
  let description = [{
    `batch_stats`: mean and var are the data's own statistics (training), which its gradient
    (batch_norm_backward) then differentiates through; else they are fixed running averages.

    ```mlir
    %y = kiln.batch_norm %x, %gamma, %beta, %mean, %var {epsilon = 1.0e-05 : f32, batch_stats = false}
         : tensor<8x16x4x4xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32> -> tensor<8x16x4x4xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$data, Kiln_Tensor:$gamma, Kiln_Tensor:$beta, Kiln_Tensor:$mean, Kiln_Tensor:$var,
                       F32Attr:$epsilon, BoolAttr:$batch_stats);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $gamma `,` $beta `,` $mean `,` $var attr-dict `:` type($data) `,` type($gamma) `,` type($beta) `,`
    type($mean) `,` type($var) `->` type($result)
  }];
}

def Kiln_BatchNormBackwardOp : Kiln_Op<"batch_norm_backward", [Pure, InferTypeOpAdaptor]> {
  let summary = "batch_norm's data gradient (through the statistics too when batch_stats)";
  let arguments = (ins Kiln_Tensor:$out_grad, Kiln_Tensor:$data, Kiln_Tensor:$gamma, Kiln_Tensor:$mean,
                       Kiln_Tensor:$var, F32Attr:$epsilon, BoolAttr:$batch_stats);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $out_grad `,` $data `,` $gamma `,` $mean `,` $var attr-dict `:` type($out_grad) `,` type($data) `,` type($gamma) `,`
    type($mean) `,` type($var) `->` type($result)
  }];
}

def Kiln_BatchNormScaleShiftGradOp : Kiln_Op<"batch_norm_scale_shift_grad", [Pure, InferTypeOpAdaptor]> {
  let summary = "batch_norm's gamma and beta gradients (2×c: Σ out_grad · x̂, then Σ out_grad)";
  let arguments = (ins Kiln_Tensor:$out_grad, Kiln_Tensor:$data, Kiln_Tensor:$mean, Kiln_Tensor:$var, F32Attr:$epsilon);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = [{
    $out_grad `,` $data `,` $mean `,` $var attr-dict `:` type($out_grad) `,` type($data) `,` type($mean) `,` type($var)
    `->` type($result)
  }];
}

// -----------------------------------------------------------------------------------------
// Random draws. Not Pure: each execution draws the next numbers of kiln's process-wide
// generator (runtime/random.h), as the eager op does, so a seeded run draws the same values
// compiled or not; never folded, merged or hoisted.

def Kiln_RandomUniformOp : Kiln_Op<"random_uniform", [InferTypeOpAdaptor]> {
  let summary = "a tensor of `shape` drawn uniformly from [low, high)";
  let arguments = (ins DenseI64ArrayAttr:$shape, F32Attr:$low, F32Attr:$high);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

def Kiln_RandomNormalOp : Kiln_Op<"random_normal", [InferTypeOpAdaptor]> {
  let summary = "a tensor of `shape` drawn from the normal distribution N(mean, stddev²)";
  let arguments = (ins DenseI64ArrayAttr:$shape, F32Attr:$mean, F32Attr:$stddev);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "attr-dict `:` type($result)";
}

// -----------------------------------------------------------------------------------------
// Layout

def Kiln_ReshapeOp : Kiln_Op<"reshape", [Pure, InferTypeOpAdaptor]> {
  let summary = "the same elements in a new shape";
  let description = [{
    `shape` may hold one -1 extent, inferred from the element count.

    ```mlir
    %y = kiln.reshape %x {shape = array<i64: 3, -1>} : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Kiln_TransposeOp : Kiln_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "permutes the axes";
  let description = [{
    Result axis i is input axis `perm[i]`.

    ```mlir
    %t = kiln.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Kiln_ConcatOp : Kiln_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "joins tensors along an axis";
  let description = [{
    ```mlir
    %c = kiln.concat %a, %b {axis = 1 : i64} : tensor<2x10xf32>, tensor<2x16xf32> -> tensor<2x26xf32>
    ```
  }];
  let arguments = (ins Variadic<Kiln_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs) `->` type($result)";
  let hasFolder = 1;
}

def Kiln_SliceAxisOp : Kiln_Op<"slice_axis", [Pure, InferTypeOpAdaptor]> {
  let summary = "the elements in [begin, end) along one axis";
  let description = [{
    ```mlir
    %s = kiln.slice_axis %x {axis = 0 : i64, begin = 1 : i64, end = 3 : i64} : tensor<4x2xf32> -> tensor<2x2xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, I64Attr:$axis, I64Attr:$begin, I64Attr:$end);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Kiln_BroadcastToOp : Kiln_Op<"broadcast_to", [Pure, InferTypeOpAdaptor]> {
  let summary = "repeats the input along broadcast axes (NumPy rules)";
  let description = [{
    ```mlir
    %b = kiln.broadcast_to %x {shape = array<i64: 2, 3>} : tensor<2x1xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Kiln_SumToOp : Kiln_Op<"sum_to", [Pure, InferTypeOpAdaptor]> {
  let summary = "sums the input down to a shape it broadcasts from (broadcast_to's gradient)";
  let description = [{
    ```mlir
    %s = kiln.sum_to %x {shape = array<i64: 1, 3>} : tensor<2x3xf32> -> tensor<1x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

// -----------------------------------------------------------------------------------------
// Rows, for nd::foreach (scf.for over axis 0)

def Kiln_RowOp : Kiln_Op<"row", [Pure]> {
  let summary = "row `index` of axis 0 (the axis dropped)";
  let description = [{
    ```mlir
    %r = kiln.row %data[%i] : tensor<5x2x3xf32> -> tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Index:$index);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input `[` $index `]` attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Kiln_SetRowOp : Kiln_Op<"set_row", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "`input` with row `index` of axis 0 replaced by `value`";
  let description = [{
    ```mlir
    %y = kiln.set_row %acc[%i], %r : tensor<5x2x3xf32>, tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$input, Kiln_Tensor:$value, Index:$index);
  let results = (outs Kiln_Tensor:$result);
  let assemblyFormat = "$input `[` $index `]` `,` $value attr-dict `:` type($input) `,` type($value)";
  let hasVerifier = 1;
}

// -----------------------------------------------------------------------------------------
// Guards

def Kiln_CompareScalarOp : Kiln_Op<"compare_scalar", [Pure]> {
  let summary = "compares two one-element tensors on the host's terms: a guard's predicate";
  let description = [{
    What a hybridized forward did with a value it read on the host (`x.norm().asscalar() > 1`):
    the comparison, as an `i1` that compiled control flow (`scf.if`, `scf.while`) branches on.
    `predicate` is one of gt, ge, lt, le, eq, ne, with C++'s meaning for NaN (only `ne` holds).

    ```mlir
    %p = kiln.compare_scalar "gt" %n, %one : tensor<1xf32>, tensor<1xf32>
    ```
  }];
  let arguments = (ins Kiln_Tensor:$lhs, Kiln_Tensor:$rhs, StrAttr:$predicate);
  let results = (outs I1:$result);
  let assemblyFormat = "$predicate $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif  // KILN_OPS_TD
