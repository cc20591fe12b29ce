// Shapes: row-major extents. Shape{} is a scalar (one element).
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace kiln {

using Shape = std::vector<int64_t>;

// Number of elements (1 for a scalar shape). Every array's shape passes through here, so this is
// the one place shapes are checked: ShapeError naming the shape if an extent is negative or the
// count does not fit in int64_t.
int64_t num_elements(const Shape& shape);

// The bytes an array of `shape` takes with elements of `element_bytes` each: ShapeError naming
// the shape if no allocation can be that large (more than PTRDIFF_MAX bytes).
size_t storage_bytes(const Shape& shape, size_t element_bytes);

// "2x10", as MXNet prints shapes; "scalar" for Shape{}.
std::string shape_str(const Shape& shape);

// Row-major strides in elements.
std::vector<int64_t> row_major_strides(const Shape& shape);

// NumPy broadcasting of two shapes; throws ShapeError naming `op` and both shapes.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);

// Whether `from` broadcasts to exactly `to` under NumPy's rules.
bool can_broadcast_to(const Shape& from, const Shape& to);

// Resolves a possibly negative axis against `rank`; throws ValueError naming `op`.
int normalize_axis(int64_t axis, size_t rank, const char* op);

}  // namespace kiln
