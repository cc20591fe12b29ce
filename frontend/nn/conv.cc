#include "frontend/nn/conv.h"

#include "frontend/nn/activation.h"
#include "runtime/error.h"

namespace kiln::nn {

Conv2D::Conv2D(int64_t channels, Pair kernel_size, Pair strides, Pair padding, Pair dilation, int64_t groups,
               std::string activation, bool use_bias, int64_t in_channels)
    : Conv2D(Conv2DOptions{channels, kernel_size, strides, padding, dilation, groups, std::move(activation), use_bias,
                           in_channels}) {}

Conv2D::Conv2D(const Conv2DOptions& o) : options_(o) {
  if (o.channels <= 0) throw ValueError(fmt("Conv2D: channels must be positive, got ", o.channels));
  if (o.kernel_size.h <= 0 || o.kernel_size.w <= 0)
    throw ValueError(fmt("Conv2D: kernel_size must be positive, got (", o.kernel_size.h, ", ", o.kernel_size.w, ")"));
  if (o.strides.h <= 0 || o.strides.w <= 0)
    throw ValueError(fmt("Conv2D: strides must be positive, got (", o.strides.h, ", ", o.strides.w, ")"));
  if (o.dilation.h <= 0 || o.dilation.w <= 0)
    throw ValueError(fmt("Conv2D: dilation must be positive, got (", o.dilation.h, ", ", o.dilation.w, ")"));
  if (o.padding.h < 0 || o.padding.w < 0)
    throw ValueError(fmt("Conv2D: padding must not be negative, got (", o.padding.h, ", ", o.padding.w, ")"));
  if (o.groups <= 0 || o.channels % o.groups != 0 || o.in_channels % o.groups != 0)
    throw ValueError(fmt("Conv2D: groups (", o.groups, ") must be positive and divide channels (", o.channels,
                         ") and in_channels (", o.in_channels, ")"));
  if (o.in_channels < 0) throw ValueError(fmt("Conv2D: in_channels must be non-negative (0 = inferred), got ", o.in_channels));
  check_activation(o.activation);
  weight = params().get("weight", {o.channels, o.in_channels / o.groups, o.kernel_size.h, o.kernel_size.w});
  if (o.use_bias) bias = params().get("bias", {o.channels}, GradReq::Write, std::make_shared<init::Zero>());
}

NDArray Conv2D::forward(const NDArray& x) {
  const Conv2DOptions& o = options_;
  if (x.ndim() != 4)
    throw ShapeError(fmt(display_name(), ": expects 4-D input (batch, channels, height, width), got ", shape_str(x.shape())));
  int64_t channels = x.shape()[1];
  if (channels % o.groups != 0)
    throw ShapeError(fmt(display_name(), ": input of shape ", shape_str(x.shape()), " has ", channels,
                         " channels, which ", o.groups, " groups do not divide"));
  try {
    weight->infer_shape({o.channels, channels / o.groups, o.kernel_size.h, o.kernel_size.w});
    NDArray y = nd::conv2d(x, weight->data(), bias ? bias->data() : NDArray(),
                           {o.strides.array(), o.padding.array(), o.dilation.array(), o.groups});
    return activate(o.activation, y);
  } catch (const ShapeError& e) {
    if (weight->shape()[1] * o.groups != channels)
      throw ShapeError(fmt(display_name(), ": input of shape ", shape_str(x.shape()), " has ", channels,
                           " channels but the layer's weight ", shape_str(weight->shape()), " expects ",
                           weight->shape()[1] * o.groups));
    throw ShapeError(fmt(display_name(), ": ", e.what()));
  } catch (const InitError& e) {
    throw_uninitialized(e);
  }
}

std::string Conv2D::extra_repr() const {
  const Conv2DOptions& o = options_;
  int64_t in = weight->shape()[1] * o.groups;
  return fmt(in ? std::to_string(in) : "None", " -> ", o.channels, ", kernel_size=(", o.kernel_size.h, ", ",
             o.kernel_size.w, "), stride=(", o.strides.h, ", ", o.strides.w, ")",
             o.activation.empty() ? std::string() : ", " + o.activation);
}

}  // namespace kiln::nn
