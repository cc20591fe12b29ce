#include "frontend/hybridize/trace_tree.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "runtime/error.h"

namespace kiln {

namespace {

// Renumbers the trace's parameter values into `all` (adding the ones it lacks).
void share_parameters(Trace& t, std::vector<std::shared_ptr<Parameter>>& all) {
  std::vector<ValueId> index;
  for (const auto& p : t.parameters) {
    auto it = std::find(all.begin(), all.end(), p);
    if (it == all.end()) it = all.insert(all.end(), p);
    index.push_back(parameter_value(static_cast<size_t>(it - all.begin())));
  }
  auto map = [&](ValueId& v) {
    if (is_parameter_value(v)) v = index[parameter_index(v)];
  };
  for (Step& s : t.steps) for_each_read(s, map);
  for (ValueId& v : t.results) map(v);
  t.parameters.clear();
}

// A read used as a number (Scalar's operator float): the guard that it had exactly this value.
// Paths may hold different ones at the same step; they are tried in turn.
bool exact_value(const Step& s) {
  return s.kind == Step::Kind::Guard && s.guard.predicate == "eq" && s.guard.outcome && !s.guard.rhs_is_value;
}
bool same_step(const Step& a, const Step& b) {
  return a.same_as(b) || (exact_value(a) && exact_value(b) && a.guard.lhs == b.guard.lhs && a.guard.site == b.guard.site);
}

std::string describe(const Guard& g, bool outcome) {
  static const std::map<std::string, const char*> symbols{{"gt", ">"}, {"ge", ">="}, {"lt", "<"},
                                                          {"le", "<="}, {"eq", "=="}, {"ne", "!="}};
  return fmt("host read ", symbols.at(g.predicate), " ", g.rhs_is_value ? std::string("another read") : fmt(g.rhs_value),
             " came out ", outcome ? "true" : "false");
}

// Builds the graph of a group of paths, step by step, splitting the group at each guard.
class Emitter {
 public:
  // `exit_values[i]`, where not -1, is what a side exit returns as result i (an updated
  // argument's own value, so that leaving early writes back what was there); other results of
  // a side exit are zeros, never read.
  Emitter(ir::Graph& g, const std::vector<Trace>& paths, const std::vector<Shape>& result_shapes,
          std::vector<int> parameters, bool with_status, std::vector<std::string>& exits, std::vector<int> exit_values)
      : g_(g), paths_(paths), result_shapes_(result_shapes), parameters_(std::move(parameters)),
        with_status_(with_status), exits_(exits), exit_values_(std::move(exit_values)) {}

