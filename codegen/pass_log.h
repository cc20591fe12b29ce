// KILN_LOG=passes: what each pass of a compile did — how the op count changed, how long it took
// (wall clock, counting the op walks of this log too), and for kiln's own passes their report (passes/reporting.h: kernels built, ops fused, ops hoisted, bytes put
// on the stack, weights transposed).
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "mlir/Pass/PassInstrumentation.h"

namespace kiln::codegen {

class PassLog : public mlir::PassInstrumentation {
 public:
  void runBeforePass(mlir::Pass* pass, mlir::Operation* op) override;
  void runAfterPass(mlir::Pass* pass, mlir::Operation* op) override;
  // Prints one line per pass of `stage` that ran, then forgets them.
  void print(const std::string& stage);

 private:
  struct Record {
    int64_t ops_before = 0, ops_after = 0;
    double ms = 0;
    std::string statistics;  // the pass's report after its last run
  };
  std::map<std::string, Record> records_;  // by pass argument, in name order
  std::vector<std::string> order_;         // first-run order
  int64_t ops_before_ = 0;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace kiln::codegen
