#include "frontend/nn/pooling.h"

#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::nn {
namespace {

Pair or_pool_size(Pair strides, Pair pool_size) { return {strides.h ? strides.h : pool_size.h, strides.w ? strides.w : pool_size.w}; }

void check_input(const std::string& layer, const NDArray& x) {
  if (x.ndim() != 4)
    throw ShapeError(fmt(layer, ": expects 4-D input (batch, channels, height, width), got ",
                         shape_str(x.shape())));
}

// Runs a pool, its errors named after the layer.
template <class F>
NDArray named(const std::string& layer, const NDArray& x, F pool) {
  check_input(layer, x);
  try {
    return pool();
  } catch (const ShapeError& e) {
    throw ShapeError(fmt(layer, ": ", e.what()));
  } catch (const ValueError& e) {
    throw ValueError(fmt(layer, ": ", e.what()));
  }
}

std::string window_repr(Pair size, Pair strides, Pair padding) {
  return fmt("size=(", size.h, ", ", size.w, "), stride=(", strides.h, ", ", strides.w, "), padding=(", padding.h, ", ",
             padding.w, ")");
}

}  // namespace

MaxPool2D::MaxPool2D(Pair pool_size, Pair strides, Pair padding)
    : pool_size_(pool_size), strides_(or_pool_size(strides, pool_size)), padding_(padding) {}

NDArray MaxPool2D::forward(const NDArray& x) {
  return named(display_name(), x, [&] { return nd::max_pool2d(x, pool_size_.array(), strides_.array(), padding_.array()); });
}
std::string MaxPool2D::extra_repr() const { return window_repr(pool_size_, strides_, padding_); }

AvgPool2D::AvgPool2D(Pair pool_size, Pair strides, Pair padding, bool count_include_pad)
    : pool_size_(pool_size), strides_(or_pool_size(strides, pool_size)), padding_(padding),
      count_include_pad_(count_include_pad) {}

NDArray AvgPool2D::forward(const NDArray& x) {
  return named(display_name(), x, [&] {
    return nd::avg_pool2d(x, pool_size_.array(), strides_.array(), padding_.array(), count_include_pad_);
  });
}
std::string AvgPool2D::extra_repr() const { return window_repr(pool_size_, strides_, padding_); }

NDArray GlobalMaxPool2D::forward(const NDArray& x) {
  return named(display_name(), x, [&] { return nd::max_pool2d(x, {x.shape()[2], x.shape()[3]}, {1, 1}); });
}

NDArray GlobalAvgPool2D::forward(const NDArray& x) {
  return named(display_name(), x, [&] { return nd::avg_pool2d(x, {x.shape()[2], x.shape()[3]}, {1, 1}); });
}

}  // namespace kiln::nn
