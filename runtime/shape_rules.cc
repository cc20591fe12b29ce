#include "runtime/shape_rules.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "runtime/error.h"

namespace kiln::shape_rules {

Shape broadcast(std::string_view op, const Shape& a, const Shape& b) {
  return broadcast_shapes(a, b, std::string(op).c_str());
}

Shape dot(const Shape& a, const Shape& b, bool transpose_a, bool transpose_b) {
  if (a.size() != 2 || b.size() != 2)
    throw ShapeError(fmt("dot: expects 2-D operands, got ", shape_str(a), " and ", shape_str(b)));
  int64_t m = transpose_a ? a[1] : a[0], k = transpose_a ? a[0] : a[1];
  int64_t k2 = transpose_b ? b[1] : b[0], n = transpose_b ? b[0] : b[1];
  if (k != k2)
    throw ShapeError(fmt("dot: shapes ", shape_str(a), (transpose_a ? " (transposed)" : ""), " and ", shape_str(b),
                         (transpose_b ? " (transposed)" : ""), " do not align: inner extents ", k, " vs ", k2));
  return {m, n};
}

Shape fully_connected(const Shape& x, const Shape& w, const Shape* bias) {
  if (x.size() != 2 || w.size() != 2)
    throw ShapeError(fmt("fully_connected: expects 2-D data and weight, got data ", shape_str(x), " and weight ",
                         shape_str(w)));
  if (x[1] != w[1])
    throw ShapeError(fmt("fully_connected: data ", shape_str(x), " has ", x[1], " features but weight ", shape_str(w),
                         " expects ", w[1]));
  if (bias && *bias != Shape{w[0]})
    throw ShapeError(fmt("fully_connected: bias shape ", shape_str(*bias), " does not match ", w[0], " units"));
  return {x[0], w[0]};
}

Shape reduce_kept(const Shape& x, std::optional<int> axis) {
  Shape kept = x;
  for (size_t i = 0; i < kept.size(); ++i)
    if (!axis || static_cast<int>(i) == *axis) kept[i] = 1;
  return kept;
}

Shape reduce(std::string_view op, const Shape& x, std::optional<int64_t> axis, bool keepdims) {
  std::string name(op);
  if (num_elements(x) == 0) throw ShapeError(fmt(name, ": cannot reduce an empty array of shape ", shape_str(x)));
  std::optional<int> resolved;
  if (axis) resolved = normalize_axis(*axis, x.size(), name.c_str());
  if (keepdims) return reduce_kept(x, resolved);
  if (!resolved) return {1};  // MXNet 1.x: a full reduction has shape (1,)
  Shape out = x;
  out.erase(out.begin() + *resolved);
  return out;
}

Shape reshape(const Shape& x, const Shape& target) {
  Shape out = target;
  Shape known_extents;  // the target without its -1 (counted, with overflow checks, below)
  int inferred = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (inferred >= 0) throw ShapeError(fmt("reshape: target ", shape_str(out), " has more than one -1 extent"));
      inferred = static_cast<int>(i);
    } else if (out[i] < 0) {
      throw ShapeError(fmt("reshape: target shape has a negative extent ", out[i]));
    } else {
      known_extents.push_back(out[i]);
    }
  }
  int64_t known = num_elements(known_extents);
  int64_t total = num_elements(x);
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      throw ShapeError(fmt("reshape: cannot infer the -1 extent of ", shape_str(target), " for ", total, " elements"));
    out[inferred] = total / known;
  }
  if (num_elements(out) != total)
    throw ShapeError(fmt("reshape: cannot reshape ", shape_str(x), " (", total, " elements) to ", shape_str(out), " (",
                         num_elements(out), " elements)"));
  return out;
}

