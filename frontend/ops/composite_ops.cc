// Functions built from the primitive ops (Gluon's softmax family, pick, one_hot, clip,
// leaky_relu). Each is a few nd:: ops, so it runs eagerly, differentiates, traces, folds and
// compiles through its parts, as jax.nn builds log_softmax from lax primitives.
#include <numeric>

#include "frontend/nd.h"
#include "runtime/error.h"
#include "runtime/shape.h"

namespace kiln::nd {

namespace {

// x with `axis` moved last (the identity when it is last already), and the permutation that
// moves it back.
std::pair<NDArray, std::vector<int>> axis_last(const NDArray& x, int axis) {
  int rank = static_cast<int>(x.shape().size());
  if (axis == rank - 1) return {x, {}};
  std::vector<int> perm(rank), back(rank);
  std::iota(perm.begin(), perm.end(), 0);
  perm.erase(perm.begin() + axis);
  perm.push_back(axis);
  for (int i = 0; i < rank; ++i) back[perm[i]] = i;
  return {transpose(x, perm), back};
}

// x minus its maximum along `axis`: the shift that keeps exp() finite. Softmax does not depend
// on it, so no gradient flows through the maximum.
NDArray shifted(const NDArray& x, int axis) { return x - max(x, axis, /*keepdims=*/true).detach(); }

}  // namespace

NDArray softmax(const NDArray& x, int axis) {
  axis = normalize_axis(axis, x.shape().size(), "softmax");
  NDArray e = exp(shifted(x, axis));
  return e / sum(e, axis, /*keepdims=*/true);
}

NDArray log_softmax(const NDArray& x, int axis) {
  axis = normalize_axis(axis, x.shape().size(), "log_softmax");
  NDArray s = shifted(x, axis);
  return s - log(sum(exp(s), axis, /*keepdims=*/true));
}

void check_indices(const NDArray& indices, int64_t depth, const char* op) {
  // Computed with ops and compared through asscalar(), so a compiled graph checks it too: a
  // guard whose failure leaves the compiled code and reaches this error on the host.
  NDArray outside = sum(lesser(indices, full({}, 0.f)) + greater(indices, full({}, static_cast<float>(depth - 1))));
  if (outside.asscalar() == 0.f) return;
  std::vector<float> values = indices.to_vector();
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i] < 0 || values[i] > static_cast<float>(depth - 1))
      throw ValueError(fmt(op, ": label ", values[i], " (at flat index ", i, ") is out of range [0, ", depth, ")"));
}

NDArray one_hot(const NDArray& indices, int64_t depth) {
  if (depth <= 0) throw ValueError(fmt("one_hot: depth must be positive; got ", depth));
  std::vector<float> iota(static_cast<size_t>(depth));
  std::iota(iota.begin(), iota.end(), 0.f);
  Shape column = indices.shape();
  column.push_back(1);
  return equal(reshape(indices, column), array(iota));
}

NDArray pick(const NDArray& x, const NDArray& index, int axis, bool keepdims) {
  axis = normalize_axis(axis, x.shape().size(), "pick");
  Shape want = x.shape();
  want.erase(want.begin() + axis);
  if (index.shape() != want)
    throw ShapeError(fmt("pick: index of shape ", shape_str(index.shape()), " for data of shape ", shape_str(x.shape()),
                         " along axis ", axis, "; expected index shape ", shape_str(want)));
  int64_t depth = x.shape()[axis];
  check_indices(index, depth, "pick");
  auto [last, back] = axis_last(x, axis);
  NDArray picked = sum(last * one_hot(index, depth), -1, keepdims);
  return keepdims && !back.empty() ? transpose(picked, back) : picked;
}

NDArray clip(const NDArray& x, float low, float high) {
  if (!(low <= high)) throw ValueError(fmt("clip: low (", low, ") must not exceed high (", high, ")"));
  return minimum(maximum(x, full({}, low)), full({}, high));
}

NDArray leaky_relu(const NDArray& x, float alpha) { return maximum(x, x * alpha); }

}  // namespace kiln::nd
