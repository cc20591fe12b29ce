// Every benchmark workload (bench/workloads.h) eager vs hybridized, per call, and the first
// hybridized call (trace + compile, without the disk cache). kiln-bench prints the same figures
// as a table or JSON; this suite is for Google Benchmark's tooling (filters, repetitions, JSON).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <vector>

#include "bench/workloads.h"

namespace kiln {
namespace {

void eager(benchmark::State& state, const workloads::Workload* w) {
  workloads::Instance in = workloads::instantiate(*w);
  for (auto _ : state) benchmark::DoNotOptimize((*in.net)(in.input).data());
}

void hybridized(benchmark::State& state, const workloads::Workload* w) {
  workloads::Instance in = workloads::instantiate(*w);
  in.net->hybridize();
  (*in.net)(in.input);  // trace + compile
  for (auto _ : state) benchmark::DoNotOptimize((*in.net)(in.input).data());
  state.counters["compiles"] = static_cast<double>(in.net->compile_count());
}

// Each iteration builds a fresh network and times its first hybridized call (not the network's
// destruction, which tears down its JIT).
void first_call(benchmark::State& state, const workloads::Workload* w) {
  std::vector<workloads::Instance> done;
  for (auto _ : state) {
    state.PauseTiming();
    workloads::Instance in = workloads::instantiate(*w);
    in.net->hybridize();
    state.ResumeTiming();
    benchmark::DoNotOptimize((*in.net)(in.input).data());
    state.PauseTiming();
    done.push_back(std::move(in));
    state.ResumeTiming();
  }
}

const bool registered = [] {
  ::setenv("KILN_CACHE_DIR", "off", 0);  // first calls compile unless the caller asks otherwise
  for (const workloads::Workload& w : workloads::all()) {
    benchmark::RegisterBenchmark(("Eager/" + w.name).c_str(), eager, &w);
    benchmark::RegisterBenchmark(("Hybridized/" + w.name).c_str(), hybridized, &w);
    benchmark::RegisterBenchmark(("FirstHybridizedCall/" + w.name).c_str(), first_call, &w)
        ->Unit(benchmark::kMillisecond)
        ->Iterations(3);
  }
  return true;
}();

}  // namespace
}  // namespace kiln
