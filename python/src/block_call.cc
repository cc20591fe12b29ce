// Block.__call__ without pybind11's dispatcher. A hybridized call costs well under a microsecond
// in C++; pybind11's generic dispatch (a function_call record, an argument loader per overload,
// a hash of each C++ type's name to find its caster) would add about as much again. The common
// call, block(x) with one NDArray, converts its two arguments with casters found once; every
// other form goes to the pybind11 overloads unchanged.
//
// The casters are pybind11's own (detail::type_caster_generic, the one every bound class uses),
// so a Python subclass of Block and a C++ layer load exactly as through the dispatcher.
#include "python/src/block_call.h"

#include <exception>
#include <stdexcept>
#include <utility>
#include <vector>

#include "frontend/kiln.h"

namespace py = pybind11;

namespace kiln::python {
namespace {

const py::detail::type_info* block_type = nullptr;
const py::detail::type_info* ndarray_type = nullptr;
PyObject* overloads = nullptr;  // the pybind11 __call__ overloads: every other form of call
PyObject* rethrow = nullptr;    // raises the pending C++ exception through pybind11's translators
thread_local std::exception_ptr pending;

PyObject* call_overloads(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  Py_ssize_t total = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0);
  std::vector<PyObject*> with_self(static_cast<size_t>(total) + 1);
  with_self[0] = self;
  for (Py_ssize_t i = 0; i < total; ++i) with_self[static_cast<size_t>(i) + 1] = args[i];
  return PyObject_Vectorcall(overloads, with_self.data(), static_cast<size_t>(nargs) + 1, kwnames);
}

PyObject* block_call(PyObject* self, PyObject* const* args, Py_ssize_t nargs, PyObject* kwnames) {
  if (nargs != 1 || kwnames) return call_overloads(self, args, nargs, kwnames);
  py::detail::type_caster_generic block(block_type), x(ndarray_type);
  // A value that loads as null (an instance never constructed) gets the overloads' error too.
  if (!block.load(self, false) || !x.load(args[0], false) || !block.value || !x.value)
    return call_overloads(self, args, nargs, kwnames);
  NDArray* out = nullptr;
  {
    py::gil_scoped_release no_gil;
    try {
      out = new NDArray((*static_cast<nn::Block*>(block.value))(*static_cast<const NDArray*>(x.value)));
    } catch (...) {
      pending = std::current_exception();
    }
  }
  if (!out) {
    // Through a pybind11 function, so the error arrives as the kiln exception it would otherwise.
    PyObject* none = PyObject_CallNoArgs(rethrow);
    Py_XDECREF(none);
    return nullptr;
  }
  return py::detail::type_caster_generic::cast(out, py::return_value_policy::take_ownership, py::handle(),
                                               ndarray_type, nullptr, nullptr)
      .ptr();
}

PyMethodDef block_call_def{"__call__", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&block_call)),
                           METH_FASTCALL | METH_KEYWORDS, "block(x) or block(x1, x2, ...): runs the block's forward"};

}  // namespace

void install_block_call(py::handle block_class) {
  block_type = py::detail::get_type_info(typeid(nn::Block));
  ndarray_type = py::detail::get_type_info(typeid(NDArray));
  if (!block_type || !ndarray_type) throw std::logic_error("install_block_call: Block and NDArray must be bound first");
  // Kept for the life of the process, as the class itself is.
  overloads = py::getattr(block_class, "__call__").release().ptr();
  rethrow = py::cpp_function([] { std::rethrow_exception(std::exchange(pending, nullptr)); }).release().ptr();
  py::object call = py::reinterpret_steal<py::object>(
      PyDescr_NewMethod(reinterpret_cast<PyTypeObject*>(block_class.ptr()), &block_call_def));
  if (!call) throw py::error_already_set();
  py::setattr(block_class, "__call__", call);
}

}  // namespace kiln::python
