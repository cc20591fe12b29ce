// The tracer's attachment point in dispatch (frontend internal). While a TraceHook is active on
// this thread, every dispatched op and every host read is reported to it.
#pragma once

#include <span>

#include "frontend/op.h"

namespace kiln {

class TraceHook {
 public:
  virtual ~TraceHook() = default;
  // `output` was computed from `inputs` by `op` (for in-place ops, output is inputs[0]'s handle).
  virtual void record(const OpDef& op, std::span<const NDArray> inputs, const OpAttrs& attrs, const NDArray& output) = 0;
  // A value was read on the host (asscalar): the trace can no longer be a pure graph.
  virtual void host_read(const char* what) = 0;
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
