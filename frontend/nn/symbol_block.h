// nn::SymbolBlock: a block read back from an export (Block::export_model), without the C++
// class that made it (Gluon's SymbolBlock.imports). Its forward interprets the exported graph
// op by op through the same dispatcher as every nd:: op, so it runs eagerly, records for
// autograd (its parameters can be trained further), nests in other blocks and can itself be
// hybridized (the interpreted ops are traced and compiled like any forward).
// Threads: as every Block (frontend/nn/block.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/nn/block.h"
#include "ir/program.h"

namespace kiln::nn {

class SymbolBlock : public Block {
 public:
  // Loads `symbol_file` (<path>-symbol.mlir) and `param_file` (<path>-NNNN.params).
  // `input_names` must name the graph's inputs in order ("data", or "data0", "data1", ...).
  // Any problem — a damaged or future-version file, a missing or extra parameter, a parameter
  // of another shape, an unknown input name — throws an Error naming the file and the problem.
  static std::shared_ptr<SymbolBlock> imports(const std::string& symbol_file, const std::vector<std::string>& input_names,
                                              const std::string& param_file);

  const ir::Program& program() const { return program_; }

 protected:
  NDArray forward(const NDArray& x) override;
  std::vector<NDArray> forward_multi(const std::vector<NDArray>& xs) override;
  std::string extra_repr() const override;

 private:
  SymbolBlock() = default;
  ir::Program program_;
  std::string symbol_file_;
};

}  // namespace kiln::nn
