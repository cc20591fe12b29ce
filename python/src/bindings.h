// The pieces of kiln's Python extension (_kiln), one per part of the API; module.cc calls them.
// The Python package (python/kiln/) builds MXNet's names on top of these objects: they are the
// C++ API's own objects, not a second implementation.
#pragma once

#include <pybind11/pybind11.h>

namespace kiln::python {

void bind_errors(pybind11::module_& m);
void bind_ndarray(pybind11::module_& m);    // NDArray, Scalar, the nd functions
void bind_autograd(pybind11::module_& m);   // record / pause / train_mode scopes
void bind_nn(pybind11::module_& m);         // Parameter, ParameterDict, Block (subclassable), the layers

}  // namespace kiln::python
