// The shape rule of every op, written once: the eager dispatcher and the IR's result-type
// inference both call these. Each validates its operands and throws ShapeError or ValueError
// naming the op and the shapes.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <utility>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "runtime/kernels/batch_norm.h"
#include "runtime/kernels/convolution.h"
#include "runtime/kernels/pooling.h"
#include "runtime/shape.h"

namespace kiln::shape_rules {

// A 2-D window's stride, zero padding (each side) and dilation along height and width.
struct Window2D {
  std::array<int64_t, 2> strides{1, 1}, padding{0, 0}, dilation{1, 1};
};

// NumPy broadcasting of two operands of the elementwise op `op`.
Shape broadcast(std::string_view op, const Shape& a, const Shape& b);
// 2-D matrix product op(a)·op(b).
Shape dot(const Shape& a, const Shape& b, bool transpose_a, bool transpose_b);
// x (batch×in) · weightᵀ (units×in) [+ bias (units)].
Shape fully_connected(const Shape& x, const Shape& weight, const Shape* bias);
// Reduction `op` over `axis` (all axes when empty).
Shape reduce(std::string_view op, const Shape& x, std::optional<int64_t> axis, bool keepdims);
// The reduced shape with the reduced axes kept as extent 1.
Shape reduce_kept(const Shape& x, std::optional<int> axis);
// `target` may hold one -1 extent, inferred from x's element count.
Shape reshape(const Shape& x, const Shape& target);
Shape transpose(const Shape& x, const std::vector<int64_t>& perm);
Shape concat(std::span<const Shape> parts, int64_t axis);
Shape slice_axis(const Shape& x, int64_t axis, int64_t begin, int64_t end);
Shape broadcast_to(const Shape& x, const Shape& target);
Shape sum_to(const Shape& x, const Shape& target);
// softmax / log_softmax `op` along `axis`: x's shape (x must not be empty along it).
Shape softmax(std::string_view op, const Shape& x, int64_t axis);
// pick: x's element at `index` along `axis`; index has x's shape without that axis.
Shape pick(const Shape& x, const Shape& index, int64_t axis, bool keepdims);
// one_hot: the indices' shape with `depth` appended.
Shape one_hot(const Shape& indices, int64_t depth);

// conv2d: data n×c×h×w, weight o×(c/groups)×kh×kw [+ bias (o)] -> n×o×oh×ow, with Gluon's output
// size ⌊(h + 2·pad − dilation·(kh − 1) − 1) / stride⌋ + 1. `op` names the op in errors.
kernels::ConvGeometry conv2d(std::string_view op, const Shape& x, const Shape& weight, const Shape* bias,
                             const Window2D& window, int64_t groups);
Shape conv2d_output(const kernels::ConvGeometry& g);
// max_pool2d / avg_pool2d `op`: a `kernel` window over n×c×h×w (the "valid" convention).
kernels::PoolGeometry pool2d(std::string_view op, const Shape& x, std::array<int64_t, 2> kernel, const Window2D& window,
                             kernels::PoolKind kind);
Shape pool2d_output(const kernels::PoolGeometry& g);
// A (height, width) attribute from its values (`fallback` when there are none), and a window
// from three of them; ValueError naming `name` for any other count.
std::array<int64_t, 2> pair(std::span<const int64_t> values, std::array<int64_t, 2> fallback, const char* name);
Window2D window2d(std::span<const int64_t> strides, std::span<const int64_t> padding, std::span<const int64_t> dilation);
// max_pool2d* is Max; avg_pool2d* counts the padding or not.
kernels::PoolKind pool_kind(std::string_view op, bool count_include_pad);
// The backward ops, each the shape of the gradient it gives; ShapeError unless `out_grad` is the
// shape the forward produces.
Shape conv2d_backward_data(std::string_view op, const Shape& out_grad, const Shape& weight, const Shape& data,
                           const Window2D& window, int64_t groups);
Shape conv2d_backward_weights(std::string_view op, const Shape& out_grad, const Shape& data, const Shape& weight,
                              const Window2D& window, int64_t groups);
Shape pool2d_grad(std::string_view op, const Shape& out_grad, const Shape& data, std::array<int64_t, 2> kernel,
                  const Window2D& window, kernels::PoolKind kind);

// random_uniform / random_normal: a draw of `shape` (no negative extent).
Shape random(std::string_view op, const Shape& shape);
// ValueError unless low ≤ high (uniform) / stddev ≥ 0 (normal).
void random_uniform_range(float low, float high);
void random_normal_scale(float stddev);
// Batch normalisation over axis 1 of x (n×c×...): its geometry, ShapeError unless x has a batch
// and a channel axis and each named per-channel operand (gamma, mean, ...) has shape (c).
kernels::NormGeometry batch_norm(std::string_view op, const Shape& x,
                                 std::initializer_list<std::pair<const char*, const Shape*>> per_channel = {});
// The shape of `out_grad` checked against x's (the backward op's data gradient has x's shape).
Shape same_as_data(std::string_view op, const Shape& out_grad, const Shape& x);

}  // namespace kiln::shape_rules
