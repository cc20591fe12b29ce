// gluon.Trainer, its compiled training step, and mxnet.lr_scheduler. What runs an update or a
// step releases the GIL (a compiled step takes it back only to trace a Python forward).
#include <pybind11/stl.h>

#include <memory>
#include <string>

#include "frontend/optimizer/lr_scheduler.h"
#include "frontend/optimizer/trainer.h"
#include "python/src/bindings.h"
#include "runtime/error.h"

namespace py = pybind11;

namespace kiln::python {
namespace {

// MXNet's warm-up keywords.
optimizer::WarmUp warm_up_of(int64_t steps, float begin_lr, const std::string& mode) {
  if (mode != "linear" && mode != "constant")
    throw ValueError("warmup_mode must be 'linear' or 'constant', got '" + mode + "'");
  return {.steps = steps, .begin_lr = begin_lr, .linear = mode == "linear"};
}

// Trainer(params, optimizer, optimizer_params): the numbers go to the optimizer's options, an
// 'lr_scheduler' entry becomes its schedule.
std::unique_ptr<gluon::Trainer> make_trainer(const ParameterDict& params, const std::string& name, const py::object& options) {
  optimizer::Options numbers;
  std::shared_ptr<optimizer::LRScheduler> scheduler;
  if (!options.is_none()) {
    for (auto [key, value] : options.cast<py::dict>()) {
      std::string k = py::str(key);
      if (k == "lr_scheduler") {
        if (!value.is_none()) scheduler = value.cast<std::shared_ptr<optimizer::LRScheduler>>();
      } else if (py::isinstance<py::float_>(value) || py::isinstance<py::int_>(value)) {
        numbers[k] = value.cast<float>();
      } else {
        throw ValueError("Trainer: optimizer_params['" + k + "'] must be a number, got " +
                         std::string(py::str(py::type::of(value).attr("__name__"))));
      }
    }
  }
  auto trainer = std::make_unique<gluon::Trainer>(params, name, numbers);
  if (scheduler) trainer->optimizer().set_lr_scheduler(std::move(scheduler));
  return trainer;
}

}  // namespace

void bind_trainer(py::module_& m) {
  py::module_ sched = m.def_submodule("lr_scheduler", "learning-rate schedules (mxnet.lr_scheduler)");
  py::class_<optimizer::LRScheduler, std::shared_ptr<optimizer::LRScheduler>>(sched, "LRScheduler")
      .def("__call__", &optimizer::LRScheduler::operator(), py::arg("num_update"))
      .def_property_readonly("base_lr", &optimizer::LRScheduler::base_lr);
  py::class_<optimizer::FactorScheduler, optimizer::LRScheduler, std::shared_ptr<optimizer::FactorScheduler>>(
      sched, "FactorScheduler")
      .def(py::init([](int64_t step, float factor, float stop_factor_lr, float base_lr, int64_t warmup_steps,
                       float warmup_begin_lr, const std::string& warmup_mode) {
        return std::make_shared<optimizer::FactorScheduler>(step, factor, base_lr, stop_factor_lr,
                                                            warm_up_of(warmup_steps, warmup_begin_lr, warmup_mode));
      }), py::arg("step"), py::arg("factor") = 1.f, py::arg("stop_factor_lr") = 1e-8f, py::arg("base_lr") = 0.01f,
           py::arg("warmup_steps") = 0, py::arg("warmup_begin_lr") = 0.f, py::arg("warmup_mode") = "linear");
  py::class_<optimizer::MultiFactorScheduler, optimizer::LRScheduler, std::shared_ptr<optimizer::MultiFactorScheduler>>(
      sched, "MultiFactorScheduler")
      .def(py::init([](std::vector<int64_t> step, float factor, float base_lr, int64_t warmup_steps, float warmup_begin_lr,
                       const std::string& warmup_mode) {
        return std::make_shared<optimizer::MultiFactorScheduler>(std::move(step), factor, base_lr,
                                                                 warm_up_of(warmup_steps, warmup_begin_lr, warmup_mode));
      }), py::arg("step"), py::arg("factor") = 1.f, py::arg("base_lr") = 0.01f, py::arg("warmup_steps") = 0,
           py::arg("warmup_begin_lr") = 0.f, py::arg("warmup_mode") = "linear");
  py::class_<optimizer::CosineScheduler, optimizer::LRScheduler, std::shared_ptr<optimizer::CosineScheduler>>(
      sched, "CosineScheduler")
      .def(py::init([](int64_t max_update, float base_lr, float final_lr, int64_t warmup_steps, float warmup_begin_lr,
                       const std::string& warmup_mode) {
        return std::make_shared<optimizer::CosineScheduler>(max_update, base_lr, final_lr,
                                                            warm_up_of(warmup_steps, warmup_begin_lr, warmup_mode));
      }), py::arg("max_update"), py::arg("base_lr") = 0.01f, py::arg("final_lr") = 0.f, py::arg("warmup_steps") = 0,
           py::arg("warmup_begin_lr") = 0.f, py::arg("warmup_mode") = "linear");

  py::module_ gluon_m = m.def_submodule("gluon", "training (mxnet.gluon)");
  // The step keeps the trainer, the net and the loss alive: it holds references to all three.
  py::class_<gluon::CompiledStep>(gluon_m, "CompiledStep")
      .def("__call__", &gluon::CompiledStep::operator(), py::arg("data"), py::arg("label"),
           py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("last_prediction", &gluon::CompiledStep::last_prediction)
      .def_property_readonly("compile_count", &gluon::CompiledStep::compile_count)
      .def_property_readonly("last_call_compiled", &gluon::CompiledStep::last_call_compiled);
  py::class_<gluon::Trainer>(gluon_m, "Trainer")
      .def(py::init(&make_trainer), py::arg("params"), py::arg("optimizer"), py::arg("optimizer_params") = py::none())
      .def("step", &gluon::Trainer::step, py::arg("batch_size"), py::arg("ignore_stale_grad") = false,
           py::call_guard<py::gil_scoped_release>())
      .def("update", &gluon::Trainer::update, py::arg("batch_size"), py::arg("ignore_stale_grad") = false,
           py::call_guard<py::gil_scoped_release>())
      .def("allreduce_grads", &gluon::Trainer::allreduce_grads)
      .def_property_readonly("learning_rate", &gluon::Trainer::learning_rate)
      .def("set_learning_rate", &gluon::Trainer::set_learning_rate, py::arg("lr"))
      .def("save_states", &gluon::Trainer::save_states, py::arg("fname"))
      .def("load_states", &gluon::Trainer::load_states, py::arg("fname"))
      .def("compile_step", &gluon::Trainer::compile_step, py::arg("net"), py::arg("loss"), py::keep_alive<0, 1>(),
           py::keep_alive<0, 2>(), py::keep_alive<0, 3>());
}

}  // namespace kiln::python
