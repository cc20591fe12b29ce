// mxnet.metric: kiln's metrics, accumulated on the host. update() takes arrays or, as MXNet's
// does, lists of them (one per device; here, one per batch part).
#include <pybind11/stl.h>

#include "frontend/metric/metric.h"
#include "python/src/bindings.h"
#include "runtime/error.h"

namespace py = pybind11;

namespace kiln::python {
namespace {

std::vector<NDArray> arrays_of(const py::object& value) {
  if (py::isinstance<NDArray>(value)) return {value.cast<NDArray>()};
  return value.cast<std::vector<NDArray>>();
}

// update(labels, preds) over matching lists.
template <class Metric>
void update_pairs(Metric& metric, const py::object& labels, const py::object& preds) {
  std::vector<NDArray> ls = arrays_of(labels), ps = arrays_of(preds);
  if (ls.size() != ps.size())
    throw ValueError(fmt("metric.update: ", ls.size(), " label arrays but ", ps.size(), " prediction arrays"));
  for (size_t i = 0; i < ls.size(); ++i) metric.update(ls[i], ps[i]);
}

}  // namespace

void bind_metric(py::module_& m) {
  py::module_ mm = m.def_submodule("metric", "evaluation metrics (mxnet.metric)");
  py::class_<metric::EvalMetric>(mm, "EvalMetric")
      .def("get", &metric::EvalMetric::get)
      .def("reset", &metric::EvalMetric::reset);
  py::class_<metric::Accuracy, metric::EvalMetric>(mm, "Accuracy")
      .def(py::init<>())
      .def("update", &update_pairs<metric::Accuracy>, py::arg("labels"), py::arg("preds"));
  py::class_<metric::TopKAccuracy, metric::EvalMetric>(mm, "TopKAccuracy")
      .def(py::init<int64_t>(), py::arg("top_k") = 1)
      .def("update", &update_pairs<metric::TopKAccuracy>, py::arg("labels"), py::arg("preds"));
  py::class_<metric::Loss, metric::EvalMetric>(mm, "Loss")
      .def(py::init<>())
      .def("update", [](metric::Loss& metric, const py::object&, const py::object& preds) {
        for (const NDArray& p : arrays_of(preds)) metric.update(p);
      }, py::arg("labels"), py::arg("preds"));
}

}  // namespace kiln::python
