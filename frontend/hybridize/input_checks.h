// InputChecks: checks on a traced function's inputs that run on the host before each compiled
// call, in place of guards inside the graph (frontend internal). A compiled training step's
// label range check (pick's) is made before the call rather than as a guard: the same
// ValueError, raised before anything is written, and no side exit (and retrace) for a bad label.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "frontend/ndarray.h"

namespace kiln {

class InputChecks {
 public:
  explicit InputChecks(std::span<const NDArray> inputs);
  // While the object lives on this thread, nd::check_indices on one of `inputs` is recorded here
  // (and made on the host) rather than traced as a guard.
  class Scope {
   public:
    explicit Scope(InputChecks* checks);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    InputChecks* saved_;
  };
  static InputChecks* active();

  // Records "input i's values are indices in [0, depth)" if `indices` is input i; false if not.
  bool defer_index_check(const Array& indices, int64_t depth, const char* op);
  // Makes every recorded check on a call's inputs (ValueError as nd::check_indices raises).
  void run(std::span<const NDArray> inputs) const;

 private:
  struct IndexCheck {
    size_t input;
    int64_t depth;
    std::string op;
  };
  std::vector<const void*> identities_;  // of the traced inputs
  std::vector<IndexCheck> index_checks_;
};

}  // namespace kiln
