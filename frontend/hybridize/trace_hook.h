// The tracer's attachment point in dispatch (frontend internal). While a TraceHook is active on
// this thread, every dispatched op and every host read is reported to it.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "frontend/op.h"

namespace kiln {

class TraceHook {
 public:
  virtual ~TraceHook() = default;
  // `output` was computed from `inputs` by `op` (for in-place ops, output is inputs[0]'s handle).
  virtual void record(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, const NDArray& output) = 0;
  // A value read on the host was compared there: `lhs <predicate> rhs` (rhs an array, or the
  // number `rhs_value` when `rhs` is null) came out `outcome`. `site` names where the value was
  // read (0: unknown). Predicates: gt ge lt le eq ne.
  virtual void guard(const Array& lhs, const Array* rhs, float rhs_value, std::string_view predicate, bool outcome,
                     uint64_t site) = 0;
  // Something a compiled graph cannot reproduce happened: `what` completes "its forward ..."
  // ("writes in place an array it reads as a constant ..."). The block stays eager.
  virtual void untraceable(const char* what) = 0;
  // `a`'s values were read or written on the host outside asscalar() and comparisons (`what`
  // says how: data(), to_vector()). Untraceable when `a` is a value of the graph or a parameter:
  // whatever the forward did with them would be frozen.
  virtual void host_access(const Array& a, const char* what) = 0;
  // `copy` holds `source`'s values (copy(), detach()): in the graph they are one value.
  virtual void alias(const Array& copy, const Array& source) = 0;

  // Explicit control flow (frontend/ops/control_flow.h). The ops recorded between begin_region and
  // end_region form a region whose arguments are `arguments` (inside it, those arrays name the
  // region's arguments) and which yields `results`. control() then joins the regions ended
  // since the enclosing scope began into one step whose results are `outputs`.
  enum class Control { If, While, ForEach };
  virtual void begin_region(std::span<const NDArray> arguments) = 0;
  virtual void end_region(std::span<const NDArray> results) = 0;
  virtual void control(Control kind, std::span<const NDArray> operands, std::span<const NDArray> outputs,
                       int64_t max_iterations = 0) = 0;
};

TraceHook* active_trace();

// Makes `hook` active on this thread for the scope's lifetime.
class TraceScope {
 public:
  explicit TraceScope(TraceHook* hook);
  ~TraceScope();
  TraceScope(const TraceScope&) = delete;
  TraceScope& operator=(const TraceScope&) = delete;

 private:
  TraceHook* saved_;
};

}  // namespace kiln
