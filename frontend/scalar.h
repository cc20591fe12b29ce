// kiln::Scalar: the value of a one-element array brought to the host, as x.norm().asscalar()
// returns it. It is a float to the caller. Inside a hybridized forward it also remembers where it
// came from, so that a comparison on it (`x.norm().asscalar() > 1`) becomes a guard of the
// compiled graph instead of a frozen branch (docs/control_flow.md).
#pragma once

#include <concepts>
#include <cstdint>
#include <iosfwd>
#include <source_location>
#include <string_view>

#include "runtime/array.h"

namespace kiln {

class Scalar {
 public:
  Scalar(float value, Array source, std::source_location where);
  // `site` names the call site itself (never 0): a front end whose call sites are not C++ ones
  // (Python's file and line).
  Scalar(float value, Array source, uint64_t site) : value_(value), source_(std::move(source)), site_(site | 1) {}

  // Used as a number: inside a trace this records a guard that the value is exactly this one
  // (sound, but each new value is a new path; compare instead where the code allows).
  operator float() const;  // NOLINT: a Scalar reads as a float
  float value() const { return *this; }

  // A comparison recorded as a guard `source <predicate> rhs` with the outcome seen.
  bool compare(std::string_view predicate, float rhs) const;
  bool compare(std::string_view predicate, const Scalar& rhs) const;
  friend std::ostream& operator<<(std::ostream& out, const Scalar& s);  // prints; records no guard

 private:
  float value_;
  Array source_;  // the array read (its value in the trace)
  uint64_t site_;  // where asscalar() was called: a recurring guard there may be a loop
};

// Comparisons with numbers and with other Scalars (templates, so that `s > 1` prefers these to
// the built-in comparison through operator float).
template <class T>
concept HostNumber = std::is_arithmetic_v<T>;

#define KILN_SCALAR_COMPARISON(op, name, mirrored)                                                          \
  template <HostNumber T>                                                                                   \
  bool operator op(const Scalar& a, T b) { return a.compare(name, static_cast<float>(b)); }                \
  template <HostNumber T>                                                                                   \
  bool operator op(T a, const Scalar& b) { return b.compare(mirrored, static_cast<float>(a)); }            \
  inline bool operator op(const Scalar& a, const Scalar& b) { return a.compare(name, b); }
KILN_SCALAR_COMPARISON(>, "gt", "lt")
KILN_SCALAR_COMPARISON(>=, "ge", "le")
KILN_SCALAR_COMPARISON(<, "lt", "gt")
KILN_SCALAR_COMPARISON(<=, "le", "ge")
KILN_SCALAR_COMPARISON(==, "eq", "eq")
KILN_SCALAR_COMPARISON(!=, "ne", "ne")
#undef KILN_SCALAR_COMPARISON

}  // namespace kiln
