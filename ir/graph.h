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

#include <cstdint>
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
  // A tensor of `shape` filled with `value` (what a side exit returns in place of results).
  int add_splat(const Shape& shape, float value);
  void set_results(std::span<const int> values);
  // After the call, argument `argument`'s own array holds `value`: the compiled code writes it
  // in place (parameter updates, optimizer state), the caller passes no result for it, and the
  // array's data version moves. Call before set_results, at most once per argument. In a graph
  // with guards (an exit status), each side exit's `value` must be the argument itself, so that
  // leaving early writes back what was there (TraceTree::build makes its exits so).
  void add_update(int argument, int value);

  // --- structured control flow (scf), for guards and explicit cond / while_loop -------------
  // A value defined inside a region is visible only there; the caller keeps scopes apart.
  //
  // `lhs <predicate> rhs` on one-element values, predicate one of gt ge lt le eq ne: a flag.
  int add_compare(std::string_view predicate, int lhs, int rhs);
  int add_not(int flag);
  int add_and(int a, int b);
  // if (flag) { ...; yield } else { ...; yield }: returns the if's results (tensors of
  // `result_shapes`, then an exit status if `with_status`).
  void begin_if(int flag, std::span<const Shape> result_shapes, bool with_status = false);
  void begin_else();
  std::vector<int> end_if();
  // while: begin_while(initial state) gives the state inside the condition region; loop_condition
  // (flag, state) ends it and gives the state inside the body; yield(next state); end_while()
  // gives the final state.
  std::vector<int> begin_while(std::span<const int> initial);
  std::vector<int> loop_condition(int flag, std::span<const int> state);
  std::vector<int> end_while();
  // for i in [0, count): begin_for gives i (an index) then the state inside the body; yield(next
  // state); end_for() gives the final state.
  std::vector<int> begin_for(int64_t count, std::span<const int> initial);
  std::vector<int> end_for();
  // Row `index` of `table`'s axis 0, and `table` with that row replaced by `value`.
  int add_row(int table, int index);
  int add_set_row(int table, int value, int index);
  // Ends the innermost open region with `values`.
  void yield(std::span<const int> values);

  // --- exit status -------------------------------------------------------------------------
  // A graph with guards also returns an i32 status: 0 when it ran to the end, else the id of the
  // side exit taken (its results are then meaningless).
  int add_status(int32_t value);
  void set_results(std::span<const int> values, int status);

  size_t num_arguments() const;
  // The positions of the arguments that add_update() updates, in the order they were added.
  const std::vector<size_t>& updated_arguments() const;
  bool has_status() const;
  const std::vector<Shape>& result_shapes() const;
  // The module as MLIR text (a func.func in the kiln dialect).
  std::string str() const;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace kiln::ir
