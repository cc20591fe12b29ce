#include "runtime/kernels/elementwise.h"

#include <algorithm>
#include <cmath>

#include "runtime/error.h"

namespace kiln::kernels {
namespace {

template <UnaryFn F>
inline float apply_unary(float x) {
  // ieee_maximum(x, 0.f) (NaN stays NaN, -0 becomes +0) as one select, so the loop vectorises.
  if constexpr (F == UnaryFn::Relu) return x <= 0.f ? 0.f : x;
  if constexpr (F == UnaryFn::Sigmoid) return 1.f / (1.f + std::exp(-x));
  if constexpr (F == UnaryFn::Tanh) return std::tanh(x);
  if constexpr (F == UnaryFn::Exp) return std::exp(x);
  if constexpr (F == UnaryFn::Log) return std::log(x);
  if constexpr (F == UnaryFn::Negative) return -x;
  if constexpr (F == UnaryFn::Sqrt) return std::sqrt(x);
  if constexpr (F == UnaryFn::Square) return x * x;
  if constexpr (F == UnaryFn::Abs) return std::fabs(x);
  // log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).
  if constexpr (F == UnaryFn::Softrelu) return ieee_maximum(x, 0.f) + std::log1p(std::exp(-std::fabs(x)));
  if constexpr (F == UnaryFn::Softsign) return x / (1.f + std::fabs(x));
}

template <BinaryFn F>
inline float apply_binary(float a, float b) {
  if constexpr (F == BinaryFn::Add) return a + b;
  if constexpr (F == BinaryFn::Sub) return a - b;
  if constexpr (F == BinaryFn::Mul) return a * b;
  if constexpr (F == BinaryFn::Div) return a / b;
  if constexpr (F == BinaryFn::Maximum) return ieee_maximum(a, b);
  if constexpr (F == BinaryFn::Minimum) return ieee_minimum(a, b);
  if constexpr (F == BinaryFn::Equal) return a == b ? 1.f : 0.f;
  if constexpr (F == BinaryFn::Greater) return a > b ? 1.f : 0.f;
  if constexpr (F == BinaryFn::Less) return a < b ? 1.f : 0.f;
}

template <UnaryFn F>
void unary_loop(const float* x, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = apply_unary<F>(x[i]);
}

// Innermost loop of a broadcast: each operand steps by 1 or stays (stride 0). Instantiated for
// each stride pair so the compiler vectorises the common cases.
template <BinaryFn F, int SA, int SB>
void binary_row(const float* a, const float* b, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = apply_binary<F>(a[i * SA], b[i * SB]);
}

// Strides of `shape` aligned to `rank` trailing axes, 0 where the axis is broadcast.
std::vector<int64_t> broadcast_strides(const Shape& shape, size_t rank) {
  std::vector<int64_t> strides(rank, 0);
  std::vector<int64_t> own = row_major_strides(shape);
  size_t lead = rank - shape.size();
  for (size_t i = 0; i < shape.size(); ++i) strides[lead + i] = shape[i] == 1 ? 0 : own[i];
  return strides;
}

template <BinaryFn F>
void binary_broadcast(const Array& a, const Array& b, Array& out) {
  const float* pa = a.data();
  const float* pb = b.data();
  float* po = out.data();
  int64_t n = out.size();
  if (n == 0) return;
  if (a.size() == n && b.size() == n) return binary_row<F, 1, 1>(pa, pb, po, n);
  if (b.size() == 1 && a.size() == n) return binary_row<F, 1, 0>(pa, pb, po, n);
  if (a.size() == 1 && b.size() == n) return binary_row<F, 0, 1>(pa, pb, po, n);

  // General case: walk the outer index space, run the innermost axis as one row.
  const Shape& shape = out.shape();
  size_t rank = shape.size();
  std::vector<int64_t> sa = broadcast_strides(a.shape(), rank), sb = broadcast_strides(b.shape(), rank);
  int64_t inner = shape[rank - 1];
  int64_t ia = sa[rank - 1], ib = sb[rank - 1];
  auto row = ia ? (ib ? binary_row<F, 1, 1> : binary_row<F, 1, 0>) : (ib ? binary_row<F, 0, 1> : binary_row<F, 0, 0>);
  std::vector<int64_t> index(rank, 0);
  int64_t off_a = 0, off_b = 0;
  for (int64_t done = 0; done < n; done += inner) {
    row(pa + off_a, pb + off_b, po + done, inner);
    for (size_t d = rank - 1; d-- > 0;) {  // odometer over the outer axes
      off_a += sa[d];
      off_b += sb[d];
      if (++index[d] < shape[d]) break;
      off_a -= sa[d] * shape[d];
      off_b -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
}

}  // namespace

void unary(UnaryFn fn, const Array& x, Array& out) { unary(fn, x.data(), out.data(), x.size()); }

void unary(UnaryFn fn, const float* in, float* o, int64_t n) {
  switch (fn) {
#define KILN_UNARY_OP(Kind, name) \
  case UnaryFn::Kind:             \
    return unary_loop<UnaryFn::Kind>(in, o, n);
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_UNARY_OP
  }
}

void binary(BinaryFn fn, const Array& a, const Array& b, Array& out) {
  switch (fn) {
#define KILN_BINARY_OP(Kind, Class, name) \
  case BinaryFn::Kind:                 \
    return binary_broadcast<BinaryFn::Kind>(a, b, out);
#include "runtime/kernels/elementwise_ops.def"
#undef KILN_BINARY_OP
  }
}

void select(const Array& condition, const Array& a, const Array& b, Array& out) {
  const Shape& shape = out.shape();
  size_t rank = shape.size();
  int64_t n = out.size();
  if (n == 0) return;
  const float *pc = condition.data(), *pa = a.data(), *pb = b.data();
  float* po = out.data();
  if (condition.size() == n && a.size() == n && b.size() == n) {
    for (int64_t i = 0; i < n; ++i) po[i] = pc[i] != 0.f ? pa[i] : pb[i];
    return;
  }
  std::vector<int64_t> sc = broadcast_strides(condition.shape(), rank), sa = broadcast_strides(a.shape(), rank),
                       sb = broadcast_strides(b.shape(), rank), index(rank, 0);
  int64_t oc = 0, oa = 0, ob = 0;
  for (int64_t k = 0; k < n; ++k) {
    po[k] = pc[oc] != 0.f ? pa[oa] : pb[ob];
    for (size_t d = rank; d-- > 0;) {  // odometer over out's index space
      oc += sc[d], oa += sa[d], ob += sb[d];
      if (++index[d] < shape[d]) break;
      oc -= sc[d] * shape[d], oa -= sa[d] * shape[d], ob -= sb[d] * shape[d];
      index[d] = 0;
    }
  }
}

void broadcast_to(const Array& a, Array& out) {
  // a + 0 through the broadcasting loop: one mechanism for every broadcast.
  static const Array zero = Array::zeros({});
  binary_broadcast<BinaryFn::Add>(a, zero, out);
}

}  // namespace kiln::kernels