Shape transpose(const Shape& x, const std::vector<int64_t>& perm) {
  std::vector<int64_t> sorted = perm, identity(x.size());
  std::sort(sorted.begin(), sorted.end());
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    throw ValueError(fmt("transpose: axes must be a permutation of 0..", x.size() - 1, " for shape ", shape_str(x)));
  Shape out(x.size());
  for (size_t i = 0; i < x.size(); ++i) out[i] = x[perm[i]];
  return out;
}

Shape concat(std::span<const Shape> parts, int64_t axis_in) {
  if (parts.empty()) throw ValueError("concat: needs at least one array");
  int axis = normalize_axis(axis_in, parts[0].size(), "concat");
  Shape out = parts[0];
  for (size_t p = 1; p < parts.size(); ++p) {
    bool fits = parts[p].size() == out.size();
    for (size_t i = 0; fits && i < out.size(); ++i) fits = static_cast<int>(i) == axis || parts[p][i] == out[i];
    if (!fits)
      throw ShapeError(fmt("concat: array ", p, " has shape ", shape_str(parts[p]), ", which does not match ",
                           shape_str(parts[0]), " except on axis ", axis));
    out[axis] += parts[p][axis];
  }
  return out;
}

Shape slice_axis(const Shape& x, int64_t axis_in, int64_t begin, int64_t end) {
  int axis = normalize_axis(axis_in, x.size(), "slice_axis");
  if (begin < 0 || end > x[axis] || begin > end)
    throw ValueError(fmt("slice_axis: [", begin, ", ", end, ") is out of range for axis ", axis, " of shape ",
                         shape_str(x)));
  Shape out = x;
  out[axis] = end - begin;
  return out;
}

Shape broadcast_to(const Shape& x, const Shape& target) {
  if (!can_broadcast_to(x, target))
    throw ShapeError(fmt("broadcast_to: shape ", shape_str(x), " cannot be broadcast to ", shape_str(target)));
  return target;
}

Shape sum_to(const Shape& x, const Shape& target) {
  if (!can_broadcast_to(target, x))
    throw ShapeError(fmt("sum_to: shape ", shape_str(x), " cannot be summed to ", shape_str(target)));
  return target;
}

Shape softmax(std::string_view op, const Shape& x, int64_t axis) {
  std::string name(op);
  int a = normalize_axis(axis, x.size(), name.c_str());
  if (x[a] == 0) throw ShapeError(fmt(name, ": axis ", a, " of shape ", shape_str(x), " is empty"));
  return x;
}

Shape pick(const Shape& x, const Shape& index, int64_t axis, bool keepdims) {
  int a = normalize_axis(axis, x.size(), "pick");
  Shape want = x;
  want.erase(want.begin() + a);
  if (index != want)
    throw ShapeError(fmt("pick: index of shape ", shape_str(index), " for data of shape ", shape_str(x), " along axis ", a,
                         "; expected index shape ", shape_str(want)));
  if (x[a] == 0) throw ShapeError(fmt("pick: axis ", a, " of shape ", shape_str(x), " is empty"));
  if (!keepdims) return want;
  Shape kept = x;
  kept[a] = 1;
  return kept;
}

Shape one_hot(const Shape& indices, int64_t depth) {
  if (depth <= 0) throw ValueError(fmt("one_hot: depth must be positive; got ", depth));
  Shape out = indices;
  out.push_back(depth);
  num_elements(out);  // checked: a shape too large for memory is a ShapeError
  return out;
}

namespace {

// The window's own checks: strides and dilation at least 1, padding not negative.
void check_window(const std::string& op, const Window2D& w) {
  for (int i = 0; i < 2; ++i) {
    if (w.strides[i] < 1) throw ValueError(fmt(op, ": strides must be at least 1, got (", w.strides[0], ", ", w.strides[1], ")"));
    if (w.dilation[i] < 1)
      throw ValueError(fmt(op, ": dilation must be at least 1, got (", w.dilation[0], ", ", w.dilation[1], ")"));
    if (w.padding[i] < 0)
      throw ValueError(fmt(op, ": padding must not be negative, got (", w.padding[0], ", ", w.padding[1], ")"));
  }
}

// The output extent along one axis; ShapeError when the (dilated) window is larger than the
// padded input.
int64_t window_output(const std::string& op, const Shape& x, int64_t extent, int64_t kernel, int64_t stride, int64_t pad,
                      int64_t dilation, const char* axis) {
  int64_t span = dilation * (kernel - 1) + 1, padded = extent + 2 * pad;
  if (span > padded)
    throw ShapeError(fmt(op, ": the window (", span, " along ", axis, ") is larger than the padded input (", padded,
                         ": input ", shape_str(x), ", padding ", pad, ")"));
  return (padded - span) / stride + 1;
}

}  // namespace

