// TraceTree: every path a hybridized forward has taken for one input signature, joined into one
// graph (frontend internal).
//
// Paths agree step for step until a guard's outcome differs (a forward computes the same ops for
// the same guard outcomes), so they form a tree: shared ops, then at each guard an scf.if whose
// branches hold the paths that saw each outcome. An outcome no path has seen is a side exit: the
// graph returns its id as the exit status (ir::Graph) and the caller completes the call on the
// host, tracing the new path. Loops (frontend/hybridize/trace_loops.h) become scf.while.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "frontend/hybridize/trace.h"
#include "frontend/hybridize/trace_loops.h"
#include "ir/graph.h"

namespace kiln {

class TraceTree {
 public:
  // `fold_loops` false keeps every trip count of a host-read loop a path of its own: a training
  // step's backward unrolls the loop after it, so its paths differ past the loop.
  explicit TraceTree(bool fold_loops = true) : fold_loops_(fold_loops) {}
  // Adds a path as traced (a raw trace) whose outputs have `result_shapes`; false if the tree
  // holds it already. Throws kiln::Error when it cannot join the others: different output shapes,
  // or other arrays written in place. The trace's writes (Trace::writes) become results after
  // its outputs that build() makes updates of their arrays.
  bool add(Trace raw, const std::vector<Shape>& result_shapes);
  size_t paths() const { return raw_.size(); }
  size_t loops() const { return loops_.size(); }
  // Whether the graph can leave early (guards, nd::while_loop's max_iterations): it then
  // returns an exit status.
  bool has_exits() const;

  struct Built {
    ir::Graph graph;
    std::vector<std::string> exits;  // what side exit i+1 stands for
  };
  // The graph of all paths. Throws kiln::Error if two paths disagree before their guards do.
  // Each pair in `updates` (output, argument) makes that output the argument's new value, written
  // into its array in place (ir::Graph::add_update) rather than returned; arguments count the
  // inputs, then the parameters (parameters()). The paths' own writes are updates too. A side
  // exit then writes each such argument's own value back, so a call that leaves early has
  // changed nothing.
  Built build(const std::string& name, std::span<const std::pair<size_t, size_t>> updates = {}) const;
  // The Parameters behind the graph's arguments after the inputs, in order.
  const std::vector<std::shared_ptr<Parameter>>& parameters() const { return parameters_; }
  // Every path's baked arrays (Trace::baked): the graph holds their values as constants.
  std::vector<Array> baked() const;

 private:
  void refold();

  std::vector<Trace> raw_;
  std::vector<Trace> paths_;  // raw_ with loops folded and parameters numbered as in parameters_
  std::vector<Shape> result_shapes_;  // the outputs', then the writes'
  // What each path's writes (its last results) write: a parameter, or else input `input`.
  struct WriteTarget {
    std::shared_ptr<Parameter> parameter;
    size_t input = 0;
    bool operator==(const WriteTarget&) const = default;
  };
  std::vector<WriteTarget> writes_;
  LoopLibrary loops_;
  std::vector<std::shared_ptr<Parameter>> parameters_;
  bool fold_loops_;
};

}  // namespace kiln
