// kiln-bench: eager vs hybridized per-call time of the benchmark workloads (bench/workloads.h),
// with the first hybridized call's trace + compile time and the array allocations per call.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench/training_workloads.h"
#include "bench/workloads.h"
#include "codegen/vector_target.h"
#include "runtime/allocator.h"
#include "runtime/threads.h"

namespace kiln {
namespace {

constexpr const char* kUsage = R"(usage: kiln-bench [--json] [--threads=1,2] [--min-time=MS] [--static-params] [WORKLOAD...]

Times each workload eagerly and hybridized (compiled) in the same process, interleaved.
Workloads: seed_mlp nest_mlp chimera fancy_mlp deep_mlp wide_mlp conv_block resnet18 resnet18_b32
(inference: µs per call), and seed_train mlp_train mlp_train_b16 lenet_train (training: µs per
step — forward, loss, backward under
autograd::record() and gluon::Trainer's SGD step, whose per-parameter update is compiled in
both columns; net and loss hybridized in the second; the whole step as Trainer::compile_step's
one function as "compiled step"). Default: all.

  --json         one JSON object per line, keys: workload, threads, eager_us, hybrid_us,
                 speedup, compile_ms, allocs_per_call (and compiled: false when some timed
                 hybridized call did not run compiled end to end); training workloads add
                 eager_step_us, hybrid_step_us (the same two figures) and compiled_step_us
  --threads=L    comma-separated thread counts for oneDNN's parallel kernels (default 1,2)
  --min-time=MS  time per measurement, split over 5 interleaved repetitions (default 500)
  --static-params  hybridize({.static_params = true}): parameters baked in as constants
  --help         this text

eager_us / hybrid_us: median of 5 repetitions, microseconds per call. speedup: eager / hybrid.
compile_ms: the first hybridized call of a fresh network (trace + compile), milliseconds.
allocs_per_call: arrays allocated per hybridized call (outputs; generated code allocates none
below its stack budget).
)";

struct Options {
  bool json = false;
  std::vector<int> threads{1, 2};
  double min_time_ms = 500;
  bool static_params = false;
  std::vector<std::string> workloads;
};

// The number in `text`, or a ValueError naming `option`.
double number(const std::string& option, const std::string& text) {
  try {
    size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size() && value > 0) return value;
  } catch (const std::exception&) {
  }
  throw ValueError(fmt("kiln-bench: ", option, " needs a positive number, not '", text, "'"));
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (arg == "--json") {
      o.json = true;
    } else if (arg == "--static-params") {
      o.static_params = true;
    } else if (arg.rfind("--threads=", 0) == 0) {
      o.threads.clear();
      for (size_t pos = 10; pos < arg.size();) {
        size_t comma = arg.find(',', pos);
        o.threads.push_back(static_cast<int>(number("--threads", arg.substr(pos, comma - pos))));
        pos = comma == std::string::npos ? arg.size() : comma + 1;
      }
    } else if (arg.rfind("--min-time=", 0) == 0) {
      o.min_time_ms = number("--min-time", arg.substr(11));
    } else if (arg.rfind("--", 0) == 0) {
      throw ValueError(fmt("kiln-bench: unknown option '", arg, "' (see --help)"));
    } else {
      if (!workloads::find_training(arg)) workloads::find(arg);  // rejects unknown names with the list
      o.workloads.push_back(arg);
    }
  }
  if (o.workloads.empty()) {
    for (const auto& w : workloads::all()) o.workloads.push_back(w.name);
    for (const auto& w : workloads::training_all()) o.workloads.push_back(w.name);
  }
  return o;
}

