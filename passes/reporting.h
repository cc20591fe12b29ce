// What a kiln pass did, for KILN_LOG=passes (codegen/pass_log.h). MLIR's pass statistics are
// llvm::Statistic, which counts nothing in release builds of LLVM such as Debian's, so kiln's
// passes keep their own counts and say them here.
#pragma once

#include <string>

namespace kiln::passes {

class Reporting {
 public:
  virtual ~Reporting() = default;
  // Since the pass was created, e.g. "3 kernels, 5 ops fused".
  virtual std::string report() const = 0;
};

}  // namespace kiln::passes