kernels::ConvGeometry conv2d(std::string_view op_name, const Shape& x, const Shape& w, const Shape* bias,
                             const Window2D& win, int64_t groups) {
  std::string op(op_name);
  if (x.size() != 4)
    throw ShapeError(fmt(op, ": expects 4-D data (batch, channels, height, width), got ", shape_str(x)));
  if (w.size() != 4) throw ShapeError(fmt(op, ": expects a 4-D weight (out, in / groups, kh, kw), got ", shape_str(w)));
  if (groups < 1) throw ValueError(fmt(op, ": groups must be at least 1, got ", groups));
  check_window(op, win);
  if (x[1] == 0 || w[0] == 0)
    throw ShapeError(fmt(op, ": needs at least one input and one output channel; data ", shape_str(x), ", weight ",
                         shape_str(w)));
  if (x[1] % groups != 0 || w[0] % groups != 0)
    throw ShapeError(fmt(op, ": ", groups, " groups must divide the input's ", x[1], " channels and the weight's ", w[0],
                         " output channels"));
  if (w[1] != x[1] / groups)
    throw ShapeError(fmt(op, ": data ", shape_str(x), " has ", x[1], " channels but weight ", shape_str(w), " expects ",
                         w[1] * groups, groups > 1 ? fmt(" (", groups, " groups)") : std::string()));
  if (bias && *bias != Shape{w[0]})
    throw ShapeError(fmt(op, ": bias shape ", shape_str(*bias), " does not match ", w[0], " output channels"));
  kernels::ConvGeometry g{x[0], x[1], x[2], x[3], w[0], w[2], w[3], 0, 0, win.strides[0], win.strides[1],
                          win.padding[0], win.padding[1], win.dilation[0], win.dilation[1], groups};
  g.oh = window_output(op, x, x[2], w[2], win.strides[0], win.padding[0], win.dilation[0], "height");
  g.ow = window_output(op, x, x[3], w[3], win.strides[1], win.padding[1], win.dilation[1], "width");
  return g;
}

Shape conv2d_output(const kernels::ConvGeometry& g) { return {g.n, g.o, g.oh, g.ow}; }

kernels::PoolGeometry pool2d(std::string_view op_name, const Shape& x, std::array<int64_t, 2> kernel,
                             const Window2D& win, kernels::PoolKind kind) {
  std::string op(op_name);
  if (x.size() != 4)
    throw ShapeError(fmt(op, ": expects 4-D data (batch, channels, height, width), got ", shape_str(x)));
  check_window(op, win);
  if (kernel[0] < 1 || kernel[1] < 1)
    throw ValueError(fmt(op, ": the window must be at least 1x1, got ", kernel[0], "x", kernel[1]));
  for (int i = 0; i < 2; ++i)
    if (win.padding[i] >= kernel[i])
      throw ValueError(fmt(op, ": padding (", win.padding[i], ") must be smaller than the window (", kernel[i], ")"));
  kernels::PoolGeometry g{x[0], x[1], x[2], x[3], 0, 0, kernel[0], kernel[1], win.strides[0], win.strides[1],
                          win.padding[0], win.padding[1], kind};
  g.oh = window_output(op, x, x[2], kernel[0], win.strides[0], win.padding[0], 1, "height");
  g.ow = window_output(op, x, x[3], kernel[1], win.strides[1], win.padding[1], 1, "width");
  return g;
}

