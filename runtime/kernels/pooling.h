// 2-D max and average pooling (NCHW, Gluon's Pooling with the "valid" convention), forward and
// backward, as loops over each plane (pooling.cc says why not oneDNN's).
#pragma once

#include <cstdint>

namespace kiln::kernels {

enum class PoolKind : int64_t { Max = 0, AvgIncludePad = 1, AvgExcludePad = 2 };

// Input n×c×h×w, output n×c×oh×ow; per axis the window, stride and zero padding (both sides).
struct PoolGeometry {
  int64_t n, c, h, w;
  int64_t oh, ow;
  int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  PoolKind kind;
  friend bool operator==(const PoolGeometry&, const PoolGeometry&) = default;
};

// `layout` as conv2d's (convolution.h): 0 NCHW, 8 or 16 oneDNN's nChw8c / nChw16c (the block
// divides c), for x and y alike.
void pool2d_forward(const PoolGeometry& g, const float* x, float* y, int64_t layout = 0);
// dx from dy; max pooling also reads x (it recomputes where each window's maximum is).
void pool2d_backward(const PoolGeometry& g, const float* dy, const float* x, float* dx);

}  // namespace kiln::kernels
