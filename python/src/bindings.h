// The pieces of kiln's Python extension (_kiln), one per part of the API; module.cc calls them.
// The Python package (python/kiln/) builds MXNet's names on top of these objects: they are the
// C++ API's own objects, not a second implementation.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>

namespace kiln {
class NDArray;
}

namespace kiln::python {

void bind_errors(pybind11::module_& m);
void bind_ndarray(pybind11::module_& m);    // NDArray, Scalar, the nd functions
void bind_autograd(pybind11::module_& m);   // record / pause / train_mode scopes
void bind_nn(pybind11::module_& m);         // Parameter, ParameterDict, Block (subclassable), the layers, SymbolBlock
void bind_loss(pybind11::module_& m);       // gluon.loss
void bind_trainer(pybind11::module_& m);    // gluon.Trainer, its compiled step, lr_scheduler
void bind_metric(pybind11::module_& m);     // metric
void bind_data(pybind11::module_& m);       // gluon.data: datasets, transforms, DataLoader

// An NDArray, or a NumPy array (or anything NumPy reads) copied into one.
NDArray to_ndarray(const pybind11::object& value);

// A Python object held from C++, which may let it go on any thread: it takes the GIL to do so.
struct PythonRef {
  explicit PythonRef(pybind11::object o) : object(std::move(o)) {}
  PythonRef(const PythonRef&) = delete;
  PythonRef& operator=(const PythonRef&) = delete;
  ~PythonRef() {
    if (!Py_IsInitialized()) {
      object.release();  // the interpreter is gone: nothing to give back
      return;
    }
    pybind11::gil_scoped_acquire gil;
    object = pybind11::object();
  }
  pybind11::object object;
};

// `obj`'s C++ object for C++ to keep, holding `obj` itself alive as long: an object subclassed
// in Python (a Block, a Dataset) is useless without its Python part, where its methods live.
template <class T>
std::shared_ptr<T> with_python_part(const pybind11::handle& obj) {
  auto object = obj.cast<std::shared_ptr<T>>();
  auto part = std::make_shared<PythonRef>(pybind11::reinterpret_borrow<pybind11::object>(obj));
  T* raw = object.get();
  return std::shared_ptr<T>(raw, [object, part](T*) mutable {
    part.reset();
    object.reset();
  });
}

}  // namespace kiln::python
