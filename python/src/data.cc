// gluon.data: datasets, transforms and the DataLoader. The C++ datasets and transforms run
// without the interpreter (the loader prepares the next batch on a background thread); a Python
// callable given to transform_first, or a Dataset subclassed in Python, takes the GIL for each
// call it makes from that thread, so whatever waits for the loader releases the GIL first.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <optional>
#include <unordered_map>

#include "frontend/data/data_loader.h"
#include "frontend/data/vision.h"
#include "python/src/bindings.h"
#include "runtime/error.h"

namespace py = pybind11;

namespace kiln::python {
namespace {

namespace data = gluon::data;
namespace transforms = gluon::data::vision::transforms;

py::tuple tuple_of(const data::Sample& s) { return py::make_tuple(s.data, s.label); }

// An item's part as an array: a Python number or a 0-d NumPy value stays 0-d (as a label is).
NDArray item_array(const py::object& value) {
  NDArray a = to_ndarray(value);
  bool zero_d = py::isinstance<py::int_>(value) || py::isinstance<py::float_>(value) ||
                (py::hasattr(value, "ndim") && value.attr("ndim").cast<int>() == 0);
  return zero_d && !py::isinstance<NDArray>(value) ? a.reshape(Shape{}) : a;
}

data::Sample sample_of(const py::handle& item, const std::string& who) {
  auto t = py::reinterpret_borrow<py::object>(item);
  if (!py::isinstance<py::tuple>(t) || py::len(t) != 2)
    throw ValueError(who + " must return a (data, label) pair, got " + std::string(py::str(py::type::of(t).attr("__name__"))));
  return {item_array(t[py::int_(0)]), item_array(t[py::int_(1)])};
}

// A Python callable as a transform of each item's data.
class PyTransform : public data::Transform {
 public:
  explicit PyTransform(py::object fn) : fn_(std::make_shared<PythonRef>(std::move(fn))) {}
  NDArray operator()(const NDArray& item) const override {
    py::gil_scoped_acquire gil;
    return to_ndarray(fn_->object(item));  // NDArray or NumPy
  }

 private:
  std::shared_ptr<PythonRef> fn_;
};

std::shared_ptr<const data::Transform> transform_of(const py::object& fn) {
  if (py::isinstance<data::Transform>(fn)) return fn.cast<std::shared_ptr<data::Transform>>();
  if (!PyCallable_Check(fn.ptr())) throw ValueError("transform_first: needs a transform or a callable");
  return std::make_shared<PyTransform>(fn);
}

// gluon.data.Dataset subclassed in Python: __len__ and __getitem__ returning (data, label).
class PyDataset : public data::Dataset {
 public:
  size_t size() const override {
    py::gil_scoped_acquire gil;
    PYBIND11_OVERRIDE_PURE_NAME(size_t, data::Dataset, "__len__", size);
  }
  data::Sample get(size_t i) const override {
    check_index(i);
    py::gil_scoped_acquire gil;
    py::function item = py::get_override(static_cast<const data::Dataset*>(this), "__getitem__");
    if (!item) throw Error("Dataset subclass defines no __getitem__(self, i)");
    return sample_of(item(i), "Dataset.__getitem__");
  }
};

// A dataset for a loader to keep: one subclassed in Python keeps its Python object alive.
std::shared_ptr<const data::Dataset> dataset_of(const py::handle& obj) {
  auto dataset = obj.cast<std::shared_ptr<data::Dataset>>();
  if (!dynamic_cast<PyDataset*>(dataset.get())) return dataset;
  return with_python_part<data::Dataset>(obj);
}

size_t index_of(const data::Dataset& d, int64_t i) {
  return static_cast<size_t>(i < 0 ? i + static_cast<int64_t>(d.size()) : i);
}

data::LastBatch last_batch_of(const std::optional<std::string>& name) {
  if (!name || *name == "keep") return data::LastBatch::Keep;
  if (*name == "discard") return data::LastBatch::Discard;
  if (*name == "rollover") return data::LastBatch::Rollover;
  throw ValueError("DataLoader: last_batch must be 'keep', 'discard' or 'rollover', got '" + *name + "'");
}

// One pass over a DataLoader (Python's iterator protocol over DataLoader::Iterator). The loader
// may be loading on its thread, which can need the GIL: waiting for it happens without the GIL.
// A loader runs one epoch at a time, so a new iter() ends the pass still open on it.
class Epoch {
 public:
  Epoch(py::object loader_object) : keep_loader_(std::move(loader_object)) {
    loader_ = &keep_loader_.cast<data::DataLoader&>();
    if (auto open = open_.find(loader_); open != open_.end()) open->second->stop();
    open_[loader_] = this;
    py::gil_scoped_release no_gil;
    at_.emplace(loader_->begin());
    end_.emplace(loader_->end());
  }
  Epoch(const Epoch&) = delete;
  ~Epoch() {
    if (auto open = open_.find(loader_); open != open_.end() && open->second == this) open_.erase(open);
    stop();
  }
  py::tuple next() {
    if (!at_) throw py::stop_iteration();
    {
      py::gil_scoped_release no_gil;
      if (started_) ++*at_;
      started_ = true;
      if (*at_ == *end_) at_.reset();
    }
    if (!at_) throw py::stop_iteration();
    return tuple_of(**at_);
  }

