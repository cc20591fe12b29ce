#include "python/src/bindings.h"

PYBIND11_MODULE(_kiln, m) {
  m.doc() = "kiln's C++ core: NDArray, autograd, Blocks and hybridize";
  kiln::python::bind_errors(m);
  kiln::python::bind_ndarray(m);
  kiln::python::bind_autograd(m);
  kiln::python::bind_nn(m);
}
