#include "codegen/pass_log.h"

#include "mlir/IR/Operation.h"
#include "mlir/Pass/Pass.h"
#include "passes/reporting.h"
#include "runtime/error.h"
#include "runtime/log.h"

namespace kiln::codegen {
namespace {

int64_t count_ops(mlir::Operation* op) {
  int64_t n = 0;
  op->walk([&](mlir::Operation*) { ++n; });
  return n;
}

}  // namespace

void PassLog::runBeforePass(mlir::Pass*, mlir::Operation* op) {
  ops_before_ = count_ops(op);
  started_ = std::chrono::steady_clock::now();
}

void PassLog::runAfterPass(mlir::Pass* pass, mlir::Operation* op) {
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started_).count();
  std::string name = pass->getArgument().str();
  if (name.empty()) return;  // pass-manager adaptors
  auto [it, inserted] = records_.try_emplace(name);
  if (inserted) order_.push_back(name);
  it->second.ops_before += ops_before_;
  it->second.ops_after += count_ops(op);
  it->second.ms += ms;
  if (auto* reporting = dynamic_cast<const passes::Reporting*>(pass)) it->second.statistics = reporting->report();
}

void PassLog::print(const std::string& stage) {
  for (const std::string& name : order_) {
    const Record& r = records_[name];
    log::print(fmt("pass ", stage, "/", name, ": ops ", r.ops_before, " -> ", r.ops_after, ", ", r.ms, " ms",
                   r.statistics.empty() ? "" : "; " + r.statistics));
  }
  records_.clear();
  order_.clear();
}

}  // namespace kiln::codegen
