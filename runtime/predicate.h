// The comparisons a guard can make on host values (gt ge lt le eq ne), with C++'s meaning for
// NaN (only ne holds). One definition for the frontend's Scalar and the kiln dialect's fold.
#pragma once

#include <string_view>

namespace kiln {

inline bool is_predicate(std::string_view p) {
  return p == "gt" || p == "ge" || p == "lt" || p == "le" || p == "eq" || p == "ne";
}

inline bool predicate_holds(std::string_view p, float lhs, float rhs) {
  if (p == "gt") return lhs > rhs;
  if (p == "ge") return lhs >= rhs;
  if (p == "lt") return lhs < rhs;
  if (p == "le") return lhs <= rhs;
  if (p == "eq") return lhs == rhs;
  return lhs != rhs;
}

}  // namespace kiln
