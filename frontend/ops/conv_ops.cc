// Convolution and pooling (NCHW), Gluon's Convolution and Pooling: OpDefs over the runtime's
// kernels (runtime/kernels/convolution.h: oneDNN's primitives; pooling.h: kiln's loops). Each
// backward pass is an op of its own, so gradient rules trace and compiled backward calls the same
// backward kernels.
#include <algorithm>

#include "frontend/nd.h"
#include "frontend/op.h"
#include "runtime/error.h"
#include "runtime/kernels/convolution.h"
#include "runtime/kernels/pooling.h"
#include "runtime/shape_rules.h"

namespace kiln::nd {
namespace {

using shape_rules::Window2D;

Window2D window(const OpAttrs& a) { return shape_rules::window2d(a.strides, a.padding, a.dilation); }

kernels::ConvGeometry conv_geometry(const char* op, const Shape& x, const Shape& w, const OpAttrs& a,
                                    const Shape* bias = nullptr) {
  return shape_rules::conv2d(op, x, w, bias, window(a), a.groups);
}

NDArray conv2d_op(const NDArray& x, const NDArray& w, const NDArray& bias, const OpAttrs& a);
NDArray conv2d_backward_data(const NDArray& dy, const NDArray& w, const Shape& x_shape, const OpAttrs& a);
NDArray conv2d_backward_weights(const NDArray& dy, const NDArray& x, const Shape& w_shape, const OpAttrs& a);

// --- conv2d(x, w [, b]) ------------------------------------------------------------------------

Shape conv2d_shape(const OpDef&, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::conv2d_output(conv_geometry("conv2d", in[0], in[1], a, in.size() == 3 ? &in[2] : nullptr));
}
void conv2d_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::conv2d_forward(conv_geometry("conv2d", in[0].shape(), in[1].shape(), a), in[0].Array::data(),
                          in[1].Array::data(), in.size() == 3 ? in[2].Array::data() : nullptr, out.data());
}
std::vector<NDArray> conv2d_grad(const GradContext& c) {
  const NDArray &x = c.inputs[0], &w = c.inputs[1], &dy = c.out_grad;
  std::vector<NDArray> grads{c.needs(0) ? conv2d_backward_data(dy, w, x.shape(), c.attrs) : NDArray(),
                             c.needs(1) ? conv2d_backward_weights(dy, x, w.shape(), c.attrs) : NDArray()};
  if (c.inputs.size() == 3)  // over n, h, w
    grads.push_back(c.needs(2) ? sum(reshape(sum(dy, 0), {dy.shape()[1], -1}), 1) : NDArray());
  return grads;
}
const OpDef kConv2D{.name = "conv2d", .infer_shape = conv2d_shape, .compute = conv2d_compute, .gradient = conv2d_grad};

// --- conv2d_backward_data(dy, w) {shape = x's}, conv2d_backward_weights(dy, x) {shape = w's} ---
// conv2d_backward_data is also the transposed convolution (conv2d_transpose), so it has a
// gradient: the forward convolution for dy, the weight gradient with the roles of data and
// output gradient swapped for w. conv2d_backward_weights has none: autograd::grad makes no graph
// of a gradient, so nothing differentiates it.

Shape backward_data_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::conv2d_backward_data(op.name, in[0], in[1], a.shape, window(a), a.groups);
}
void backward_data_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::conv2d_backward_data(conv_geometry("conv2d_backward_data", a.shape, in[1].shape(), a), in[0].Array::data(),
                                in[1].Array::data(), out.data());
}
// y = backward_data(d, w): dL/dd = conv2d(dL/dy, w); dL/dw = backward_weights(d, dL/dy).
std::vector<NDArray> backward_data_grad(const GradContext& c) {
  const NDArray &d = c.inputs[0], &w = c.inputs[1], &gy = c.out_grad;
  OpAttrs window = c.attrs;
  window.shape = {};
  return {conv2d_op(gy, w, NDArray(), window), conv2d_backward_weights(d, gy, w.shape(), window)};
}
const OpDef kConv2DBackwardData{.name = "conv2d_backward_data",
                                .infer_shape = backward_data_shape,
                                .compute = backward_data_compute,
                                .gradient = backward_data_grad};

