#include "runtime/onednn.h"

namespace kiln::onednn {

dnnl::engine& engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream& stream() {
  thread_local dnnl::stream s(engine());
  return s;
}

void BoundPrimitive::bridge(int arg, const dnnl::memory::desc& user, const dnnl::memory::desc& internal, bool output) {
  if (user == internal) {
    args.emplace(arg, dnnl::memory(user, engine(), nullptr));
    return;
  }
  dnnl::memory caller(user, engine(), nullptr), own(internal, engine());
  args.emplace(arg, own);
  bridges_.push_back({arg, caller, output ? dnnl::reorder(own, caller) : dnnl::reorder(caller, own), output});
}

void BoundPrimitive::set(int arg, const void* data) {
  for (Bridge& b : bridges_)
    if (b.arg == arg) return b.user.set_data_handle(const_cast<void*>(data));
  args.at(arg).set_data_handle(const_cast<void*>(data));
}

void BoundPrimitive::execute() {
  dnnl::stream& s = stream();
  for (Bridge& b : bridges_)
    if (!b.output) b.reorder.execute(s, b.user, args.at(b.arg));
  primitive.execute(s, args);
  for (Bridge& b : bridges_)
    if (b.output) b.reorder.execute(s, args.at(b.arg), b.user);
  s.wait();
}

}  // namespace kiln::onednn