 private:
  // Waits for the batch being prepared and ends the pass.
  void stop() {
    py::gil_scoped_release no_gil;
    at_.reset();
  }

  static inline std::unordered_map<const data::DataLoader*, Epoch*> open_;  // guarded by the GIL
  py::object keep_loader_;
  data::DataLoader* loader_;
  std::optional<data::DataLoader::Iterator> at_, end_;
  bool started_ = false;
};

}  // namespace

void bind_data(py::module_& m) {
  py::module_ dm = m.def_submodule("data", "datasets and loaders (mxnet.gluon.data)");
  py::module_ vision = dm.def_submodule("vision", "image datasets (mxnet.gluon.data.vision)");
  py::module_ tm = vision.def_submodule("transforms", "image transforms (mxnet.gluon.data.vision.transforms)");

  py::class_<data::Transform, std::shared_ptr<data::Transform>>(tm, "Transform")
      .def("__call__", [](const data::Transform& t, const NDArray& x) { return x.ndim() == 4 ? t.batch(x) : t(x); });
  py::class_<transforms::ToTensor, data::Transform, std::shared_ptr<transforms::ToTensor>>(tm, "ToTensor").def(py::init<>());
  py::class_<transforms::Normalize, data::Transform, std::shared_ptr<transforms::Normalize>>(tm, "Normalize")
      .def(py::init([](const py::object& mean, const py::object& std) {
        auto values = [](const py::object& v) {
          if (py::isinstance<py::float_>(v) || py::isinstance<py::int_>(v)) return std::vector<float>{v.cast<float>()};
          return v.cast<std::vector<float>>();
        };
        return std::make_shared<transforms::Normalize>(values(mean), values(std));
      }), py::arg("mean") = 0.f, py::arg("std") = 1.f);
  py::class_<transforms::Compose, data::Transform, std::shared_ptr<transforms::Compose>>(tm, "Compose")
      .def(py::init([](const py::list& steps) {
        std::vector<std::shared_ptr<const data::Transform>> ts;
        for (const py::handle& s : steps) ts.push_back(transform_of(py::reinterpret_borrow<py::object>(s)));
        return std::make_shared<transforms::Compose>(std::move(ts));
      }), py::arg("transforms"));

  py::class_<data::Dataset, PyDataset, std::shared_ptr<data::Dataset>>(dm, "Dataset")
      .def(py::init<>())
      .def("__len__", &data::Dataset::size)
      .def("__getitem__", [](const data::Dataset& d, int64_t i) {
        data::Sample s;
        {
          py::gil_scoped_release no_gil;
          s = d.get(index_of(d, i));
        }
        return tuple_of(s);
      })
      .def("transform_first", [](const data::Dataset& d, const py::object& fn, bool) {
        return d.transform_first(transform_of(fn));
      }, py::arg("fn"), py::arg("lazy") = true);
  py::class_<data::ArrayDataset, data::Dataset, std::shared_ptr<data::ArrayDataset>>(dm, "ArrayDataset")
      .def(py::init([](const py::object& data, const py::object& label) {
        return std::make_shared<data::ArrayDataset>(to_ndarray(data), to_ndarray(label));
      }), py::arg("data"), py::arg("label"));
  py::class_<data::vision::ImageFolderIdx, data::Dataset, std::shared_ptr<data::vision::ImageFolderIdx>>(vision, "_Idx");
  py::class_<data::vision::FashionMNIST, data::vision::ImageFolderIdx, std::shared_ptr<data::vision::FashionMNIST>>(
      vision, "FashionMNIST")
      .def(py::init<std::string, bool>(), py::arg("root") = data::vision::kFashionMnistRoot, py::arg("train") = true,
           py::call_guard<py::gil_scoped_release>());
  py::class_<data::vision::MNIST, data::vision::ImageFolderIdx, std::shared_ptr<data::vision::MNIST>>(vision, "MNIST")
      .def(py::init<std::string, bool>(), py::arg("root"), py::arg("train") = true,
           py::call_guard<py::gil_scoped_release>());

  py::class_<Epoch>(dm, "_Epoch").def("__iter__", [](py::object self) { return self; }).def("__next__", &Epoch::next);
  // num_workers is accepted for Gluon's signature: one background thread prepares the next batch.
  py::class_<data::DataLoader, std::shared_ptr<data::DataLoader>>(dm, "DataLoader")
      .def(py::init([](const py::object& dataset, int64_t batch_size, bool shuffle,
                       const std::optional<std::string>& last_batch, int num_workers, std::optional<uint64_t> seed) {
        if (num_workers < 0) throw ValueError("DataLoader: num_workers must be non-negative");
        return std::make_shared<data::DataLoader>(dataset_of(dataset), batch_size,
                                                  data::DataLoaderOptions{.shuffle = shuffle,
                                                                          .last_batch = last_batch_of(last_batch),
                                                                          .seed = seed});
      }), py::arg("dataset"), py::arg("batch_size"), py::arg("shuffle") = false, py::arg("last_batch") = py::none(),
           py::arg("num_workers") = 0, py::arg("seed") = py::none())
      .def("__len__", &data::DataLoader::size)
      .def("__iter__", [](py::object self) { return std::make_unique<Epoch>(std::move(self)); });
}

}  // namespace kiln::python
