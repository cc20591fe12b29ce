// Block.__call__'s fast path (block_call.cc): block(x) without pybind11's generic dispatcher.
#pragma once

#include <pybind11/pybind11.h>

namespace kiln::python {

// Replaces `block_class.__call__` (its pybind11 overloads already defined) with the fast path,
// which hands every call it does not take to those overloads.
void install_block_call(pybind11::handle block_class);

}  // namespace kiln::python
