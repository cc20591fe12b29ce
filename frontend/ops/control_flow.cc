#include "frontend/ops/control_flow.h"

#include <optional>

#include "frontend/nd.h"
#include "frontend/hybridize/trace_hook.h"
#include "runtime/error.h"

namespace kiln::nd {

namespace {

using Control = TraceHook::Control;

// The one value of a condition array, read without recording a guard.
bool truth(const NDArray& a, const char* what) {
  if (a.size() != 1)
    throw ShapeError(fmt(what, " must have one element; got shape ", shape_str(a.shape())));
  return a.Array::asscalar() != 0.f;
}

void check_same_shapes(const LoopVars& got, const LoopVars& expected, const char* what) {
  bool same = got.size() == expected.size();
  for (size_t i = 0; same && i < got.size(); ++i) same = got[i].shape() == expected[i].shape();
  if (same) return;
  std::string a, b;
  for (const NDArray& x : got) a += (a.empty() ? "" : ", ") + shape_str(x.shape());
  for (const NDArray& x : expected) b += (b.empty() ? "" : ", ") + shape_str(x.shape());
  throw ShapeError(fmt(what, ": got (", a, ") where (", b, ") was expected"));
}

// Fresh arrays with the values of `xs`: a traced control step's results must not share an
// identity with anything the trace already names.
LoopVars fresh(const LoopVars& xs) {
  LoopVars out;
  for (const NDArray& x : xs) out.push_back(x.copy());
  return out;
}

// Records `fn` as a region on `arguments` and returns what it yields.
template <class F>
auto record_region(TraceHook& trace, const LoopVars& arguments, F&& fn) {
  trace.begin_region(arguments);
  auto results = fn();
  trace.end_region(results);
  return results;
}

}  // namespace

std::vector<NDArray> cond(const NDArray& pred, const std::function<std::vector<NDArray>()>& then_fn,
                          const std::function<std::vector<NDArray>()>& else_fn) {
  bool taken = truth(pred, "nd::cond: the predicate");
  TraceHook* trace = active_trace();
  if (!trace) return taken ? then_fn() : else_fn();
  // Traced: both branches are recorded (each runs once on the real values), the taken one's
  // results are returned.
  LoopVars then_out = record_region(*trace, {}, then_fn);
  LoopVars else_out = record_region(*trace, {}, else_fn);
  check_same_shapes(else_out, then_out, "nd::cond: else_fn's results differ in shape from then_fn's");
  TraceScope pause(nullptr);
  LoopVars out = fresh(taken ? then_out : else_out);
  trace->control(Control::If, std::span<const NDArray>(&pred, 1), out);
  return out;
}

NDArray cond(const NDArray& pred, const std::function<NDArray()>& then_fn, const std::function<NDArray()>& else_fn) {
  return cond(pred, std::function<LoopVars()>([&] { return LoopVars{then_fn()}; }),
              std::function<LoopVars()>([&] { return LoopVars{else_fn()}; }))
      .front();
}

LoopVars while_loop(const std::function<NDArray(const LoopVars&)>& cond_fn,
                    const std::function<LoopVars(const LoopVars&)>& body_fn, LoopVars loop_vars,
                    int64_t max_iterations) {
  constexpr int64_t kMaxCount = int64_t{1} << 24;  // compiled code counts in f32
  if (max_iterations <= 0 || max_iterations > kMaxCount)
    throw ValueError(fmt("nd::while_loop: max_iterations must be in [1, ", kMaxCount, "]; got ", max_iterations));
  auto body = [&](const LoopVars& vars) {
    LoopVars next = body_fn(vars);
    check_same_shapes(next, vars, "nd::while_loop: body_fn must keep each loop variable's shape");
    return next;
  };
  TraceHook* trace = active_trace();
  LoopVars vars = loop_vars;
  int64_t done = 0;
  bool more = true;
  std::optional<TraceScope> pause;
  if (trace) {
    // Traced: the condition and the body are recorded once each on the initial variables; the
    // iterations themselves then run without recording.
    NDArray first_check = record_region(*trace, vars, [&] { return LoopVars{cond_fn(vars)}; }).front();
    LoopVars first_step = record_region(*trace, vars, [&] { return body(vars); });
    pause.emplace(nullptr);
    more = truth(first_check, "nd::while_loop: cond_fn's result");
    if (more) {
      vars = first_step;
      done = 1;
    }
  }
  while (more && truth(cond_fn(vars), "nd::while_loop: cond_fn's result")) {
    if (done == max_iterations)
      throw ValueError(fmt("nd::while_loop: the condition still holds after max_iterations = ", max_iterations,
                           " iterations"));
    vars = body(vars);
    ++done;
  }
  if (!trace) return vars;
  LoopVars out = fresh(vars);
  trace->control(Control::While, loop_vars, out, max_iterations);
  return out;
}

std::pair<NDArray, LoopVars> foreach(const ForEachBody& body, const NDArray& data, LoopVars states) {
  if (data.shape().empty() || data.shape()[0] == 0)
    throw ShapeError(fmt("nd::foreach: data needs a non-empty axis 0 to iterate over; got shape ", shape_str(data.shape())));
  const int64_t rows = data.shape()[0];
  Shape row_shape(data.shape().begin() + 1, data.shape().end());
  auto row = [&](int64_t i) { return reshape(slice_axis(data, 0, i, i + 1), row_shape); };
  auto step = [&](const NDArray& x, const LoopVars& s) {
    auto [out, next] = body(x, s);
    check_same_shapes(next, s, "nd::foreach: body must keep each state's shape");
    return std::make_pair(out, next);
  };
  TraceHook* trace = active_trace();
  std::vector<NDArray> outputs;
  LoopVars initial = states;
  int64_t start = 0;
  std::optional<TraceScope> pause;
  if (trace) {
    // Traced: the body is recorded once, on the first row; the rows then run without recording.
    NDArray first_row;
    {
      TraceScope quiet(nullptr);
      first_row = row(0).copy();
    }
    LoopVars arguments{first_row};
    arguments.insert(arguments.end(), states.begin(), states.end());
    LoopVars yielded = record_region(*trace, arguments, [&] {
      auto [out, next] = step(first_row, states);
      LoopVars all{out};
      all.insert(all.end(), next.begin(), next.end());
      return all;
    });
    pause.emplace(nullptr);
    outputs.push_back(yielded[0]);
    states.assign(yielded.begin() + 1, yielded.end());
    start = 1;
  }
  for (int64_t i = start; i < rows; ++i) {
    auto [out, next] = step(row(i), states);
    outputs.push_back(out);
    states = next;
  }
  Shape one_row{1};
  one_row.insert(one_row.end(), outputs[0].shape().begin(), outputs[0].shape().end());
  std::vector<NDArray> stacked_rows;
  for (const NDArray& out : outputs) {
    if (out.shape() != outputs[0].shape())
      throw ShapeError(fmt("nd::foreach: body's output has shape ", shape_str(out.shape()), " for one row and ",
                           shape_str(outputs[0].shape()), " for another"));
    stacked_rows.push_back(reshape(out, one_row));
  }
  NDArray stacked = concat(stacked_rows, 0);
  if (!trace) return {stacked, states};
  LoopVars results{stacked.copy()};
  for (const NDArray& s : fresh(states)) results.push_back(s);
  LoopVars operands{data};
  operands.insert(operands.end(), initial.begin(), initial.end());
  trace->control(Control::ForEach, operands, results);
  return {results[0], LoopVars(results.begin() + 1, results.end())};
}

}  // namespace kiln::nd
