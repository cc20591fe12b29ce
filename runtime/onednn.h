// The process's oneDNN CPU engine and a stream per thread. Only runtime .cc files include this
// (it pulls in dnnl.hpp).
#pragma once

#include <dnnl.hpp>
#include <initializer_list>
#include <unordered_map>
#include <utility>

namespace kiln::onednn {

dnnl::engine& engine();
dnnl::stream& stream();  // one per calling thread: streams are not shared across threads

// A primitive with a memory object per argument, built once and kept: a call only points the
// memories at its buffers (set) and runs it. Memories made with `owned` hold oneDNN-allocated
// buffers of their own (a workspace, a scratch output).
struct BoundPrimitive {
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> args;

  void bind(std::initializer_list<std::pair<int, dnnl::memory::desc>> user) {
    for (const auto& [arg, md] : user) args.emplace(arg, dnnl::memory(md, engine(), nullptr));
  }
  void own(int arg, const dnnl::memory::desc& md) { args.emplace(arg, dnnl::memory(md, engine())); }
  void set(int arg, const void* data) { args.at(arg).set_data_handle(const_cast<void*>(data)); }
  // Points the arguments at `buffers`, then runs.
  void execute(std::initializer_list<std::pair<int, const void*>> buffers) {
    for (const auto& [arg, data] : buffers) set(arg, data);
    execute();
  }
  // Runs on this thread's stream and waits.
  void execute() {
    dnnl::stream& s = stream();
    primitive.execute(s, args);
    s.wait();
  }
};

}  // namespace kiln::onednn
