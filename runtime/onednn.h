// The process's oneDNN CPU engine and a stream per thread. Only runtime .cc files include this
// (it pulls in dnnl.hpp).
#pragma once

#include <dnnl.hpp>

namespace kiln::onednn {

dnnl::engine& engine();
dnnl::stream& stream();  // one per calling thread: streams are not shared across threads

}  // namespace kiln::onednn
