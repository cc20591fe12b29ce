// kiln-opt: mlir-opt with the kiln dialect and kiln's passes registered.
#include "codegen/lower_kiln_to_linalg.h"
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
  mlir::registerAllPasses();
  kiln::codegen::registerLowerKilnToLinalgPass();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "kiln optimizer driver\n", registry));
}