double now_us() {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Calls `net` on `x` `n` times; microseconds per call.
double time_calls(nn::Block& net, const NDArray& x, int64_t n) {
  double start = now_us();
  for (int64_t i = 0; i < n; ++i) net(x);
  return (now_us() - start) / static_cast<double>(n);
}

struct Result {
  double eager_us, hybrid_us, compile_ms, allocs_per_call;
  bool compiled;
  double step_us = 0;  // training: the compiled step (Trainer::compile_step)
};

// Times `run(n)` (µs per call for n calls) eagerly and hybridized — and `step`, if given —
// interleaved over 5 repetitions after a warm-up: the first hybridized call's time (trace +
// compile), the medians, and the allocations and compiled calls counted over the hybridized
// repetitions. `compiled()` counts calls that ran compiled end to end; `per_call` of them are
// expected per timed call.
using Timer = std::function<double(int64_t)>;
Result interleave(const Timer& eager, const Timer& hybrid, const std::function<size_t()>& compiled,
                  size_t per_call, int64_t warm_calls, const Options& o, const Timer* step = nullptr) {
  constexpr int kReps = 5;
  Result r{};
  r.compile_ms = hybrid(1) / 1000;
  // Enough calls per repetition to fill its share of the time (calibrated on the eager path).
  double per = std::max(eager(3), 0.05);
  auto calls = static_cast<int64_t>(std::max(1.0, o.min_time_ms * 1000 / kReps / 2 / per));
  hybrid(std::min(calls, warm_calls));
  if (step) (*step)(std::min(calls, warm_calls));
  size_t compiled_before = compiled();
  std::vector<double> eager_us, hybrid_us, step_us;
  uint64_t allocs = 0;
  for (int rep = 0; rep < kReps; ++rep) {
    eager_us.push_back(eager(calls));
    uint64_t before = memory::counters().requests;
    hybrid_us.push_back(hybrid(calls));
    allocs += memory::counters().requests - before;
    if (step) step_us.push_back((*step)(calls));
  }
  auto median = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  r.eager_us = median(eager_us);
  r.hybrid_us = median(hybrid_us);
  if (step) r.step_us = median(step_us);
  r.allocs_per_call = static_cast<double>(allocs) / static_cast<double>(calls * kReps);
  r.compiled = compiled() - compiled_before == per_call * static_cast<size_t>(calls * kReps);
  return r;
}

Result measure(const workloads::Workload& w, const Options& o) {
  workloads::Instance eager = workloads::instantiate(w);
  workloads::Instance hybrid = workloads::instantiate(w);
  hybrid.net->hybridize({.static_params = o.static_params});
  return interleave([&](int64_t n) { return time_calls(*eager.net, eager.input, n); },
                    [&](int64_t n) { return time_calls(*hybrid.net, hybrid.input, n); },
                    [&] { return hybrid.net->hybrid_stats().compiled; }, 1, 100, o);
}

// µs per training step over `n` steps.
double time_steps(workloads::TrainingRun& run, int64_t n) {
  double start = now_us();
  for (int64_t i = 0; i < n; ++i) run.step();
  return (now_us() - start) / static_cast<double>(n);
}

Result measure_training(const workloads::TrainingWorkload& w, const Options& o) {
  workloads::TrainingRun eager(w, workloads::StepKind::Eager), hybrid(w, workloads::StepKind::Hybridized),
      compiled(w, workloads::StepKind::Compiled);
  Timer step = [&](int64_t n) { return time_steps(compiled, n); };
  // Each step calls the net and the loss once.
  Result r = interleave([&](int64_t n) { return time_steps(eager, n); }, [&](int64_t n) { return time_steps(hybrid, n); },
                        [&] { return hybrid.net().hybrid_stats().compiled + hybrid.loss().hybrid_stats().compiled; }, 2, 20,
                        o, &step);
  r.compiled &= compiled.compiled_step()->last_call_compiled();
  return r;
}

int run(int argc, char** argv) {
  Options o = parse(argc, argv);
  if (!o.json)
    std::printf("kiln-bench: generated code for %s (%lld f32 lanes); µs per call, median of 5\n\n%-10s %7s %10s %10s %8s %11s %11s\n",
                codegen::host_vector_target().name.c_str(), static_cast<long long>(codegen::host_vector_target().lanes),
                "workload", "threads", "eager µs", "hybrid µs", "speedup", "compile ms", "allocs/call");
  for (const std::string& name : o.workloads) {
    for (int threads : o.threads) {
      set_num_threads(threads);
      const workloads::TrainingWorkload* training = workloads::find_training(name);
      Result r = training ? measure_training(*training, o) : measure(workloads::find(name), o);
      double speedup = r.eager_us / r.hybrid_us;
      // Training workloads also name their columns as steps, and add the compiled step.
      std::string steps = training ? fmt(", \"eager_step_us\": ", r.eager_us, ", \"hybrid_step_us\": ", r.hybrid_us,
                                         ", \"compiled_step_us\": ", r.step_us)
                                   : "";
      if (o.json)
        std::printf("{\"workload\": \"%s\", \"threads\": %d, \"eager_us\": %.3f, \"hybrid_us\": %.3f, \"speedup\": %.3f, "
                    "\"compile_ms\": %.2f, \"allocs_per_call\": %.2f%s%s}\n",
                    name.c_str(), threads, r.eager_us, r.hybrid_us, speedup, r.compile_ms, r.allocs_per_call, steps.c_str(),
                    r.compiled ? "" : ", \"compiled\": false");
      else
        std::printf("%-10s %7d %10.2f %10.2f %7.2fx %11.1f %11.2f%s%s\n", name.c_str(), threads, r.eager_us, r.hybrid_us,
                    speedup, r.compile_ms, r.allocs_per_call,
                    training ? fmt("   compiled step ", r.step_us, " µs").c_str() : "",
                    r.compiled ? "" : "   (not compiled: runs eagerly)");
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace
}  // namespace kiln

int main(int argc, char** argv) {
  try {
    return kiln::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
}
