// Graph: one traced function in the kiln dialect, built op by op. This header is MLIR-free so
// that the frontend's tracer can use it; codegen reaches the module through graph_module.h.
//
//   ir::Graph g("seed_mlp");
//   int x = g.add_argument({2, 20});
//   int w = g.add_argument({256, 20}, ir::Graph::ArgumentKind::Parameter);
//   int y = g.add_op("relu", {x}, {}, {2, 20});
//   g.set_results({y});
//   std::string text = g.str();   // MLIR text, kiln dialect
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/op_attrs.h"
#include "runtime/shape.h"

namespace kiln::ir {

class Graph {
 public:
  explicit Graph(std::string function_name = "forward");
  ~Graph();
  Graph(Graph&&) noexcept;
  Graph& operator=(Graph&&) noexcept;

  // Each returns the id of the new value. A parameter argument carries the `kiln.parameter`
  // attribute: passes may hoist what is computed from parameters alone out of the per-call path.
  enum class ArgumentKind { Input, Parameter };
  int add_argument(const Shape& shape, ArgumentKind kind = ArgumentKind::Input);
  int add_constant(const Shape& shape, std::span<const float> values);
  // Appends kiln.<op>; the fields of `attrs` that the op declares become its attributes. The op
  // is verified at once: a shape that disagrees with its shape rule throws kiln::Error.
  int add_op(std::string_view op, std::span<const int> operands, const OpAttrs& attrs, const Shape& result);
  void set_results(std::span<const int> values);

  size_t num_arguments() const;
  const std::vector<Shape>& result_shapes() const;
  // The module as MLIR text (a func.func in the kiln dialect).
  std::string str() const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::ir