  // The graph values of the results (then the status) of all paths, whose inputs are graph
  // values `inputs`.
  std::vector<int> emit_all(const std::vector<int>& inputs) {
    for (size_t i = 0; i < inputs.size(); ++i) define(static_cast<ValueId>(i), inputs[i]);
    std::vector<size_t> all(paths_.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    return emit(all, 0, static_cast<ValueId>(inputs.size()));
  }

 private:
  // The graph values of the group's results (then the status) from step `at` on; trace values
  // below `next_value` are defined.
  std::vector<int> emit(const std::vector<size_t>& group, size_t at, ValueId next_value) {
    const Trace& lead = paths_[group.front()];
    for (;; ++at) {
      for (size_t p : group) {
        const Trace& t = paths_[p];
        bool ended = at == t.steps.size(), lead_ended = at == lead.steps.size();
        if (ended != lead_ended || (!ended && !same_step(t.steps[at], lead.steps[at])) ||
            (ended && t.results != lead.results))
          throw Error("hybridize: two traces of the forward computed different ops before their guards differed; a "
                      "forward must compute the same ops whenever its host reads compare the same way");
      }
      if (at == lead.steps.size()) break;
      const Step& step = lead.steps[at];
      if (step.kind == Step::Kind::Guard) return emit_guard(group, at, next_value);
      if (step.kind == Step::Kind::While) {
        // Past max_iterations the call leaves here; completed on the host, it raises the error.
        int counter = emit_step(step, next_value);
        int exceeded = g_.add_compare("ge", counter, g_.add_constant({1}, std::vector<float>{float(step.max_iterations)}));
        g_.begin_if(exceeded, result_shapes_, with_status_);
        side_exit("nd::while_loop reached max_iterations");
        g_.begin_else();
        g_.yield(emit(group, at + 1, next_value + static_cast<ValueId>(step.defines())));
        return g_.end_if();
      }
      emit_step(step, next_value);
      next_value += static_cast<ValueId>(step.defines());
    }
    std::vector<int> out = ids(lead.results);
    if (with_status_) out.push_back(g_.add_status(0));
    return out;
  }

  // Emits a step that is no guard, its results numbered from `first`. For a While, returns its
  // iteration count.
  int emit_step(const Step& step, ValueId first) {
    std::vector<int> results;
    int counter = -1;
    switch (step.kind) {
      case Step::Kind::Constant: results = {g_.add_constant(step.shape, *step.data)}; break;
      case Step::Kind::Op: results = {g_.add_op(step.op->name, ids(step.operands), step.attrs, step.shape)}; break;
      case Step::Kind::Loop: results = emit_loop(*step.loop, ids(step.operands)); break;
      case Step::Kind::If: results = emit_if(step); break;
      case Step::Kind::ForEach: results = emit_foreach(step); break;
      case Step::Kind::While:
        results = emit_while(step);
        counter = results.back();
        results.pop_back();
        break;
      case Step::Kind::Guard:
        throw Error("hybridize: a host read (asscalar) inside a function of nd::cond / nd::while_loop / nd::foreach "
                    "cannot be compiled; compute the condition with nd:: ops instead");
    }
    for (size_t i = 0; i < results.size(); ++i) define(first + static_cast<ValueId>(i), results[i]);
    return counter;
  }

  // The graph values a region yields, its arguments being `arguments`.
  std::vector<int> emit_region(const Region& region, std::span<const int> arguments) {
    for (size_t i = 0; i < arguments.size(); ++i) define(region.arguments[i], arguments[i]);
    ValueId next = region.first + static_cast<ValueId>(region.arguments.size());
    for (const Step& step : region.steps) {
      if (step.kind == Step::Kind::While)
        throw Error("hybridize: nd::while_loop inside a function of another nd::cond / nd::while_loop / nd::foreach "
                    "is not compiled (its max_iterations check needs the top level)");
      emit_step(step, next);
      next += static_cast<ValueId>(step.defines());
    }
    return ids(region.results);
  }

  std::vector<int> emit_if(const Step& step) {
    int flag = g_.add_compare("ne", id(step.operands[0]), g_.add_constant({1}, std::vector<float>{0.f}));
    g_.begin_if(flag, step.result_shapes);
    g_.yield(emit_region(step.regions[0], {}));
    g_.begin_else();
    g_.yield(emit_region(step.regions[1], {}));
    return g_.end_if();
  }

  // Returns the final loop variables, then the iteration count.
  std::vector<int> emit_while(const Step& step) {
    std::vector<int> initial = ids(step.operands);
    initial.push_back(g_.add_constant({1}, std::vector<float>{0.f}));  // iterations so far
    std::vector<int> state = g_.begin_while(initial);
    std::span<const int> vars(state.data(), state.size() - 1);
    int holds = g_.add_compare("ne", emit_region(step.regions[0], vars)[0], g_.add_constant({1}, std::vector<float>{0.f}));
    int below = g_.add_compare(
        "lt", state.back(), g_.add_constant({1}, std::vector<float>{static_cast<float>(step.max_iterations)}));
    state = g_.loop_condition(g_.add_and(holds, below), state);
    std::vector<int> next = emit_region(step.regions[1], std::span<const int>(state.data(), state.size() - 1));
    int one = g_.add_constant({1}, std::vector<float>{1.f});
    next.push_back(g_.add_op("add", std::vector<int>{state.back(), one}, {}, {1}));
    g_.yield(next);
    return g_.end_while();
  }

  // scf.for over the data's rows; the outputs are stacked into a table.
  std::vector<int> emit_foreach(const Step& step) {
    std::vector<int> operands = ids(step.operands);
    std::vector<int> initial{g_.add_splat(step.result_shapes[0], 0.f)};
    initial.insert(initial.end(), operands.begin() + 1, operands.end());
    std::vector<int> body = g_.begin_for(step.result_shapes[0][0], initial);  // index, table, states
    std::vector<int> arguments{g_.add_row(operands[0], body[0])};
    arguments.insert(arguments.end(), body.begin() + 2, body.end());
    std::vector<int> yielded = emit_region(step.regions[0], arguments);  // output row, states
    std::vector<int> next{g_.add_set_row(body[1], yielded[0], body[0])};
    next.insert(next.end(), yielded.begin() + 1, yielded.end());
    g_.yield(next);
    return g_.end_for();
  }

  void side_exit(const std::string& why) {
    exits_.push_back(why);
    std::vector<int> out;
    for (size_t i = 0; i < result_shapes_.size(); ++i)
      out.push_back(exit_values_.empty() || exit_values_[i] < 0 ? g_.add_splat(result_shapes_[i], 0.f) : exit_values_[i]);
    out.push_back(g_.add_status(static_cast<int32_t>(exits_.size())));
    g_.yield(out);
  }

  int id(ValueId v) const { return is_parameter_value(v) ? parameters_.at(parameter_index(v)) : values_.at(v); }
  std::vector<int> ids(const std::vector<ValueId>& vs) const {
    std::vector<int> out;
    for (ValueId v : vs) out.push_back(id(v));
    return out;
  }
  void define(ValueId v, int graph_id) { values_[v] = graph_id; }

  int compare(const Guard& guard, int lhs, int rhs) { return g_.add_compare(guard.predicate, lhs, rhs); }
  int rhs_of(const Guard& guard, int rhs_value_id) {
    return guard.rhs_is_value ? rhs_value_id : g_.add_constant({1}, std::vector<float>{guard.rhs_value});
  }

  std::vector<int> emit_guard(const std::vector<size_t>& group, size_t at, ValueId next_value) {
    const Guard& guard = paths_[group.front()].steps[at].guard;
    int flag = compare(guard, id(guard.lhs), rhs_of(guard, guard.rhs_is_value ? id(guard.rhs) : -1));
    std::vector<size_t> taken[2];  // [outcome]
    std::vector<size_t> other_values;  // exact-value guards on other values: tried if this one fails
    for (size_t p : group) {
      const Guard& g = paths_[p].steps[at].guard;
      if (g.same_test(guard)) taken[g.outcome].push_back(p);
      else other_values.push_back(p);
    }
    g_.begin_if(flag, result_shapes_, with_status_);
    for (bool outcome : {true, false}) {
      if (!outcome) g_.begin_else();
      if (!outcome && !other_values.empty()) {  // exact-value guards always held: taken[false] is empty
        g_.yield(emit_guard(other_values, at, next_value));
        continue;
      }
      if (!taken[outcome].empty()) {
        g_.yield(emit(taken[outcome], at + 1, next_value));
        continue;
      }
      // Side exit: results are never read, the status says which exit.
      side_exit(describe(guard, outcome));
    }
    return g_.end_if();
  }

  std::vector<int> emit_loop(const Loop& loop, const std::vector<int>& operands) {
    const size_t S = loop.state_shapes.size();
    std::vector<int> local(operands.begin(), operands.end());  // the state, then the free values
    std::vector<int> state = g_.begin_while(std::span<const int>(operands.data(), S));
    std::copy(state.begin(), state.end(), local.begin());
    const Guard& c = loop.condition;
    int flag = compare(c, local[c.lhs], rhs_of(c, c.rhs_is_value ? local[c.rhs] : -1));
    if (!c.outcome) flag = g_.add_not(flag);
    state = g_.loop_condition(flag, state);
    std::copy(state.begin(), state.end(), local.begin());
    for (const Step& s : loop.body) {
      std::vector<int> operand_ids;
      for (ValueId v : s.operands) operand_ids.push_back(local.at(v));
      local.push_back(s.kind == Step::Kind::Constant ? g_.add_constant(s.shape, *s.data)
                                                      : g_.add_op(s.op->name, operand_ids, s.attrs, s.shape));
    }
    std::vector<int> next;
    for (ValueId v : loop.next) next.push_back(local.at(v));
    g_.yield(next);
    return g_.end_while();
  }

  ir::Graph& g_;
  const std::vector<Trace>& paths_;
  const std::vector<Shape>& result_shapes_;
  std::vector<int> parameters_;  // graph ids of the parameter arguments
  bool with_status_;
  std::vector<std::string>& exits_;
  std::vector<int> exit_values_;
  std::unordered_map<ValueId, int> values_;  // trace value -> graph id, for the path being emitted
};

}  // namespace

namespace {
// The same steps with the same guard outcomes and results.
bool same_path(const Trace& a, const Trace& b) {
  if (a.steps.size() != b.steps.size() || a.results != b.results) return false;
  for (size_t i = 0; i < a.steps.size(); ++i)
    if (!a.steps[i].same_as(b.steps[i]) ||
        (a.steps[i].kind == Step::Kind::Guard && a.steps[i].guard.outcome != b.steps[i].guard.outcome))
      return false;
  return true;
}
}  // namespace

std::vector<Array> TraceTree::baked() const {
  std::vector<Array> all;
  for (const Trace& t : raw_) all.insert(all.end(), t.baked.begin(), t.baked.end());
  return all;
}

bool TraceTree::add(Trace raw, const std::vector<Shape>& output_shapes) {
  std::vector<Shape> result_shapes = output_shapes;
  std::vector<WriteTarget> writes;
  for (const Write& w : raw.writes) {
    raw.results.push_back(w.value);
    if (w.parameter) {
      writes.push_back({raw.parameters[w.index], 0});
      result_shapes.push_back(raw.parameters[w.index]->data().shape());
    } else {
      writes.push_back({nullptr, w.index});
      result_shapes.push_back(raw.inputs[w.index]);
    }
  }
  raw.writes.clear();
  if (raw_.empty()) {
    result_shapes_ = result_shapes;
    writes_ = std::move(writes);
  } else if (writes != writes_) {
    throw Error("hybridize: this path writes other arrays in place than earlier paths for the same inputs");
  } else if (result_shapes != result_shapes_) {
    throw Error("hybridize: this path's outputs have other shapes than earlier paths' for the same inputs");
  }
  if (fold_loops_ && loops_.learn(raw) > 0) {
    raw_.push_back(std::move(raw));
    refold();
    return true;
  }
  Trace folded = fold_loops_ ? loops_.fold(raw) : raw;
  share_parameters(folded, parameters_);
  for (const Trace& known : paths_)
    if (same_path(known, folded)) return false;  // another thread traced it meanwhile
  raw_.push_back(std::move(raw));
  paths_.push_back(std::move(folded));
  return true;
}

void TraceTree::refold() {
  paths_.clear();
  for (const Trace& raw : raw_) {
    Trace folded = loops_.fold(raw);
    share_parameters(folded, parameters_);
    paths_.push_back(std::move(folded));
  }
}

bool TraceTree::has_exits() const {
  for (const Trace& t : paths_)
    for (const Step& s : t.steps)
      if (s.kind == Step::Kind::Guard || s.kind == Step::Kind::Loop || s.kind == Step::Kind::While) return true;
  return false;
}

TraceTree::Built TraceTree::build(const std::string& name, std::span<const std::pair<size_t, size_t>> given) const {
  // The caller's updates, then the paths' writes.
  std::vector<std::pair<size_t, size_t>> updates(given.begin(), given.end());
  for (size_t k = 0, first = result_shapes_.size() - writes_.size(); k < writes_.size(); ++k) {
    size_t argument = writes_[k].input;
    if (const auto& p = writes_[k].parameter)
      argument = paths_.front().inputs.size() + static_cast<size_t>(std::find(parameters_.begin(), parameters_.end(), p) -
                                                                     parameters_.begin());
    updates.emplace_back(first + k, argument);
  }
  for (size_t i = 0; i < updates.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (updates[i].second == updates[j].second)
        throw Error("hybridize: the graph would write one array twice (a parameter the forward writes in place and "
                    "the optimizer updates, or an input written twice)");
  Built built{ir::Graph(name), {}};
  ir::Graph& g = built.graph;
  const Trace& first = paths_.front();
  std::vector<int> input_ids, parameter_ids;
  for (const Shape& s : first.inputs) input_ids.push_back(g.add_argument(s));
  for (const auto& p : parameters_) parameter_ids.push_back(g.add_argument(p->data().shape(), ir::Graph::ArgumentKind::Parameter));
  bool with_status = has_exits();
  auto argument_id = [&](size_t argument) {
    return argument < input_ids.size() ? input_ids[argument] : parameter_ids.at(argument - input_ids.size());
  };
  // A side exit writes each updated argument's own value back: the call then changed nothing.
  std::vector<int> exit_values(updates.empty() ? 0 : result_shapes_.size(), -1);
  for (auto [output, argument] : updates) exit_values.at(output) = argument_id(argument);
  Emitter emitter(g, paths_, result_shapes_, parameter_ids, with_status, built.exits, std::move(exit_values));
  std::vector<int> out = emitter.emit_all(input_ids);
  if (!updates.empty()) {
    std::vector<bool> updating(out.size() - (with_status ? 1 : 0), false);
    for (auto [output, argument] : updates) {
      g.add_update(argument_id(argument), out.at(output));
      updating.at(output) = true;
    }
    std::vector<int> kept;
    for (size_t i = 0; i < out.size(); ++i)
      if (i >= updating.size() || !updating[i]) kept.push_back(out[i]);
    out = std::move(kept);
  }
  if (with_status) {
    int status = out.back();
    out.pop_back();
    g.set_results(out, status);
  } else {
    g.set_results(out);
  }
  return built;
}

}  // namespace kiln