Shape backward_weights_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::conv2d_backward_weights(op.name, in[0], in[1], a.shape, window(a), a.groups);
}
void backward_weights_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::conv2d_backward_weights(conv_geometry("conv2d_backward_weights", in[1].shape(), a.shape, a),
                                   in[0].Array::data(), in[1].Array::data(), out.data());
}
const OpDef kConv2DBackwardWeights{
    .name = "conv2d_backward_weights", .infer_shape = backward_weights_shape, .compute = backward_weights_compute};

NDArray conv2d_op(const NDArray& x, const NDArray& w, const NDArray& bias, const OpAttrs& a) {
  if (bias.defined()) return dispatch(kConv2D, {x, w, bias}, a);
  return dispatch(kConv2D, {x, w}, a);
}
NDArray conv2d_backward_data(const NDArray& dy, const NDArray& w, const Shape& x_shape, const OpAttrs& a) {
  OpAttrs attrs = a;
  attrs.shape = x_shape;
  return dispatch(kConv2DBackwardData, {dy, w}, attrs);
}
NDArray conv2d_backward_weights(const NDArray& dy, const NDArray& x, const Shape& w_shape, const OpAttrs& a) {
  OpAttrs attrs = a;
  attrs.shape = w_shape;
  return dispatch(kConv2DBackwardWeights, {dy, x}, attrs);
}

// --- pools ------------------------------------------------------------------------------------

std::array<int64_t, 2> kernel(const OpAttrs& a) { return shape_rules::pair(a.kernel, {0, 0}, "kernel"); }
// The pool's geometry over input shape `x`; `op` is the OpDef's name.
kernels::PoolGeometry pool_geometry(std::string_view op, const Shape& x, const OpAttrs& a) {
  return shape_rules::pool2d(op, x, kernel(a), window(a), shape_rules::pool_kind(op, a.count_include_pad));
}

Shape pool_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::pool2d_output(pool_geometry(op.name, in[0], a));
}
void max_pool_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::pool2d_forward(pool_geometry("max_pool2d", in[0].shape(), a), in[0].Array::data(), out.data());
}
void avg_pool_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::pool2d_forward(pool_geometry("avg_pool2d", in[0].shape(), a), in[0].Array::data(), out.data());
}

// max_pool2d_grad(dy, x): dy routed to each window's maximum.
Shape max_pool_grad_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::pool2d_grad(op.name, in[0], in[1], kernel(a), window(a), kernels::PoolKind::Max);
}
void max_pool_grad_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::pool2d_backward(pool_geometry("max_pool2d_grad", in[1].shape(), a), in[0].Array::data(), in[1].Array::data(),
                           out.data());
}
const OpDef kMaxPool2DGrad{.name = "max_pool2d_grad", .infer_shape = max_pool_grad_shape, .compute = max_pool_grad_compute};

std::vector<NDArray> max_pool_grad(const GradContext& c) {
  return {dispatch(kMaxPool2DGrad, {c.out_grad, c.inputs[0]}, c.attrs)};
}
const OpDef kMaxPool2D{.name = "max_pool2d", .infer_shape = pool_shape, .compute = max_pool_compute, .gradient = max_pool_grad};

// avg_pool2d_grad(dy) {shape = x's}: each window's share of dy spread over it.
Shape avg_pool_grad_shape(const OpDef& op, std::span<const Shape> in, const OpAttrs& a) {
  return shape_rules::pool2d_grad(op.name, in[0], a.shape, kernel(a), window(a),
                                  shape_rules::pool_kind(op.name, a.count_include_pad));
}
void avg_pool_grad_compute(std::span<const NDArray> in, const OpAttrs& a, Array& out) {
  kernels::pool2d_backward(pool_geometry("avg_pool2d_grad", a.shape, a), in[0].Array::data(), nullptr, out.data());
}
const OpDef kAvgPool2DGrad{.name = "avg_pool2d_grad", .infer_shape = avg_pool_grad_shape, .compute = avg_pool_grad_compute};

