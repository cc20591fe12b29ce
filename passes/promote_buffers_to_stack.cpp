// kiln-promote-buffers-to-stack (Passes.td): small static intermediates become stack buffers,
// within a total budget per call.
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "passes/passes.h"
#include "passes/reporting.h"

using namespace mlir;

namespace kiln::passes {

#define GEN_PASS_DEF_PROMOTEBUFFERSTOSTACK
#include "passes/Passes.h.inc"

namespace {

struct PromoteBuffersToStackPass : impl::PromoteBuffersToStackBase<PromoteBuffersToStackPass>, Reporting {
  using PromoteBuffersToStackBase::PromoteBuffersToStackBase;
  int64_t buffers = 0, bytes = 0;
  std::string report() const override {
    return std::to_string(buffers) + " buffers, " + std::to_string(bytes) + " bytes on the stack";
  }
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isExternal()) return;
    int64_t used = 0;
    SmallVector<memref::AllocOp> allocs(function.getBody().front().getOps<memref::AllocOp>());
    for (memref::AllocOp alloc : allocs) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape() || !type.getElementType().isIntOrFloat()) continue;
      int64_t bytes = type.getNumElements() * type.getElementTypeBitWidth() / 8;
      if (used + bytes > budgetBytes) continue;
      used += bytes;
      this->bytes += bytes;
      ++buffers;
      OpBuilder b(alloc);
      auto alloca = b.create<memref::AllocaOp>(alloc.getLoc(), type, alloc.getAlignmentAttr());
      alloc.replaceAllUsesWith(alloca.getResult());
      alloc.erase();
    }
  }
};

}  // namespace
}  // namespace kiln::passes
