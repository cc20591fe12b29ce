#include "frontend/hybridize/trace_loops.h"

#include <algorithm>
#include <map>
#include <optional>

namespace kiln {

namespace {

// Same loop condition: the same test at the same site continuing on the same outcome (the
// value compared changes from one check to the next).
bool same_condition(const Guard& a, const Guard& b) {
  return a.site == b.site && a.predicate == b.predicate && a.rhs_is_value == b.rhs_is_value &&
         (a.rhs_is_value || a.rhs_value == b.rhs_value);
}

// Same computation, operands aside.
bool same_operation(const Step& a, const Step& b) {
  if (a.kind != b.kind || a.shape != b.shape || a.operands.size() != b.operands.size()) return false;
  if (a.kind == Step::Kind::Constant) return *a.data == *b.data;
  return a.kind == Step::Kind::Op && a.op == b.op && a.attrs == b.attrs;
}

// The raw trace's steps with the first value each defines.
struct Numbering {
  std::vector<ValueId> first;  // per step
  explicit Numbering(const Trace& t) {
    ValueId next = static_cast<ValueId>(t.inputs.size());
    for (const Step& s : t.steps) {
      first.push_back(next);
      next += static_cast<ValueId>(s.defines());
    }
  }
};

// The ops between two checks of a loop: steps [begin, end) defining values [first, first + n).
struct Body {
  size_t begin = 0, end = 0;
  ValueId first = 0;
  size_t size() const { return end - begin; }
  // The body's own index of `v`, or -1 when `v` comes from elsewhere.
  int local(ValueId v) const {
    return v >= first && v < first + static_cast<ValueId>(size()) ? static_cast<int>(v - first) : -1;
  }
};

// Checks at one site in a row, continuing on the first outcome until the last one exits.
struct Run {
  std::vector<size_t> checks;  // step indices, at least two
  std::vector<Body> bodies;    // between consecutive checks
};

std::vector<Run> find_runs(const Trace& t, const Numbering& numbering) {
  std::vector<size_t> guards;
  for (size_t i = 0; i < t.steps.size(); ++i)
    if (t.steps[i].kind == Step::Kind::Guard) guards.push_back(i);
  std::vector<Run> runs;
  for (size_t i = 0; i + 1 < guards.size();) {
    const Guard& g = t.steps[guards[i]].guard;
    size_t j = i + 1;
    auto same = [&](size_t k) { return k < guards.size() && same_condition(t.steps[guards[k]].guard, g); };
    while (same(j) && t.steps[guards[j]].guard.outcome == g.outcome) ++j;
    if (!same(j) || g.site == 0) {  // no exit at the same site (or no site to tell): not a loop
      i = j > i + 1 ? j : i + 1;
      continue;
    }
    Run run;
    for (size_t k = i; k <= j; ++k) run.checks.push_back(guards[k]);
    for (size_t k = 0; k + 1 < run.checks.size(); ++k) {
      size_t begin = run.checks[k] + 1;
      run.bodies.push_back({begin, run.checks[k + 1], numbering.first[begin]});
    }
    runs.push_back(std::move(run));
    i = j + 1;
  }
  return runs;
}

// How a run instantiates a loop: the state after the first iteration (the loop's initial
// state), the free values, and the state after the last iteration.
struct Match {
  std::vector<ValueId> initial, free, final;
};

std::optional<Match> match(const Trace& t, const Run& run, const Loop& loop) {
  const size_t S = loop.state_shapes.size(), F = loop.free_count;
  const ValueId locals = static_cast<ValueId>(S + F);
  std::vector<std::optional<ValueId>> free(F);
  std::vector<ValueId> state;  // entering the current iteration; unknown before the first
  const ValueId loop_start = run.bodies.size() > 1 ? run.bodies[1].first : run.bodies[0].first + run.bodies[0].size();
  auto fits_free = [&](size_t f, ValueId v, const Body& body) {
    if (body.local(v) >= 0 || v >= loop_start) return false;
    if (!free[f]) free[f] = v;
    return *free[f] == v;
  };
  // Whether `v`, read by iteration `j`, is the template's local value `o`.
  auto fits = [&](ValueId o, ValueId v, const Body& body, size_t j) {
    if (o >= locals) return body.local(v) == o - locals;
    if (o < static_cast<ValueId>(S)) return j == 0 ? v < body.first : v == state[o];
    return fits_free(o - S, v, body);
  };
  for (size_t j = 0; j < run.bodies.size(); ++j) {
    const Body& body = run.bodies[j];
    if (body.size() != loop.body.size()) return std::nullopt;
    for (size_t s = 0; s < body.size(); ++s) {
      const Step& actual = t.steps[body.begin + s];
      const Step& expected = loop.body[s];
      if (!same_operation(actual, expected)) return std::nullopt;
      for (size_t o = 0; o < actual.operands.size(); ++o)
        if (!fits(expected.operands[o], actual.operands[o], body, j)) return std::nullopt;
    }
    std::vector<ValueId> after;
    for (ValueId n : loop.next) after.push_back(body.first + (n - locals));
    state = std::move(after);
    // The next check reads this iteration's state.
    const Guard& check = t.steps[run.checks[j + 1]].guard;
    auto reads = [&](ValueId o, ValueId v) { return o < static_cast<ValueId>(S) ? v == state[o] : fits_free(o - S, v, body); };
    if (!reads(loop.condition.lhs, check.lhs)) return std::nullopt;
    if (check.rhs_is_value && !reads(loop.condition.rhs, check.rhs)) return std::nullopt;
  }
  Match m;
  const Body& first = run.bodies.front();
  for (ValueId n : loop.next) m.initial.push_back(first.first + (n - locals));
  for (const auto& f : free) m.free.push_back(*f);
  m.final = state;

  // After the loop, only the last iteration's state may be used (as the loop's final state);
  // other values of the iterations the Loop step replaces do not exist any more.
  const ValueId replaced_begin = run.bodies.size() > 1 ? run.bodies[1].first : first.first;
  const ValueId replaced_end = run.bodies.back().first + static_cast<ValueId>(run.bodies.back().size());
  auto allowed = [&](ValueId v) {
    if (v < replaced_begin || v >= replaced_end) return true;
    return std::find(m.final.begin(), m.final.end(), v) != m.final.end();
  };
  bool all_allowed = true;
  for (size_t i = run.checks.back() + 1; i < t.steps.size(); ++i)
    for_each_read(t.steps[i], [&](ValueId v) { all_allowed &= allowed(v); });
  if (!all_allowed) return std::nullopt;
  for (ValueId v : t.results)
    if (!allowed(v)) return std::nullopt;
  return m;
}

// Infers the loop from the run's first two bodies (the run has at least two).
std::optional<Loop> infer(const Trace& t, const Run& run) {
  const Body& b1 = run.bodies[0];
  const Body& b2 = run.bodies[1];
  if (b1.size() != b2.size() || b1.size() == 0) return std::nullopt;
  std::vector<int> state_next;    // per state value, its next value's index in the body
  std::vector<ValueId> free_values;
  auto index_of = [](auto& list, auto value) {
    auto it = std::find(list.begin(), list.end(), value);
    if (it == list.end()) list.push_back(value);
    return static_cast<int>(std::find(list.begin(), list.end(), value) - list.begin());
  };
  // Operands in template form, resolved once the state and free counts are known.
  enum class Kind { Local, State, Free };
  struct Ref {
    Kind kind;
    int index;
  };
  // `a` as iteration 1 reads it, `b` as iteration 2 does.
  auto classify = [&](ValueId a, ValueId b) -> std::optional<Ref> {
    if (int q = b2.local(b); q >= 0) {
      if (b1.local(a) != q) return std::nullopt;
      return Ref{Kind::Local, q};
    }
    if (int q = b1.local(b); q >= 0) {
      if (b1.local(a) >= 0) return std::nullopt;
      return Ref{Kind::State, index_of(state_next, q)};
    }
    if (a != b) return std::nullopt;
    return Ref{Kind::Free, index_of(free_values, b)};
  };
  std::vector<std::vector<Ref>> refs(b2.size());
  for (size_t s = 0; s < b2.size(); ++s) {
    const Step& x = t.steps[b1.begin + s];
    const Step& y = t.steps[b2.begin + s];
    if (!same_operation(x, y)) return std::nullopt;
    for (size_t o = 0; o < x.operands.size(); ++o) {
      auto ref = classify(x.operands[o], y.operands[o]);
      if (!ref) return std::nullopt;
      refs[s].push_back(*ref);
    }
  }
  // The condition reads the state an iteration leaves (or a loop-invariant value).
  auto condition_ref = [&](ValueId a, ValueId b) -> std::optional<Ref> {
    if (int q = b2.local(b); q >= 0) {
      if (b1.local(a) != q) return std::nullopt;
      return Ref{Kind::State, index_of(state_next, q)};
    }
    if (a != b || b1.local(b) >= 0) return std::nullopt;
    return Ref{Kind::Free, index_of(free_values, b)};
  };
  const Guard& g2 = t.steps[run.checks[1]].guard;
  const Guard& g3 = t.steps[run.checks[2]].guard;
  auto lhs = condition_ref(g2.lhs, g3.lhs);
  std::optional<Ref> rhs;
  if (!lhs || (g2.rhs_is_value && !(rhs = condition_ref(g2.rhs, g3.rhs)))) return std::nullopt;

  Loop loop;
  const ValueId S = static_cast<ValueId>(state_next.size()), F = static_cast<ValueId>(free_values.size());
  auto local = [&](const Ref& r) { return r.kind == Kind::State ? r.index : r.kind == Kind::Free ? S + r.index : S + F + r.index; };
  for (int q : state_next) {
    loop.state_shapes.push_back(t.steps[b2.begin + q].shape);
    loop.next.push_back(S + F + q);
  }
  loop.free_count = free_values.size();
  loop.condition = g2;
  loop.condition.lhs = local(*lhs);
  if (rhs) loop.condition.rhs = local(*rhs);
  for (size_t s = 0; s < b2.size(); ++s) {
    Step step = t.steps[b2.begin + s];
    for (size_t o = 0; o < step.operands.size(); ++o) step.operands[o] = local(refs[s][o]);
    loop.body.push_back(std::move(step));
  }
  return loop;
}

}  // namespace

const Loop* LoopLibrary::find(const Guard& condition) const {
  for (const auto& loop : loops_)
    if (same_condition(loop->condition, condition) && loop->condition.outcome == condition.outcome) return loop.get();
  return nullptr;
}

size_t LoopLibrary::learn(const Trace& raw) {
  Numbering numbering(raw);
  size_t learned = 0;
  for (const Run& run : find_runs(raw, numbering)) {
    const Guard& check = raw.steps[run.checks.front()].guard;
    if (run.bodies.size() < 2 || find(check)) continue;
    std::optional<Loop> loop = infer(raw, run);
    if (!loop || !match(raw, run, *loop)) continue;  // the later iterations must agree too
    loops_.push_back(std::make_shared<const Loop>(std::move(*loop)));
    ++learned;
  }
  return learned;
}

Trace LoopLibrary::fold(const Trace& raw) const {
  Numbering numbering(raw);
  struct Folding {
    const Run* run;
    std::shared_ptr<const Loop> loop;
    Match match;
  };
  std::vector<Run> runs = find_runs(raw, numbering);
  std::map<size_t, Folding> by_second_check;  // a run is replaced from its second check on
  for (const Run& run : runs) {
    const Guard& check = raw.steps[run.checks.front()].guard;
    for (const auto& loop : loops_) {
      if (!(same_condition(loop->condition, check) && loop->condition.outcome == check.outcome)) continue;
      if (auto m = match(raw, run, *loop)) by_second_check[run.checks[1]] = {&run, loop, std::move(*m)};
    }
  }
  if (by_second_check.empty()) return raw;

  Trace folded;
  folded.inputs = raw.inputs;
  folded.parameters = raw.parameters;
  std::map<ValueId, ValueId> renumbered;
  ValueId next = static_cast<ValueId>(raw.inputs.size());
  for (ValueId i = 0; i < next; ++i) renumbered[i] = i;
  // Values of the trace are renumbered; parameters and the values regions number apart keep theirs.
  auto map = [&](ValueId v) { return is_parameter_value(v) || v >= region_values(1) ? v : renumbered.at(v); };
  for (size_t i = 0; i < raw.steps.size();) {
    auto folding = by_second_check.find(i);
    if (folding == by_second_check.end()) {
      Step step = raw.steps[i];
      for_each_read(step, [&](ValueId& v) { v = map(v); });
      for (size_t d = 0; d < step.defines(); ++d) renumbered[numbering.first[i] + static_cast<ValueId>(d)] = next++;
      folded.steps.push_back(std::move(step));
      ++i;
      continue;
    }
    const Folding& f = folding->second;
    Step loop;
    loop.kind = Step::Kind::Loop;
    loop.loop = f.loop;
    for (ValueId v : f.match.initial) loop.operands.push_back(map(v));
    for (ValueId v : f.match.free) loop.operands.push_back(map(v));
    for (ValueId v : f.match.final) renumbered[v] = next++;
    folded.steps.push_back(std::move(loop));
    i = f.run->checks.back() + 1;
  }
  for (ValueId v : raw.results) folded.results.push_back(map(v));
  return folded;
}

}  // namespace kiln
