#include "runtime/shape.h"

#include <cstddef>

#include "runtime/error.h"

namespace kiln {

int64_t num_elements(const Shape& shape) {
  int64_t n = 1;
  bool overflow = false, empty = false;
  for (int64_t d : shape) {
    if (d < 0) [[unlikely]]
      throw ShapeError(fmt("shape ", shape_str(shape), ": negative extent ", d));
    empty |= d == 0;
    overflow |= __builtin_mul_overflow(n, d, &n);
  }
  if (empty) return 0;  // whatever the other extents multiply to
  if (overflow) [[unlikely]]
    throw ShapeError(fmt("shape ", shape_str(shape), ": its element count does not fit in 64 bits"));
  return n;
}

size_t storage_bytes(const Shape& shape, size_t element_bytes) {
  int64_t n = num_elements(shape);
  int64_t bytes = 0;
  if (__builtin_mul_overflow(n, static_cast<int64_t>(element_bytes), &bytes) || bytes > PTRDIFF_MAX)
    throw ShapeError(fmt("shape ", shape_str(shape), ": ", n, " elements of ", element_bytes,
                         " bytes are more than any array can hold"));
  return static_cast<size_t>(bytes);
}

std::string shape_str(const Shape& shape) {
  if (shape.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s;
}

std::vector<int64_t> row_major_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw ShapeError(fmt(op, ": shapes ", shape_str(a), " and ", shape_str(b),
                           " cannot be broadcast together (axis ", i, ": ", da, " vs ", db, ")"));
    out[i] = da == 1 ? db : da;
  }
  return out;
}

bool can_broadcast_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i)
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  return true;
}

int normalize_axis(int64_t axis, size_t rank, const char* op) {
  int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r)
    throw ValueError(fmt(op, ": axis ", axis, " is out of range for an array of rank ", rank));
  return static_cast<int>(axis < 0 ? axis + r : axis);
}

}  // namespace kiln