Shape pool2d_output(const kernels::PoolGeometry& g) { return {g.n, g.c, g.oh, g.ow}; }

std::array<int64_t, 2> pair(std::span<const int64_t> v, std::array<int64_t, 2> fallback, const char* name) {
  if (v.empty()) return fallback;
  if (v.size() != 2) throw ValueError(fmt(name, " takes two values (height, width), got ", v.size()));
  return {v[0], v[1]};
}

Window2D window2d(std::span<const int64_t> strides, std::span<const int64_t> padding, std::span<const int64_t> dilation) {
  return {pair(strides, {1, 1}, "strides"), pair(padding, {0, 0}, "padding"), pair(dilation, {1, 1}, "dilation")};
}

kernels::PoolKind pool_kind(std::string_view op, bool count_include_pad) {
  if (op.starts_with("max")) return kernels::PoolKind::Max;
  return count_include_pad ? kernels::PoolKind::AvgIncludePad : kernels::PoolKind::AvgExcludePad;
}

namespace {
Shape checked_out_grad(std::string_view op, const Shape& forward_output, const Shape& out_grad, const Shape& result) {
  if (forward_output != out_grad)
    throw ShapeError(fmt(std::string(op), ": the output gradient's shape ", shape_str(out_grad),
                         " is not the forward's output ", shape_str(forward_output)));
  return result;
}
}  // namespace

Shape conv2d_backward_data(std::string_view op, const Shape& out_grad, const Shape& weight, const Shape& data,
                           const Window2D& window, int64_t groups) {
  return checked_out_grad(op, conv2d_output(conv2d(op, data, weight, nullptr, window, groups)), out_grad, data);
}

Shape conv2d_backward_weights(std::string_view op, const Shape& out_grad, const Shape& data, const Shape& weight,
                              const Window2D& window, int64_t groups) {
  return checked_out_grad(op, conv2d_output(conv2d(op, data, weight, nullptr, window, groups)), out_grad, weight);
}

Shape pool2d_grad(std::string_view op, const Shape& out_grad, const Shape& data, std::array<int64_t, 2> kernel,
                  const Window2D& window, kernels::PoolKind kind) {
  return checked_out_grad(op, pool2d_output(pool2d(op, data, kernel, window, kind)), out_grad, data);
}

Shape random(std::string_view op, const Shape& shape) {
  for (int64_t d : shape)
    if (d < 0) throw ShapeError(fmt(op, ": shape ", shape_str(shape), " has a negative extent"));
  return shape;
}

void random_uniform_range(float low, float high) {
  if (!(low <= high)) throw ValueError(fmt("random.uniform: low (", low, ") must not exceed high (", high, ")"));
}
void random_normal_scale(float stddev) {
  if (!(stddev >= 0)) throw ValueError(fmt("random.normal: scale (", stddev, ") must be non-negative"));
}

kernels::NormGeometry batch_norm(std::string_view op, const Shape& x,
                                 std::initializer_list<std::pair<const char*, const Shape*>> per_channel) {
  if (x.size() < 2 || x[0] <= 0 || x[1] <= 0)
    throw ShapeError(fmt(op, ": expects data with a batch and a channel axis (n×c or n×c×h×w), got ", shape_str(x)));
  int64_t s = 1;
  for (size_t i = 2; i < x.size(); ++i) s *= x[i];
  for (const auto& [name, shape] : per_channel)
    if (*shape != Shape{x[1]})
      throw ShapeError(fmt(op, ": ", name, " of shape ", shape_str(*shape), " does not match data ", shape_str(x),
                           ": expected one value per channel (", x[1], ")"));
  return {x[0], x[1], s};
}

Shape same_as_data(std::string_view op, const Shape& out_grad, const Shape& x) {
  return checked_out_grad(op, x, out_grad, x);
}

}  // namespace kiln::shape_rules