std::vector<NDArray> avg_pool_grad(const GradContext& c) {
  OpAttrs attrs = c.attrs;
  attrs.shape = c.inputs[0].shape();
  return {dispatch(kAvgPool2DGrad, {c.out_grad}, attrs)};
}
const OpDef kAvgPool2D{.name = "avg_pool2d", .infer_shape = pool_shape, .compute = avg_pool_compute, .gradient = avg_pool_grad};

OpAttrs pool_attrs(std::array<int64_t, 2> kernel, std::array<int64_t, 2> strides, std::array<int64_t, 2> padding) {
  OpAttrs a;
  a.kernel = {kernel[0], kernel[1]};
  a.strides = {strides[0], strides[1]};
  a.padding = {padding[0], padding[1]};
  return a;
}

}  // namespace

NDArray conv2d(const NDArray& x, const NDArray& weight, const NDArray& bias, const Conv2DOptions& o) {
  OpAttrs a;
  a.strides = {o.strides[0], o.strides[1]};
  a.padding = {o.padding[0], o.padding[1]};
  a.dilation = {o.dilation[0], o.dilation[1]};
  a.groups = o.groups;
  return conv2d_op(x, weight, bias, a);
}

NDArray conv2d_transpose(const NDArray& x, const NDArray& weight, const NDArray& bias, const Conv2DOptions& o,
                         std::array<int64_t, 2> output_padding) {
  OpAttrs a;
  a.strides = {o.strides[0], o.strides[1]};
  a.padding = {o.padding[0], o.padding[1]};
  a.dilation = {o.dilation[0], o.dilation[1]};
  a.groups = o.groups;
  const Shape &xs = x.shape(), &ws = weight.shape();
  if (xs.size() != 4 || ws.size() != 4)
    throw ShapeError(fmt("conv2d_transpose: expects 4-D data and weight, got ", shape_str(xs), " and ", shape_str(ws)));
  for (int i = 0; i < 2; ++i)
    if (output_padding[i] < 0 || output_padding[i] >= std::max(o.strides[i], o.dilation[i]))
      throw ValueError(fmt("conv2d_transpose: output_padding (", output_padding[0], ", ", output_padding[1],
                           ") must be non-negative and below the stride or the dilation"));
  // The convolution this one transposes maps the output (n × ws[1]·groups × oh × ow) to x.
  auto extent = [&](int i) {
    return (xs[2 + i] - 1) * o.strides[i] - 2 * o.padding[i] + o.dilation[i] * (ws[2 + i] - 1) + output_padding[i] + 1;
  };
  Shape y{xs[0], ws[1] * o.groups, extent(0), extent(1)};
  if (y[2] <= 0 || y[3] <= 0)
    throw ShapeError(fmt("conv2d_transpose: data ", shape_str(xs), " and weight ", shape_str(ws),
                         " give an empty output ", shape_str(y), " (padding too large)"));
  NDArray out = conv2d_backward_data(x, weight, y, a);
  if (bias.defined()) out = out + reshape(bias, {-1, 1, 1});
  return out;
}

NDArray max_pool2d(const NDArray& x, std::array<int64_t, 2> kernel, std::array<int64_t, 2> strides,
                   std::array<int64_t, 2> padding) {
  return dispatch(kMaxPool2D, {x}, pool_attrs(kernel, strides, padding));
}

NDArray avg_pool2d(const NDArray& x, std::array<int64_t, 2> kernel, std::array<int64_t, 2> strides,
                   std::array<int64_t, 2> padding, bool count_include_pad) {
  OpAttrs a = pool_attrs(kernel, strides, padding);
  a.count_include_pad = count_include_pad;
  return dispatch(kAvgPool2D, {x}, a);
}

std::vector<const OpDef*> conv_ops() {
  return {&kConv2D, &kConv2DBackwardData, &kConv2DBackwardWeights, &kMaxPool2D, &kMaxPool2DGrad, &kAvgPool2D, &kAvgPool2DGrad};
}

}  // namespace kiln::nd
