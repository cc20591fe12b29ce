// 2-D convolution (NCHW data, OIHW weights, Gluon's Convolution) through oneDNN's forward,
// backward-data and backward-weights primitives, each built once per geometry and thread.
#pragma once

#include <cstdint>

namespace kiln::kernels {

// One convolution's shapes: input n×c×h×w, weight o×(c/groups)×kh×kw, output n×o×oh×ow, and
// per spatial axis its stride, zero padding (both sides) and dilation.
struct ConvGeometry {
  int64_t n, c, h, w;
  int64_t o, kh, kw;
  int64_t oh, ow;
  int64_t stride_h, stride_w, pad_h, pad_w, dilate_h, dilate_w;
  int64_t groups;
  friend bool operator==(const ConvGeometry&, const ConvGeometry&) = default;
};

// y = x ⋆ w (+ bias[o] on every output channel; bias may be null).
void conv2d_forward(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y);
// dx from dy and the weight: the transposed convolution.
void conv2d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx);
// dw from dy and the input.
void conv2d_backward_weights(const ConvGeometry& g, const float* dy, const float* x, float* dw);

}  // namespace kiln::kernels
