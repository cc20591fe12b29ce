#include "frontend/scalar.h"

#include <ostream>
#include <string>

#include "frontend/hybridize/trace_hook.h"
#include "runtime/predicate.h"

namespace kiln {

namespace {
uint64_t site_of(const std::source_location& where) {
  uint64_t h = std::hash<std::string_view>{}(where.file_name());
  return h ^ (uint64_t{where.line()} << 20) ^ where.column() ^ 1;  // never 0, which means "unknown"
}
}  // namespace

Scalar::Scalar(float value, Array source, std::source_location where)
    : value_(value), source_(std::move(source)), site_(site_of(where)) {}

Scalar::operator float() const {
  if (TraceHook* trace = active_trace()) trace->guard(source_, nullptr, value_, "eq", true, site_);
  return value_;
}

bool Scalar::compare(std::string_view predicate, float rhs) const {
  bool outcome = predicate_holds(predicate, value_, rhs);
  if (TraceHook* trace = active_trace()) trace->guard(source_, nullptr, rhs, predicate, outcome, site_);
  return outcome;
}

bool Scalar::compare(std::string_view predicate, const Scalar& rhs) const {
  bool outcome = predicate_holds(predicate, value_, rhs.value_);
  if (TraceHook* trace = active_trace()) trace->guard(source_, &rhs.source_, rhs.value_, predicate, outcome, site_);
  return outcome;
}

std::ostream& operator<<(std::ostream& out, const Scalar& s) { return out << s.value_; }

}  // namespace kiln
