// kiln-opt: mlir-opt with the kiln dialect, every upstream pass, kiln's passes and its two pipelines registered
// (--kiln-optimize, --kiln-lower-to-llvm: the stages hybridize() runs, codegen/pipeline.cpp).
#include "codegen/pipeline.h"
#include "ir/KilnDialect.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char** argv) {
  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<kiln::ir::KilnDialect>();
  mlir::registerAllPasses();  // the library registers only the upstream passes its stages use
  kiln::codegen::register_passes_and_pipelines();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "kiln optimizer driver\n", registry));
}
