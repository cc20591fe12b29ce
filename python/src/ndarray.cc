// NDArray, Scalar and the nd functions. Arithmetic and in-place operators are NDArray's own
// (so autograd and hybridize's tracer see them); asscalar() returns a Scalar whose comparisons
// become guards of a hybridized forward, named by the Python file and line that read it.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <functional>
#include <sstream>
#include <string>

#include "frontend/hybridize/trace_hook.h"
#include "frontend/nd.h"
#include "python/src/bindings.h"
#include "runtime/error.h"

namespace py = pybind11;

namespace kiln::python {
namespace {

// MXNet accepts a shape as an int or a tuple.
Shape to_shape(const py::object& shape) {
  if (py::isinstance<py::int_>(shape)) return {shape.cast<int64_t>()};
  return shape.cast<std::vector<int64_t>>();
}

py::tuple shape_tuple(const Shape& s) {
  py::tuple t(s.size());
  for (size_t i = 0; i < s.size(); ++i) t[i] = s[i];
  return t;
}

// The Python frame that called into kiln, as a guard site: its file and line.
uint64_t python_site() {
  PyFrameObject* frame = PyEval_GetFrame();
  if (!frame) return 1;
  int line = PyFrame_GetLineNumber(frame);
  PyCodeObject* code = PyFrame_GetCode(frame);
  std::string file = py::str(code->co_filename);
  Py_DECREF(code);
  return std::hash<std::string>{}(file) ^ (uint64_t(line) << 20) ^ 0x9e3779b97f4a7c15ull;
}

// An array's values as a NumPy array sharing its storage (kept alive by the NumPy array).
py::array as_numpy(const NDArray& a) {
  std::vector<py::ssize_t> shape(a.shape().begin(), a.shape().end()), strides(shape.size());
  py::ssize_t stride = sizeof(float);
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  auto* keep = new NDArray(a);
  py::capsule owner(keep, [](void* p) { delete static_cast<NDArray*>(p); });
  return py::array(py::dtype::of<float>(), shape, strides, const_cast<float*>(keep->data()), owner);
}

NDArray from_numpy(py::array_t<float, py::array::c_style | py::array::forcecast> values) {
  Shape shape(values.shape(), values.shape() + values.ndim());
  std::vector<float> data(values.data(), values.data() + values.size());
  return nd::array(data, shape.empty() ? Shape{1} : shape);
}


std::string str_of(const NDArray& a) {
  std::ostringstream out;
  out << a;
  return out.str();
}

}  // namespace

NDArray to_ndarray(const py::object& value) {
  if (py::isinstance<NDArray>(value)) return value.cast<NDArray>();
  return from_numpy(py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(value));
}

void bind_ndarray(py::module_& m) {
  py::class_<Scalar>(m, "Scalar")
      .def("__float__", [](const Scalar& s) { return static_cast<float>(s); })
      .def("__bool__", [](const Scalar& s) { return s != 0.f; })
      .def("__repr__", [](const Scalar& s) { return std::to_string(s.value()); })
#define KILN_COMPARE(py_name, op)                                                      \
  .def(py_name, [](const Scalar& a, float b) { return a op b; })                       \
      .def(py_name, [](const Scalar& a, const Scalar& b) { return a op b; })
      KILN_COMPARE("__gt__", >) KILN_COMPARE("__ge__", >=) KILN_COMPARE("__lt__", <) KILN_COMPARE("__le__", <=)
      KILN_COMPARE("__eq__", ==) KILN_COMPARE("__ne__", !=)
#undef KILN_COMPARE
      // Used as a number: a guard on the exact value (Scalar's operator float).
      .def("__add__", [](const Scalar& a, float b) { return float(a) + b; })
      .def("__radd__", [](const Scalar& a, float b) { return b + float(a); })
      .def("__sub__", [](const Scalar& a, float b) { return float(a) - b; })
      .def("__rsub__", [](const Scalar& a, float b) { return b - float(a); })
      .def("__mul__", [](const Scalar& a, float b) { return float(a) * b; })
      .def("__rmul__", [](const Scalar& a, float b) { return b * float(a); })
      .def("__truediv__", [](const Scalar& a, float b) { return float(a) / b; });

  py::class_<NDArray>(m, "NDArray", py::buffer_protocol())
      .def(py::init([](const py::object& values) { return to_ndarray(values); }))
      .def_property_readonly("shape", [](const NDArray& a) { return shape_tuple(a.shape()); })
      .def_property_readonly("size", [](const NDArray& a) { return a.size(); })
      .def_property_readonly("ndim", [](const NDArray& a) { return a.ndim(); })
      .def_property_readonly("dtype", [](const NDArray&) { return py::dtype::of<float>(); })
      .def_property_readonly("T", &NDArray::T)
      .def_property_readonly("grad", &NDArray::grad)
      .def("asnumpy", &as_numpy)
      .def("asscalar", [](const NDArray& a) { return Scalar(a.Array::asscalar(), a, active_trace() ? python_site() : 1); })
      .def("reshape", [](const NDArray& a, const py::args& shape) {
        if (shape.size() == 1 && !py::isinstance<py::int_>(shape[0])) return a.reshape(to_shape(shape[0]));
        return a.reshape(shape.cast<std::vector<int64_t>>());
      })
      .def("sum", [](const NDArray& a, std::optional<int> axis, bool keepdims) { return a.sum(axis, keepdims); },
           py::arg("axis") = py::none(), py::arg("keepdims") = false)
      .def("mean", [](const NDArray& a, std::optional<int> axis, bool keepdims) { return a.mean(axis, keepdims); },
           py::arg("axis") = py::none(), py::arg("keepdims") = false)
      .def("max", [](const NDArray& a, std::optional<int> axis, bool keepdims) { return a.max(axis, keepdims); },
           py::arg("axis") = py::none(), py::arg("keepdims") = false)
      .def("argmax", [](const NDArray& a, std::optional<int> axis, bool keepdims) { return nd::argmax(a, axis, keepdims); },
           py::arg("axis") = py::none(), py::arg("keepdims") = false)
      // kiln's arrays are float32: astype to it copies (or not), to anything else is an error.
      .def("astype", [](const NDArray& a, const py::object& dtype, bool copy) {
        if (!py::dtype::from_args(dtype).equal(py::dtype::of<float>()))
          throw ValueError("astype(" + std::string(py::str(dtype)) + "): kiln's arrays are float32 only");
        return copy ? a.copy() : a;
      }, py::arg("dtype"), py::arg("copy") = true)
      .def("norm", &NDArray::norm)
      .def("relu", &NDArray::relu)
      .def("sigmoid", &NDArray::sigmoid)
      .def("tanh", &NDArray::tanh)
      .def("exp", &NDArray::exp)
      .def("log", &NDArray::log)
      .def("copy", &NDArray::copy)
      .def("detach", &NDArray::detach)
      .def("attach_grad", [](NDArray& a, const std::string& req) {
        a.attach_grad(req == "add" ? GradReq::Add : req == "null" ? GradReq::Null : GradReq::Write);
      }, py::arg("grad_req") = "write")
      .def("backward", [](const NDArray& a, const std::optional<NDArray>& head) { a.backward(head.value_or(NDArray())); },
           py::arg("out_grad") = py::none())
      .def("__neg__", [](const NDArray& a) { return -a; })
      .def("__len__", [](const NDArray& a) { return a.ndim() ? a.shape()[0] : 0; })
      .def("__str__", &str_of)
      .def("__repr__", &str_of)
      .def("__array__", [](const NDArray& a, const py::object&) { return as_numpy(a); }, py::arg("dtype") = py::none())
#define KILN_BINARY(py_name, py_rname, op)                                                                  \
  .def(py_name, [](const NDArray& a, const NDArray& b) { return a op b; })                                  \
      .def(py_name, [](const NDArray& a, float b) { return a op b; })                                       \
      .def(py_rname, [](const NDArray& a, float b) { return b op a; })
      KILN_BINARY("__add__", "__radd__", +) KILN_BINARY("__sub__", "__rsub__", -)
      KILN_BINARY("__mul__", "__rmul__", *) KILN_BINARY("__truediv__", "__rtruediv__", /)
#undef KILN_BINARY
#define KILN_IN_PLACE(py_name, op)                                                                          \
  .def(py_name, [](NDArray& a, const NDArray& b) -> NDArray& { return a op b; }, py::return_value_policy::reference) \
      .def(py_name, [](NDArray& a, float b) -> NDArray& { return a op b; }, py::return_value_policy::reference)
      KILN_IN_PLACE("__iadd__", +=) KILN_IN_PLACE("__isub__", -=) KILN_IN_PLACE("__imul__", *=)
      KILN_IN_PLACE("__itruediv__", /=)
#undef KILN_IN_PLACE
      .def("__gt__", [](const NDArray& a, const NDArray& b) { return a > b; })
      .def("__gt__", [](const NDArray& a, float b) { return a > b; })
      .def("__lt__", [](const NDArray& a, const NDArray& b) { return a < b; })
      .def("__lt__", [](const NDArray& a, float b) { return a < b; })
      .def("__eq__", [](const NDArray& a, const NDArray& b) { return a == b; })
      .def("__bool__", [](const NDArray& a) { return static_cast<bool>(a); });

  py::module_ nd = m.def_submodule("nd", "the array functions (mxnet.nd)");
  nd.def("array", &to_ndarray, py::arg("source"));
  nd.def("zeros", [](const py::object& shape) { return nd::zeros(to_shape(shape)); }, py::arg("shape"));
  nd.def("ones", [](const py::object& shape) { return nd::ones(to_shape(shape)); }, py::arg("shape"));
  nd.def("full", [](const py::object& shape, float v) { return nd::full(to_shape(shape), v); }, py::arg("shape"),
         py::arg("val"));
  nd.def("dot", &nd::dot, py::arg("lhs"), py::arg("rhs"), py::arg("transpose_a") = false, py::arg("transpose_b") = false);
  for (auto [name, fn] : {std::pair{"relu", &nd::relu}, {"sigmoid", &nd::sigmoid}, {"tanh", &nd::tanh}, {"exp", &nd::exp},
                          {"log", &nd::log}, {"sqrt", &nd::sqrt}, {"square", &nd::square}, {"abs", &nd::abs},
                          {"negative", &nd::negative}, {"norm", &nd::norm}})
    nd.def(name, fn);
  for (auto [name, fn] : {std::pair{"add", &nd::add}, {"subtract", &nd::subtract}, {"multiply", &nd::multiply},
                          {"divide", &nd::divide}, {"maximum", &nd::maximum}, {"minimum", &nd::minimum}})
    nd.def(name, fn);
  nd.def("sum", &nd::sum, py::arg("data"), py::arg("axis") = py::none(), py::arg("keepdims") = false);
  nd.def("mean", &nd::mean, py::arg("data"), py::arg("axis") = py::none(), py::arg("keepdims") = false);
  nd.def("max", &nd::max, py::arg("data"), py::arg("axis") = py::none(), py::arg("keepdims") = false);
  nd.def("argmax", &nd::argmax, py::arg("data"), py::arg("axis") = py::none(), py::arg("keepdims") = false);
  nd.def("softmax", &nd::softmax, py::arg("data"), py::arg("axis") = -1);
  nd.def("log_softmax", &nd::log_softmax, py::arg("data"), py::arg("axis") = -1);
  nd.def("reshape", [](const NDArray& x, const py::object& shape) { return nd::reshape(x, to_shape(shape)); },
         py::arg("data"), py::arg("shape"));
  nd.def("concat", [](const py::args& parts, int dim) {
    return nd::concat(parts.cast<std::vector<NDArray>>(), dim);
  }, py::arg("dim") = 1);

  py::module_ random = nd.def_submodule("random", "random draws (mxnet.nd.random)");
  random.def("seed", &nd::random::seed, py::arg("seed_state"));
  random.def("uniform", [](float low, float high, const py::object& shape) {
    return nd::random::uniform(low, high, to_shape(shape));
  }, py::arg("low") = 0.f, py::arg("high") = 1.f, py::arg("shape") = py::int_(1));
  random.def("normal", [](float loc, float scale, const py::object& shape) {
    return nd::random::normal(loc, scale, to_shape(shape));
  }, py::arg("loc") = 0.f, py::arg("scale") = 1.f, py::arg("shape") = py::int_(1));
}

}  // namespace kiln::python
