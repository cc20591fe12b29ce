#include "frontend/nn/conv.h"

#include <algorithm>

#include "frontend/nn/activation.h"
#include "runtime/error.h"

namespace kiln::nn {


namespace {

// The checks both layers make of their options; `layer` names the layer in the message.
void validate(const char* layer, const Conv2DOptions& o) {
  if (o.channels <= 0) throw ValueError(fmt(layer, ": channels must be positive, got ", o.channels));
  if (o.kernel_size.h <= 0 || o.kernel_size.w <= 0)
    throw ValueError(fmt(layer, ": kernel_size must be positive, got (", o.kernel_size.h, ", ", o.kernel_size.w, ")"));
  if (o.strides.h <= 0 || o.strides.w <= 0)
    throw ValueError(fmt(layer, ": strides must be positive, got (", o.strides.h, ", ", o.strides.w, ")"));
  if (o.dilation.h <= 0 || o.dilation.w <= 0)
    throw ValueError(fmt(layer, ": dilation must be positive, got (", o.dilation.h, ", ", o.dilation.w, ")"));
  if (o.padding.h < 0 || o.padding.w < 0)
    throw ValueError(fmt(layer, ": padding must not be negative, got (", o.padding.h, ", ", o.padding.w, ")"));
  if (o.groups <= 0 || o.channels % o.groups != 0 || o.in_channels % o.groups != 0)
    throw ValueError(fmt(layer, ": groups (", o.groups, ") must be positive and divide channels (", o.channels,
                         ") and in_channels (", o.in_channels, ")"));
  if (o.in_channels < 0) throw ValueError(fmt(layer, ": in_channels must be non-negative (0 = inferred), got ", o.in_channels));
  check_activation(o.activation);
}

}  // namespace

ConvolutionLayer::ConvolutionLayer(const char* layer, const Conv2DOptions& o, const Shape& weight_shape, int in_axis)
    : options_(o), in_axis_(in_axis) {
  validate(layer, o);
  weight = params().get("weight", weight_shape);
  if (o.use_bias) bias = params().get("bias", {o.channels}, GradReq::Write, std::make_shared<init::Zero>());
}

int64_t ConvolutionLayer::input_channels(const NDArray& x) const {
  const Conv2DOptions& o = options_;
  if (x.ndim() != 4)
    throw ShapeError(fmt(display_name(), ": expects 4-D input (batch, channels, height, width), got ", shape_str(x.shape())));
  int64_t channels = x.shape()[1];
  if (channels % o.groups != 0)
    throw ShapeError(fmt(display_name(), ": input of shape ", shape_str(x.shape()), " has ", channels, " channels, which ",
                         o.groups, " groups do not divide"));
  int64_t expected = weight->shape()[in_axis_] * (in_axis_ == 1 ? o.groups : 1);
  if (expected && expected != channels)
    throw ShapeError(fmt(display_name(), ": input of shape ", shape_str(x.shape()), " has ", channels,
                         " channels but the layer's weight ", shape_str(weight->shape()), " expects ", expected));
  return channels;
}

std::string ConvolutionLayer::extra_repr() const {
  const Conv2DOptions& o = options_;
  int64_t in = weight->shape()[in_axis_] * (in_axis_ == 1 ? o.groups : 1);
  return fmt(in ? std::to_string(in) : "None", " -> ", o.channels, ", kernel_size=(", o.kernel_size.h, ", ",
             o.kernel_size.w, "), stride=(", o.strides.h, ", ", o.strides.w, ")",
             o.activation.empty() ? std::string() : ", " + o.activation);
}

Conv2D::Conv2D(int64_t channels, Pair kernel_size, Pair strides, Pair padding, Pair dilation, int64_t groups,
               std::string activation, bool use_bias, int64_t in_channels)
    : Conv2D(Conv2DOptions{channels, kernel_size, strides, padding, dilation, groups, std::move(activation), use_bias,
                           in_channels}) {}

Conv2D::Conv2D(const Conv2DOptions& o)
    : ConvolutionLayer("Conv2D", o, {o.channels, o.in_channels / std::max<int64_t>(o.groups, 1), o.kernel_size.h, o.kernel_size.w}, 1) {
  if (o.output_padding.h != 0 || o.output_padding.w != 0)
    throw ValueError("Conv2D: output_padding is Conv2DTranspose's option; a convolution has none");
}

NDArray Conv2D::forward(const NDArray& x) {
  const Conv2DOptions& o = options_;
  int64_t channels = input_channels(x);
  try {
    weight->infer_shape({o.channels, channels / o.groups, o.kernel_size.h, o.kernel_size.w});
    NDArray y = nd::conv2d(x, weight->data(), bias ? bias->data() : NDArray(),
                           {o.strides.array(), o.padding.array(), o.dilation.array(), o.groups});
    return activate(o.activation, y);
  } catch (const ShapeError& e) {
    throw ShapeError(fmt(display_name(), ": ", e.what()));
  } catch (const InitError& e) {
    throw_uninitialized(e);
  }
}

Conv2DTranspose::Conv2DTranspose(int64_t channels, Pair kernel_size, Pair strides, Pair padding, Pair output_padding,
                                 Pair dilation, int64_t groups, std::string activation, bool use_bias, int64_t in_channels)
    : Conv2DTranspose(Conv2DOptions{channels, kernel_size, strides, padding, dilation, groups, std::move(activation),
                                    use_bias, in_channels, output_padding}) {}

Conv2DTranspose::Conv2DTranspose(const Conv2DOptions& o)
    : ConvolutionLayer("Conv2DTranspose", o,
                       {o.in_channels, o.channels / std::max<int64_t>(o.groups, 1), o.kernel_size.h, o.kernel_size.w}, 0) {
  if (o.output_padding.h < 0 || o.output_padding.w < 0 ||
      o.output_padding.h >= std::max(o.strides.h, o.dilation.h) || o.output_padding.w >= std::max(o.strides.w, o.dilation.w))
    throw ValueError(fmt("Conv2DTranspose: output_padding (", o.output_padding.h, ", ", o.output_padding.w,
                         ") must be non-negative and below the strides or the dilation"));
}

NDArray Conv2DTranspose::forward(const NDArray& x) {
  const Conv2DOptions& o = options_;
  int64_t channels = input_channels(x);
  try {
    weight->infer_shape({channels, o.channels / o.groups, o.kernel_size.h, o.kernel_size.w});
    NDArray y = nd::conv2d_transpose(x, weight->data(), bias ? bias->data() : NDArray(),
                                     {o.strides.array(), o.padding.array(), o.dilation.array(), o.groups},
                                     o.output_padding.array());
    return activate(o.activation, y);
  } catch (const ShapeError& e) {
    throw ShapeError(fmt(display_name(), ": ", e.what()));
  } catch (const InitError& e) {
    throw_uninitialized(e);
  }
}

}  // namespace kiln::nn
