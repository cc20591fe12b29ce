#include "python/src/bindings.h"

PYBIND11_MODULE(_kiln, m) {
  m.doc() = "kiln's C++ core: NDArray, autograd, Blocks and hybridize, losses, training and data";
  kiln::python::bind_errors(m);
  kiln::python::bind_ndarray(m);
  kiln::python::bind_autograd(m);
  kiln::python::bind_nn(m);
  kiln::python::bind_loss(m);
  kiln::python::bind_trainer(m);
  kiln::python::bind_metric(m);
  kiln::python::bind_data(m);
}
