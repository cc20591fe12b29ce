// The process's oneDNN CPU engine and a stream per thread. Only runtime .cc files include this
// (it pulls in dnnl.hpp).
#pragma once

#include <dnnl.hpp>
#include <initializer_list>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kiln::onednn {

dnnl::engine& engine();
dnnl::stream& stream();  // one per calling thread: streams are not shared across threads

// A primitive with a memory object per argument, built once and kept: a call only points the
// memories at its buffers (set) and runs it. Memories made with `own` hold oneDNN-allocated
// buffers of their own (a workspace, a scratch output). An argument bound with `bridge` is the
// caller's in one layout (plain nchw) and the primitive's in another (oneDNN's blocked choice):
// it is reordered into the primitive's before the run (an input) or out of it after (an output).
class BoundPrimitive {
 public:
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> args;

  void bind(std::initializer_list<std::pair<int, dnnl::memory::desc>> user) {
    for (const auto& [arg, md] : user) args.emplace(arg, dnnl::memory(md, engine(), nullptr));
  }
  void own(int arg, const dnnl::memory::desc& md) { args.emplace(arg, dnnl::memory(md, engine())); }
  // `arg` is the caller's in layout `user`, the primitive's in `internal`; `output`: written by it.
  void bridge(int arg, const dnnl::memory::desc& user, const dnnl::memory::desc& internal, bool output);
  void set(int arg, const void* data);
  // Points the arguments at `buffers`, then runs.
  void execute(std::initializer_list<std::pair<int, const void*>> buffers) {
    for (const auto& [arg, data] : buffers) set(arg, data);
    execute();
  }
  // Runs (with the reorders of bridged arguments) on this thread's stream and waits.
  void execute();

 private:
  struct Bridge {
    int arg;
    dnnl::memory user;
    dnnl::reorder reorder;
    bool output;
  };
  std::vector<Bridge> bridges_;
};

}  // namespace kiln::onednn
