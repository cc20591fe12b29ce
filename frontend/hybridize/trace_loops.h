// Loops in traces (frontend internal). A guard that recurs at one call site, with the same ops
// between its occurrences, is a while loop: `while (x.norm().asscalar() > 1) x /= 2;` traces as
//
//   norm, guard(true), divide, norm, guard(true), divide, norm, guard(false)
//
// LoopLibrary learns such a loop from a trace that runs its body at least twice (the ops between
// the second and third occurrence, checked against those between the first and second) and
// then folds every trace that shows it, for any trip count, into
//
//   norm, guard(true), divide, norm, Loop{condition, body: divide, norm}
//
// The first check and iteration stay as traced (peeled), so a path that never enters the loop
// keeps its own branch and values computed before the loop keep their meaning. A value of the
// last iteration used after the loop is taken to be the loop's final value of that state.
#pragma once

#include <memory>
#include <vector>

#include "frontend/hybridize/trace.h"

namespace kiln {

class LoopLibrary {
 public:
  // Learns the loops that `raw` (a trace as recorded) shows and does not know yet. Returns how
  // many it learned.
  size_t learn(const Trace& raw);
  // `raw` with every run of a learned loop folded into a Loop step, values renumbered. Runs that
  // do not match their loop exactly stay as traced.
  Trace fold(const Trace& raw) const;
  size_t size() const { return loops_.size(); }

 private:
  const Loop* find(const Guard& condition) const;
  std::vector<std::shared_ptr<const Loop>> loops_;
};

}  // namespace kiln
