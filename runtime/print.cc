// MXNet's text form of an array: NumPy-style nested brackets, then "<NDArray 2x10 @cpu(0)>".
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>

#include "runtime/array.h"

namespace kiln {
namespace {

constexpr int64_t kSummariseAbove = 1000;  // NumPy's threshold for "..." summaries
constexpr int64_t kEdgeItems = 3;
constexpr size_t kLineWidth = 75;

// One format for every element, as NumPy does: fixed notation unless the magnitudes need
// scientific notation.
struct ElementFormat {
  bool scientific = false;
  int width = 0;
  std::string operator()(float v) const {
    char buf[32];
    if (std::isnan(v) || std::isinf(v))
      std::snprintf(buf, sizeof buf, "%*s", width, std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    else if (scientific)
      std::snprintf(buf, sizeof buf, "%*.8e", width, static_cast<double>(v));
    else
      std::snprintf(buf, sizeof buf, "%*.8f", width, static_cast<double>(v));
    return buf;
  }
};

ElementFormat choose_format(const float* data, int64_t n) {
  float max_abs = 0, min_abs = INFINITY;
  for (int64_t i = 0; i < n; ++i) {
    float a = std::fabs(data[i]);
    if (!std::isfinite(a)) continue;
    max_abs = std::max(max_abs, a);
    if (a > 0) min_abs = std::min(min_abs, a);
  }
  ElementFormat f;
  f.scientific = max_abs >= 1e8f || (min_abs < 1e-4f && min_abs > 0);
  f.width = 0;
  for (int64_t i = 0; i < n; ++i) f.width = std::max<int>(f.width, static_cast<int>(f(data[i]).size()));
  return f;
}

void print_axis(std::ostream& out, const Array& a, const ElementFormat& fmt, size_t axis, int64_t offset,
                bool summarise, size_t indent) {
  const Shape& shape = a.shape();
  int64_t n = shape[axis];
  int64_t stride = 1;
  for (size_t i = axis + 1; i < shape.size(); ++i) stride *= shape[i];
  auto shown = [&](int64_t i) { return !summarise || n <= 2 * kEdgeItems || i < kEdgeItems || i >= n - kEdgeItems; };
  out << '[';
  if (axis + 1 == shape.size()) {
    size_t column = indent + 1;
    for (int64_t i = 0; i < n; ++i) {
      if (!shown(i)) {
        if (i == kEdgeItems) out << " ...";
        continue;
      }
      std::string item = fmt(a.data()[offset + i]);
      if (i > 0 && column + item.size() + 1 > kLineWidth) {
        out << '\n' << std::string(indent + 1, ' ');
        column = indent + 1;
      } else if (i > 0) {
        out << ' ';
        ++column;
      }
      out << item;
      column += item.size();
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      if (!shown(i)) {
        if (i == kEdgeItems) out << "\n" << std::string(indent + 1, ' ') << "...";
        continue;
      }
      if (i > 0) out << std::string(shape.size() - axis - 1, '\n') << std::string(indent + 1, ' ');
      print_axis(out, a, fmt, axis + 1, offset + i * stride, summarise, indent + 1);
    }
  }
  out << ']';
}

}  // namespace

std::string Array::str() const {
  std::ostringstream out;
  out << *this;
  return out.str();
}

std::ostream& operator<<(std::ostream& out, const Array& a) {
  if (!a.defined()) return out << "<NDArray undefined>";
  ElementFormat fmt = choose_format(a.data(), a.size());
  if (a.ndim() == 0)
    out << fmt(a.data()[0]);
  else
    print_axis(out, a, fmt, 0, 0, a.size() > kSummariseAbove, 0);
  return out << "\n<NDArray " << shape_str(a.shape()) << " @cpu(0)>";
}

}  // namespace kiln
