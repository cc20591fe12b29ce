// Proves the MLIR 19 wiring: a context with the func and arith dialects builds, verifies and
// prints a module. The kiln dialect (ir/) builds on exactly this.
#include <gtest/gtest.h>

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

TEST(MlirWiring, BuildsVerifiesAndPrintsAModule) {
  mlir::MLIRContext ctx;
  ctx.loadDialect<mlir::func::FuncDialect, mlir::arith::ArithDialect>();
  mlir::OpBuilder b(&ctx);
  auto loc = b.getUnknownLoc();
  auto module = mlir::ModuleOp::create(loc);
  b.setInsertionPointToEnd(module.getBody());
  auto f32 = b.getF32Type();
  auto fn = b.create<mlir::func::FuncOp>(loc, "add", b.getFunctionType({f32, f32}, {f32}));
  b.setInsertionPointToStart(fn.addEntryBlock());
  auto sum = b.create<mlir::arith::AddFOp>(loc, fn.getArgument(0), fn.getArgument(1));
  b.create<mlir::func::ReturnOp>(loc, sum.getResult());
  ASSERT_TRUE(mlir::succeeded(mlir::verify(module)));
  std::string text;
  llvm::raw_string_ostream os(text);
  module.print(os);
  EXPECT_NE(text.find("arith.addf"), std::string::npos) << text;
  module.erase();
}
