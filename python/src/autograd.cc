// autograd's scopes as Python context managers: `with autograd.record():` sets this thread's
// recording and training flags for the block and restores them after (autograd::Scope).
#include <memory>
#include <optional>

#include "frontend/autograd/autograd.h"
#include "python/src/bindings.h"

namespace py = pybind11;

namespace kiln::python {
namespace {

// Which flags a scope sets: a fixed value, or "leave as it is".
struct ScopeSpec {
  std::optional<bool> recording, training;
  std::optional<autograd::Scope> active;
};

void enter(ScopeSpec& s) {
  s.active.emplace(s.recording.value_or(autograd::is_recording()), s.training.value_or(autograd::is_training()));
}

}  // namespace

void bind_autograd(py::module_& m) {
  py::module_ a = m.def_submodule("autograd", "recording for backward (mxnet.autograd)");
  py::class_<ScopeSpec>(a, "_Scope")
      .def("__enter__", [](ScopeSpec& s) { enter(s); return &s; }, py::return_value_policy::reference)
      .def("__exit__", [](ScopeSpec& s, const py::args&) { s.active.reset(); });
  auto scope = [](std::optional<bool> recording, std::optional<bool> training) {
    auto s = std::make_unique<ScopeSpec>();
    s->recording = recording;
    s->training = training;
    return s;
  };
  a.def("record", [scope](bool train_mode) { return scope(true, train_mode); }, py::arg("train_mode") = true);
  a.def("pause", [scope](bool train_mode) { return scope(false, train_mode); }, py::arg("train_mode") = false);
  a.def("train_mode", [scope] { return scope(std::nullopt, true); });
  a.def("predict_mode", [scope] { return scope(std::nullopt, false); });
  a.def("is_recording", &autograd::is_recording);
  a.def("is_training", &autograd::is_training);
}

}  // namespace kiln::python
