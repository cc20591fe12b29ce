// gluon.loss: kiln's losses under Gluon's names and keyword arguments. Each is a Block (it
// hybridizes like any); a call takes (pred, label[, sample_weight]) and releases the GIL.
#include <pybind11/stl.h>

#include <optional>

#include "frontend/loss/loss.h"
#include "python/src/bindings.h"

namespace py = pybind11;

namespace kiln::python {
namespace {

// Gluon's weight=None is no scaling.
float weight_of(const std::optional<float>& weight) { return weight.value_or(1.f); }

NDArray call_loss(loss::Loss& l, const NDArray& pred, const NDArray& label, const std::optional<NDArray>& sample_weight) {
  py::gil_scoped_release no_gil;
  return sample_weight ? l(pred, label, *sample_weight) : l(pred, label);
}

}  // namespace

void bind_loss(py::module_& m) {
  py::module_ lm = m.def_submodule("loss", "losses (mxnet.gluon.loss)");
  py::class_<loss::Loss, nn::Block, std::shared_ptr<loss::Loss>>(lm, "Loss", py::dynamic_attr())
      .def("__call__", &call_loss, py::arg("pred"), py::arg("label"), py::arg("sample_weight") = py::none());

  py::class_<loss::L2Loss, loss::Loss, std::shared_ptr<loss::L2Loss>>(lm, "L2Loss", py::dynamic_attr())
      .def(py::init([](std::optional<float> weight, int batch_axis) {
        return std::make_shared<loss::L2Loss>(weight_of(weight), batch_axis);
      }), py::arg("weight") = 1.f, py::arg("batch_axis") = 0);
  py::class_<loss::L1Loss, loss::Loss, std::shared_ptr<loss::L1Loss>>(lm, "L1Loss", py::dynamic_attr())
      .def(py::init([](std::optional<float> weight, int batch_axis) {
        return std::make_shared<loss::L1Loss>(weight_of(weight), batch_axis);
      }), py::arg("weight") = py::none(), py::arg("batch_axis") = 0);
  py::class_<loss::SoftmaxCrossEntropyLoss, loss::Loss, std::shared_ptr<loss::SoftmaxCrossEntropyLoss>>(
      lm, "SoftmaxCrossEntropyLoss", py::dynamic_attr())
      .def(py::init([](int axis, bool sparse_label, bool from_logits, std::optional<float> weight, int batch_axis) {
        return std::make_shared<loss::SoftmaxCrossEntropyLoss>(loss::SoftmaxCrossEntropyOptions{
            .axis = axis, .sparse_label = sparse_label, .from_logits = from_logits, .weight = weight_of(weight),
            .batch_axis = batch_axis});
      }), py::arg("axis") = -1, py::arg("sparse_label") = true, py::arg("from_logits") = false,
           py::arg("weight") = py::none(), py::arg("batch_axis") = 0);
  py::class_<loss::SigmoidBinaryCrossEntropyLoss, loss::Loss, std::shared_ptr<loss::SigmoidBinaryCrossEntropyLoss>>(
      lm, "SigmoidBinaryCrossEntropyLoss", py::dynamic_attr())
      .def(py::init([](bool from_sigmoid, std::optional<float> weight, int batch_axis) {
        return std::make_shared<loss::SigmoidBinaryCrossEntropyLoss>(from_sigmoid, weight_of(weight), batch_axis);
      }), py::arg("from_sigmoid") = false, py::arg("weight") = py::none(), py::arg("batch_axis") = 0);
  py::class_<loss::HuberLoss, loss::Loss, std::shared_ptr<loss::HuberLoss>>(lm, "HuberLoss", py::dynamic_attr())
      .def(py::init([](float rho, std::optional<float> weight, int batch_axis) {
        return std::make_shared<loss::HuberLoss>(rho, weight_of(weight), batch_axis);
      }), py::arg("rho") = 1.f, py::arg("weight") = py::none(), py::arg("batch_axis") = 0);
  lm.attr("SoftmaxCELoss") = lm.attr("SoftmaxCrossEntropyLoss");
  lm.attr("SigmoidBCELoss") = lm.attr("SigmoidBinaryCrossEntropyLoss");
}

}  // namespace kiln::python
