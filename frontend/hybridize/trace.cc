#include "frontend/hybridize/trace.h"

#include <cstring>

#include "runtime/error.h"

namespace kiln {

size_t Step::defines() const {
  switch (kind) {
    case Kind::Constant:
    case Kind::Op: return 1;
    case Kind::Guard: return 0;
    case Kind::Loop: return loop->state_shapes.size();
    case Kind::If:
    case Kind::While:
    case Kind::ForEach: return result_shapes.size();
  }
  return 0;
}

bool Region::operator==(const Region& o) const {
  if (first != o.first || arguments != o.arguments || argument_shapes != o.argument_shapes || results != o.results ||
      steps.size() != o.steps.size())
    return false;
  for (size_t i = 0; i < steps.size(); ++i)
    if (!steps[i].same_as(o.steps[i]) || (steps[i].kind == Step::Kind::Guard && steps[i].guard.outcome != o.steps[i].guard.outcome))
      return false;
  return true;
}

bool Step::same_as(const Step& o) const {
  if (kind != o.kind || operands != o.operands) return false;
  switch (kind) {
    // Bit for bit: a constant holding NaN is still the same constant.
    case Kind::Constant:
      return shape == o.shape && data->size() == o.data->size() &&
             std::memcmp(data->data(), o.data->data(), data->size() * sizeof(float)) == 0;
    case Kind::Op: return op == o.op && shape == o.shape && attrs == o.attrs;
    case Kind::Guard: return guard.same_test(o.guard);
    case Kind::Loop: return loop == o.loop;
    case Kind::If:
    case Kind::While:
    case Kind::ForEach:
      return regions == o.regions && result_shapes == o.result_shapes && max_iterations == o.max_iterations;
  }
  return false;
}

size_t Trace::guard_count() const {
  size_t n = 0;
  for (const Step& s : steps) n += s.kind == Step::Kind::Guard;
  return n;
}

std::string Trace::guard_summary() const {
  std::string text;
  for (const Step& s : steps) {
    if (s.kind == Step::Kind::Loop) text += (text.empty() ? "" : ", ") + std::string("loop");
    if (s.kind != Step::Kind::Guard) continue;
    const Guard& g = s.guard;
    text += fmt(text.empty() ? "" : ", ", g.predicate, " ", g.rhs_is_value ? "value" : fmt(g.rhs_value), " -> ",
                g.outcome ? "true" : "false");
  }
  return text.empty() ? "no guards" : text;
}

}  // namespace kiln
