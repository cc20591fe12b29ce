// kiln::nd: the array functions, named as in MXNet's mxnet.nd (nd::dot, nd::relu, nd::concat...).
// Each applies one OpDef through dispatch(), so autograd sees every one of them.
// Threads: any op may run on several threads at once, reading the same arrays; writing an array
// (in place, or through data()) while another thread uses it is a race.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "frontend/ndarray.h"

namespace kiln::nd {

// Creation (no history).
NDArray array(const std::vector<float>& values, Shape shape = {});  // 1-D unless `shape` is given
NDArray zeros(const Shape& shape);
NDArray ones(const Shape& shape);
NDArray full(const Shape& shape, float value);

// Elementwise, NumPy broadcasting for binary ops.
NDArray add(const NDArray& a, const NDArray& b);
NDArray subtract(const NDArray& a, const NDArray& b);
NDArray multiply(const NDArray& a, const NDArray& b);
NDArray divide(const NDArray& a, const NDArray& b);
NDArray maximum(const NDArray& a, const NDArray& b);
NDArray minimum(const NDArray& a, const NDArray& b);
NDArray equal(const NDArray& a, const NDArray& b);    // 0/1, no gradient
NDArray greater(const NDArray& a, const NDArray& b);  // 0/1, no gradient
NDArray lesser(const NDArray& a, const NDArray& b);   // 0/1, no gradient
// x where condition ≠ 0, else y (all three broadcast); the other branch's value never enters
// the result, so an inf or NaN there does no harm. Gradients reach x and y, not the condition.
NDArray where(const NDArray& condition, const NDArray& x, const NDArray& y);
NDArray relu(const NDArray& x);
NDArray sigmoid(const NDArray& x);
NDArray tanh(const NDArray& x);
NDArray exp(const NDArray& x);
NDArray log(const NDArray& x);
NDArray negative(const NDArray& x);
NDArray sqrt(const NDArray& x);
NDArray square(const NDArray& x);
NDArray abs(const NDArray& x);
NDArray softrelu(const NDArray& x);  // log(1 + e^x), Gluon's softrelu (softplus), overflow-free
NDArray softsign(const NDArray& x);  // x / (1 + |x|)

// Matrix products. dot(a, b): a's last axis against b's first (1-D and N-D as MXNet's dot);
// transpose flags apply to 2-D operands.
NDArray dot(const NDArray& a, const NDArray& b, bool transpose_a = false, bool transpose_b = false);
// Gluon's FullyConnected: x (batch×in) · weightᵀ (weight is units×in) + bias (units), if given.
NDArray fully_connected(const NDArray& x, const NDArray& weight, const NDArray& bias = NDArray());

// Reductions: all elements (shape {1}) or one axis.
NDArray sum(const NDArray& x, std::optional<int> axis = {}, bool keepdims = false);
NDArray mean(const NDArray& x, std::optional<int> axis = {}, bool keepdims = false);
NDArray max(const NDArray& x, std::optional<int> axis = {}, bool keepdims = false);
NDArray norm(const NDArray& x);
// The index of the largest element (the first on ties; NaN counts as largest), as a float
// (MXNet's argmax); no gradient.
NDArray argmax(const NDArray& x, std::optional<int> axis = {}, bool keepdims = false);

// Layout.
NDArray reshape(const NDArray& x, Shape shape);  // one -1 extent may be inferred
NDArray transpose(const NDArray& x, std::vector<int> perm = {});  // default: reverse the axes
NDArray concat(const std::vector<NDArray>& parts, int dim = 1);   // MXNet's default dim is 1
NDArray slice_axis(const NDArray& x, int axis, int64_t begin, int64_t end);
NDArray broadcast_to(const NDArray& x, const Shape& shape);
// Sums `x` down to `shape` (the reverse of broadcast_to): the gradient of broadcasting.
NDArray sum_to(const NDArray& x, const Shape& shape);

// Neural-network ops (frontend/ops/nn_ops.cc).
NDArray softmax(const NDArray& x, int axis = -1);
NDArray log_softmax(const NDArray& x, int axis = -1);  // x - logsumexp(x), shifted by the maximum
// x's element at `index` (an array of x's shape without `axis`, holding whole numbers) along
// `axis`; ValueError naming the label and the range when one is out of range.
NDArray pick(const NDArray& x, const NDArray& index, int axis = -1, bool keepdims = false);
// 1 where the last axis equals the index, else 0: shape index.shape() + (depth).
NDArray one_hot(const NDArray& indices, int64_t depth);

// Convolution and pooling on NCHW arrays (frontend/ops/conv_ops.cc; convolutions through oneDNN). Output
// extents follow Gluon: ⌊(h + 2·pad − dilation·(k − 1) − 1) / stride⌋ + 1.
struct Conv2DOptions {
  std::array<int64_t, 2> strides{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
};
// x (n×c×h×w) ⋆ weight (o×(c/groups)×kh×kw) + bias (o), if given: n×o×oh×ow.
NDArray conv2d(const NDArray& x, const NDArray& weight, const NDArray& bias = NDArray(), const Conv2DOptions& options = {});
// The transposed convolution (Gluon's Deconvolution): the gradient of conv2d's data, with weight
// (c × o/groups × kh × kw) for x (n×c×h×w) and output n×o×oh×ow, oh = (h − 1)·stride − 2·pad +
// dilation·(k − 1) + output_padding + 1.
NDArray conv2d_transpose(const NDArray& x, const NDArray& weight, const NDArray& bias = NDArray(),
                         const Conv2DOptions& options = {}, std::array<int64_t, 2> output_padding = {0, 0});
// The maximum / mean of each kernel window (padding counts as −∞ for the maximum; for the mean,
// as zeros when count_include_pad, else it is left out of the count).
NDArray max_pool2d(const NDArray& x, std::array<int64_t, 2> kernel, std::array<int64_t, 2> strides,
                   std::array<int64_t, 2> padding = {0, 0});
NDArray avg_pool2d(const NDArray& x, std::array<int64_t, 2> kernel, std::array<int64_t, 2> strides,
                   std::array<int64_t, 2> padding = {0, 0}, bool count_include_pad = true);

// Batch normalisation over axis 1 of n×c or n×c×h×w data (frontend/ops/norm_ops.cc, oneDNN's
// primitives). batch_norm_stats gives each channel's mean and biased variance (2×c, no
// gradient); batch_norm computes (x − mean) / √(var + epsilon) · gamma + beta per channel, with
// `batch_stats` when mean and var are x's own statistics (training: x's gradient then counts
// their dependence on it), without when they are fixed (running averages).
NDArray batch_norm_stats(const NDArray& x);
NDArray batch_norm(const NDArray& x, const NDArray& gamma, const NDArray& beta, const NDArray& mean, const NDArray& var,
                   float epsilon = 1e-5f, bool batch_stats = false);

// Built from the ops above (frontend/ops/composite_ops.cc): they differentiate, trace and
// compile through their parts.
// ValueError unless every index is in [0, depth); inside a compiled graph, a guard.
void check_indices(const NDArray& indices, int64_t depth, const char* op);
NDArray clip(const NDArray& x, float low, float high);
NDArray leaky_relu(const NDArray& x, float alpha);  // max(x, alpha·x), alpha in [0, 1]

namespace random {
void seed(uint64_t value);
NDArray uniform(float low, float high, const Shape& shape);
inline NDArray uniform(const Shape& shape) { return uniform(0.f, 1.f, shape); }
NDArray normal(float loc, float scale, const Shape& shape);
inline NDArray normal(const Shape& shape) { return normal(0.f, 1.f, shape); }
}  // namespace random

}  // namespace kiln::nd
