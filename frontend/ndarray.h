// kiln::NDArray: the user-facing array. A runtime Array (a shared handle to row-major, 64-byte
// aligned storage) plus the ops, each dispatched through frontend/dispatch.cc where autograd
// records it. Reads like MXNet's NDArray: x.norm().asscalar(), x /= 2, x.T(), x.attach_grad().
// Threads: handles may be copied and read on several threads; a write (in-place op, data())
// must not race with any other use of the same array.
#pragma once

#include <optional>
#include <vector>

#include "frontend/scalar.h"
#include "runtime/array.h"

namespace kiln {

// How backward() writes a leaf's gradient (Gluon's grad_req).
enum class GradReq { Null, Write, Add };

class NDArray : public Array {
 public:
  NDArray() = default;
  NDArray(const Array& a) : Array(a) {}  // NOLINT: every runtime array is usable as an NDArray
  explicit NDArray(Shape shape) : Array(std::move(shape)) {}

  // Shape and layout. reshape accepts one -1 extent (inferred), as MXNet does; it is a view.
  NDArray reshape(Shape shape) const;
  NDArray T() const;  // transpose of a 2-D array (all axes reversed in general)
  NDArray transpose(std::vector<int> perm) const;
  NDArray slice(int64_t begin, int64_t end) const;  // a copy of rows [begin, end) on axis 0

  // Reductions: over everything (shape {1}, as MXNet 1.x) or one axis.
  NDArray sum(std::optional<int> axis = {}, bool keepdims = false) const;
  NDArray mean(std::optional<int> axis = {}, bool keepdims = false) const;
  NDArray max(std::optional<int> axis = {}, bool keepdims = false) const;
  NDArray norm() const;  // L2 norm of all elements, shape {1}

  NDArray relu() const;
  NDArray sigmoid() const;
  NDArray tanh() const;
  NDArray exp() const;
  NDArray log() const;
  NDArray operator-() const;

  // In place, as in MXNet: the values change in this array's storage, so every handle to it
  // sees them. While autograd records an array that takes part in the graph, the update is
  // instead recorded as a new value that this handle then refers to.
  NDArray& operator+=(const NDArray& other);
  NDArray& operator-=(const NDArray& other);
  NDArray& operator*=(const NDArray& other);
  NDArray& operator/=(const NDArray& other);
  NDArray& operator+=(float s);
  NDArray& operator-=(float s);
  NDArray& operator*=(float s);
  NDArray& operator/=(float s);

  // The one value of a one-element array (ValueError otherwise), as a Scalar that reads as a
  // float. Inside a hybridized forward, comparing it records a guard (frontend/scalar.h).
  Scalar asscalar(std::source_location where = std::source_location::current()) const;
  // Whether the one value of a one-element array is non-zero (`if (x.norm() > 1)`, with the
  // comparison's 0/1 result); a guard inside a hybridized forward, like asscalar().
  explicit operator bool() const;

  // Host access to the values, as Array's. Inside a hybridized forward, using these on an array
  // the graph computes (or a parameter's) cannot be traced — what the forward does with the
  // numbers would be frozen — so the block runs eagerly, with a warning. Compare asscalar() or
  // the array itself instead: those become guards (docs/control_flow.md).
  float* data();
  const float* data() const;
  std::vector<float> to_vector() const;

  // A copy of the values in new storage. Under record() gradients flow through it unchanged
  // (as PyTorch's clone()); detach() is the way to cut them.
  NDArray copy() const;
  // The same values, cut off from the recorded graph (no gradient flows through it).
  NDArray detach() const;

  // Autograd: mark as a leaf that receives a gradient; read it; run backward from this array.
  void attach_grad(GradReq req = GradReq::Write);
  NDArray grad() const;
  void backward(const NDArray& head_grad = NDArray()) const;

 private:
  friend struct InPlace;
};

NDArray operator+(const NDArray& a, const NDArray& b);
NDArray operator-(const NDArray& a, const NDArray& b);
NDArray operator*(const NDArray& a, const NDArray& b);
NDArray operator/(const NDArray& a, const NDArray& b);
NDArray operator+(const NDArray& a, float s);
NDArray operator-(const NDArray& a, float s);
NDArray operator*(const NDArray& a, float s);
NDArray operator/(const NDArray& a, float s);
NDArray operator+(float s, const NDArray& a);
NDArray operator-(float s, const NDArray& a);
NDArray operator*(float s, const NDArray& a);
NDArray operator/(float s, const NDArray& a);
// Comparisons give 0/1 arrays, as in MXNet.
NDArray operator==(const NDArray& a, const NDArray& b);
NDArray operator>(const NDArray& a, const NDArray& b);
NDArray operator<(const NDArray& a, const NDArray& b);
NDArray operator>(const NDArray& a, float s);
NDArray operator<(const NDArray& a, float s);

}  // namespace kiln
