#include "frontend/hybridize/input_checks.h"

#include "frontend/hybridize/trace_hook.h"
#include "frontend/nd.h"

namespace kiln {
namespace {
thread_local InputChecks* t_active = nullptr;
}  // namespace

InputChecks::InputChecks(std::span<const NDArray> inputs) {
  for (const NDArray& x : inputs) identities_.push_back(x.identity());
}

InputChecks::Scope::Scope(InputChecks* checks) : saved_(t_active) { t_active = checks; }
InputChecks::Scope::~Scope() { t_active = saved_; }
InputChecks* InputChecks::active() { return t_active; }

bool InputChecks::defer_index_check(const Array& indices, int64_t depth, const char* op) {
  for (size_t i = 0; i < identities_.size(); ++i)
    if (identities_[i] == indices.identity()) {
      index_checks_.push_back({i, depth, op});
      return true;
    }
  return false;
}

void InputChecks::run(std::span<const NDArray> inputs) const {
  InputChecks::Scope none(nullptr);  // the checks themselves are plain eager ones
  TraceScope untraced(nullptr);
  for (const IndexCheck& c : index_checks_) nd::check_indices(inputs[c.input], c.depth, c.op.c_str());
}

}  // namespace kiln
