// kiln's errors as Python exceptions of kiln's kinds, each a KilnError (itself a RuntimeError)
// and the built-in one it refines: ShapeError and ValueError are ValueErrors, FileError an
// OSError, MemoryError a MemoryError; InitError (an uninitialised parameter) is a KilnError.
#include "python/src/bindings.h"
#include "runtime/error.h"

namespace py = pybind11;

namespace kiln::python {

void bind_errors(py::module_& m) {
  static py::exception<Error> error(m, "KilnError", PyExc_RuntimeError);
  auto kiln_and = [](PyObject* builtin) { return py::make_tuple(error, py::handle(builtin)); };
  static py::exception<ValueError> value_error(m, "ValueError", kiln_and(PyExc_ValueError));
  static py::exception<ShapeError> shape_error(m, "ShapeError", value_error.ptr());
  static py::exception<InitError> init_error(m, "InitError", error.ptr());
  static py::exception<FileError> file_error(m, "FileError", kiln_and(PyExc_OSError));
  static py::exception<MemoryError> memory_error(m, "MemoryError", kiln_and(PyExc_MemoryError));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const ShapeError& e) {
      shape_error(e.what());
    } catch (const ValueError& e) {
      value_error(e.what());
    } catch (const InitError& e) {
      init_error(e.what());
    } catch (const FileError& e) {
      file_error(e.what());
    } catch (const MemoryError& e) {
      memory_error(e.what());
    } catch (const Error& e) {
      error(e.what());
    }
  });
}

}  // namespace kiln::python
