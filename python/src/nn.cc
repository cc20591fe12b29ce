// Parameters, initialisers and Blocks. nn.Block is subclassable from Python: its forward is a
// Python method called through PyBlock, and a call releases the GIL while C++ runs — so once
// hybridized, a compiled call runs without the interpreter, and Python's forward runs only while
// a call is traced (it takes the GIL back for that).
#include <pybind11/stl.h>

#include "frontend/kiln.h"
#include "python/src/bindings.h"
#include "python/src/block_call.h"

namespace py = pybind11;

namespace kiln::python {
namespace {

class PyBlock : public nn::Block {
 public:
  using nn::Block::Block;
  NDArray forward(const NDArray& x) override {
    py::gil_scoped_acquire gil;
    PYBIND11_OVERRIDE_NAME(NDArray, nn::Block, "forward", forward, x);
  }
  // A forward of several inputs: Python's forward(self, a, b, ...), returning one array or a tuple.
  std::vector<NDArray> forward_multi(const std::vector<NDArray>& xs) override {
    py::gil_scoped_acquire gil;
    py::function forward = py::get_override(static_cast<const nn::Block*>(this), "forward");
    if (!forward) return nn::Block::forward_multi(xs);
    py::object out = forward(*py::cast(xs));
    if (py::isinstance<NDArray>(out)) return {out.cast<NDArray>()};
    return out.cast<std::vector<NDArray>>();
  }
  std::string extra_repr() const override {
    py::gil_scoped_acquire gil;
    PYBIND11_OVERRIDE_NAME(std::string, nn::Block, "_extra_repr", extra_repr);
  }
  // Python's Block registers the blocks assigned to its attributes through these.
  void register_child(const std::string& name, std::shared_ptr<nn::Block> child) { register_block(name, std::move(child)); }
  void name_class(std::string name) { set_type_name(std::move(name)); }
};

// A block for a C++ parent to hold: a Python subclass's block keeps its Python object alive.
std::shared_ptr<nn::Block> held(const py::handle& obj) {
  auto block = obj.cast<std::shared_ptr<nn::Block>>();
  if (!dynamic_cast<PyBlock*>(block.get())) return block;
  return with_python_part<nn::Block>(obj);
}

// block(a, b, ...), and every call block_call.cc's fast path does not take: one array back if
// the forward returns one, else a tuple.
py::object call_block_multi(nn::Block& block, const py::args& args) {
  std::vector<NDArray> xs, out;
  for (const py::handle& arg : args) {
    if (!py::isinstance<NDArray>(arg))
      throw py::type_error(block.type_name() + ": its inputs must be NDArrays, got " +
                           py::str(py::type::handle_of(arg).attr("__qualname__")).cast<std::string>() +
                           "; make one with nd.array(x)");
    xs.push_back(arg.cast<NDArray>());
  }
  {
    py::gil_scoped_release no_gil;
    out = block(xs);
  }
  if (out.size() == 1) return py::cast(out[0]);
  return py::tuple(py::cast(out));
}

std::shared_ptr<const init::Initializer> initializer_of(const py::object& init) {
  if (init.is_none()) return std::make_shared<init::Uniform>();
  return init.cast<const init::Initializer&>().clone();
}

GradReq grad_req_of(const std::string& req) {
  if (req == "write") return GradReq::Write;
  if (req == "add") return GradReq::Add;
  if (req == "null") return GradReq::Null;
  throw ValueError("grad_req must be 'write', 'add' or 'null', got '" + req + "'");
}

}  // namespace

void bind_nn(py::module_& m) {
  py::module_ init_m = m.def_submodule("init", "parameter initialisers (mxnet.init)");
  py::class_<init::Initializer, std::shared_ptr<init::Initializer>>(init_m, "Initializer")
      .def("__repr__", &init::Initializer::str);
  py::class_<init::Uniform, init::Initializer, std::shared_ptr<init::Uniform>>(init_m, "Uniform")
      .def(py::init<float>(), py::arg("scale") = 0.07f);
  py::class_<init::Normal, init::Initializer, std::shared_ptr<init::Normal>>(init_m, "Normal")
      .def(py::init<float>(), py::arg("sigma") = 0.01f);
  py::class_<init::Xavier, init::Initializer, std::shared_ptr<init::Xavier>>(init_m, "Xavier")
      .def(py::init<std::string, std::string, float>(), py::arg("rnd_type") = "uniform", py::arg("factor_type") = "avg",
           py::arg("magnitude") = 3.f);
  py::class_<init::Constant, init::Initializer, std::shared_ptr<init::Constant>>(init_m, "Constant")
      .def(py::init<float>(), py::arg("value"));
  py::class_<init::Zero, init::Constant, std::shared_ptr<init::Zero>>(init_m, "Zero").def(py::init<>());
  py::class_<init::One, init::Constant, std::shared_ptr<init::One>>(init_m, "One").def(py::init<>());

  py::module_ nn_m = m.def_submodule("nn", "Blocks and layers (mxnet.gluon.nn)");
  py::class_<Parameter, std::shared_ptr<Parameter>>(nn_m, "Parameter")
      .def_property_readonly("name", &Parameter::name)
      .def_property_readonly("shape", [](const Parameter& p) { return py::tuple(py::cast(p.shape())); })
      .def_property("grad_req", [](const Parameter& p) {
        return std::string(p.grad_req() == GradReq::Write ? "write" : p.grad_req() == GradReq::Add ? "add" : "null");
      }, [](Parameter& p, const std::string& req) { p.set_grad_req(grad_req_of(req)); })
      .def("data", &Parameter::data)
      .def("grad", &Parameter::grad)
      .def("set_data", &Parameter::set_data)
      .def("zero_grad", &Parameter::zero_grad)
      .def("initialize", [](Parameter& p, const py::object& init, bool force_reinit) {
        p.initialize(*initializer_of(init), force_reinit);
      }, py::arg("init") = py::none(), py::arg("force_reinit") = false)
      .def("__repr__", [](const Parameter& p) {
        return "Parameter " + p.name() + " (shape=" + shape_str(p.shape()) + ", dtype=float32)";
      });

  py::class_<ParameterDict>(nn_m, "ParameterDict")
      .def("get", [](ParameterDict& d, const std::string& name, const std::vector<int64_t>& shape, const std::string& req) {
        return d.get(name, shape, grad_req_of(req));
      }, py::arg("name"), py::arg("shape"), py::arg("grad_req") = "write")
      .def("get_constant", &ParameterDict::get_constant, py::arg("name"), py::arg("value"))
      .def("initialize", [](ParameterDict& d, const py::object& init, bool force_reinit) {
        d.initialize(*initializer_of(init), force_reinit);
      }, py::arg("init") = py::none(), py::arg("force_reinit") = false)
      .def("zero_grad", &ParameterDict::zero_grad)
      .def("keys", &ParameterDict::names)
      .def("items", [](const ParameterDict& d) { return std::vector<ParameterDict::Entry>(d.begin(), d.end()); })
      .def("values", [](const ParameterDict& d) {
        std::vector<std::shared_ptr<Parameter>> out;
        for (const auto& [name, p] : d) out.push_back(p);
        return out;
      })
      .def("__getitem__", [](const ParameterDict& d, const std::string& name) {
        for (const auto& [n, p] : d)
          if (n == name) return p;
        d[name];  // throws the ValueError that lists the names
        return std::shared_ptr<Parameter>();
      })
      .def("__contains__", &ParameterDict::contains)
      .def("__len__", &ParameterDict::size)
      .def("__iter__", [](const ParameterDict& d) { return py::iter(py::cast(d.names())); });

  py::class_<nn::Block, PyBlock, std::shared_ptr<nn::Block>> block(nn_m, "Block", py::dynamic_attr());
  block.def(py::init<>())
      .def("__call__", &call_block_multi)
      .def("forward", [](nn::Block& b, const NDArray&) -> NDArray {
        throw Error(b.type_name() + ": the block defines no forward(self, x); define one in the subclass");
      })
      .def_property_readonly("params", py::overload_cast<>(&nn::Block::params), py::return_value_policy::reference_internal)
      .def("collect_params", &nn::Block::collect_params, py::arg("select") = "")
      .def("initialize", [](nn::Block& b, const py::object& init, bool force_reinit) {
        b.initialize(*initializer_of(init), force_reinit);
      }, py::arg("init") = py::none(), py::arg("force_reinit") = false)
      .def("hybridize", [](nn::Block& b, bool active, bool static_params) {
        if (active && static_params) b.hybridize(nn::HybridizeOptions{.static_params = true});
        else b.hybridize(active);
      }, py::arg("active") = true, py::arg("static_params") = false)
      // What takes the block's compiled-graph lock runs without the GIL: a call being traced on
      // another thread holds that lock and needs the GIL for the Python forward.
      .def("export", &nn::Block::export_model, py::arg("path"), py::arg("epoch") = 0,
           py::call_guard<py::gil_scoped_release>())
      .def("save_parameters", &nn::Block::save_parameters, py::arg("filename"))
      .def("load_parameters", &nn::Block::load_parameters, py::arg("filename"), py::arg("allow_missing") = false,
           py::arg("ignore_extra") = false)
      .def_property_readonly("compile_count", [](const nn::Block& b) {
        py::gil_scoped_release no_gil;
        return b.compile_count();
      })
      .def_property_readonly("hybrid_stats", [](const nn::Block& b) {
        nn::HybridStats s;
        {
          py::gil_scoped_release no_gil;
          s = b.hybrid_stats();
        }
        return py::dict(py::arg("compiled") = s.compiled, py::arg("traced") = s.traced, py::arg("eager") = s.eager,
                        py::arg("recorded") = s.recorded, py::arg("side_exits") = s.side_exits,
                        py::arg("prepares") = s.prepares);
      })
      .def_property_readonly("traced_ir", [](const nn::Block& b) {
        py::gil_scoped_release no_gil;
        return b.traced_ir();
      })
      .def("_register_child", [](nn::Block& b, const std::string& name, const py::object& child) {
        auto* py_block = dynamic_cast<PyBlock*>(&b);
        if (!py_block) throw Error(b.type_name() + ": only a Python Block registers children this way");
        py_block->register_child(name, held(child));
      })
      .def("_name_class", [](nn::Block& b, const std::string& name) {
        if (auto* py_block = dynamic_cast<PyBlock*>(&b)) py_block->name_class(name);
      })
      .def("_extra_repr", [](const nn::Block&) { return std::string(); })
      .def("__repr__", &nn::Block::str);
  install_block_call(block);

  // SymbolBlock.imports(symbol_file, input_names, param_file): an exported graph, read back.
  py::class_<nn::SymbolBlock, nn::Block, std::shared_ptr<nn::SymbolBlock>>(nn_m, "SymbolBlock", py::dynamic_attr())
      .def_static("imports", [](const std::string& symbol_file, const py::object& input_names, const std::string& param_file) {
        std::vector<std::string> names = py::isinstance<py::str>(input_names)
                                             ? std::vector<std::string>{input_names.cast<std::string>()}
                                             : input_names.cast<std::vector<std::string>>();
        py::gil_scoped_release no_gil;
        return nn::SymbolBlock::imports(symbol_file, names, param_file);
      }, py::arg("symbol_file"), py::arg("input_names"), py::arg("param_file"));

  py::class_<nn::Dense, nn::Block, std::shared_ptr<nn::Dense>>(nn_m, "Dense", py::dynamic_attr())
      .def(py::init([](int64_t units, const py::object& activation, bool use_bias, int64_t in_units) {
        return std::make_shared<nn::Dense>(units, activation.is_none() ? "" : activation.cast<std::string>(), use_bias,
                                           in_units);
      }), py::arg("units"), py::arg("activation") = py::none(), py::arg("use_bias") = true, py::arg("in_units") = 0)
      .def_readonly("weight", &nn::Dense::weight)
      .def_readonly("bias", &nn::Dense::bias);
  py::class_<nn::Sequential, nn::Block, std::shared_ptr<nn::Sequential>>(nn_m, "Sequential", py::dynamic_attr())
      .def(py::init<>())
      .def("add", [](nn::Sequential& s, const py::args& blocks) {
        for (const py::handle& b : blocks) s.add(held(b));
      })
      .def("__getitem__", [](const nn::Sequential& s, size_t i) {
        if (i >= s.size()) throw py::index_error("Sequential index out of range");
        return s.children()[i].second;
      })
      .def("__len__", &nn::Sequential::size);
  py::class_<nn::Activation, nn::Block, std::shared_ptr<nn::Activation>>(nn_m, "Activation", py::dynamic_attr())
      .def(py::init<std::string>(), py::arg("activation"));
  py::class_<nn::Flatten, nn::Block, std::shared_ptr<nn::Flatten>>(nn_m, "Flatten", py::dynamic_attr()).def(py::init<>());
  py::class_<nn::Dropout, nn::Block, std::shared_ptr<nn::Dropout>>(nn_m, "Dropout", py::dynamic_attr()).def(py::init<float>(), py::arg("rate"));
  py::class_<nn::BatchNorm, nn::Block, std::shared_ptr<nn::BatchNorm>>(nn_m, "BatchNorm", py::dynamic_attr())
      .def(py::init<int, float, float, bool, bool, bool, int64_t>(), py::arg("axis") = 1, py::arg("momentum") = 0.9f,
           py::arg("epsilon") = 1e-5f, py::arg("center") = true, py::arg("scale") = true,
           py::arg("use_global_stats") = false, py::arg("in_channels") = 0);
  auto pair = [](const py::object& v) {
    if (py::isinstance<py::int_>(v)) return nn::Pair(v.cast<int64_t>());
    auto t = v.cast<std::pair<int64_t, int64_t>>();
    return nn::Pair(t.first, t.second);
  };
  // Conv2D and Conv2DTranspose take Gluon's keywords into one Conv2DOptions.
  auto conv_options = [pair](int64_t channels, const py::object& kernel_size, const py::object& strides,
                             const py::object& padding, const py::object& output_padding, const py::object& dilation,
                             int64_t groups, const py::object& activation, bool use_bias, int64_t in_channels) {
    return nn::Conv2DOptions{.channels = channels, .kernel_size = pair(kernel_size), .strides = pair(strides),
                             .padding = pair(padding), .dilation = pair(dilation), .groups = groups,
                             .activation = activation.is_none() ? "" : activation.cast<std::string>(),
                             .use_bias = use_bias, .in_channels = in_channels, .output_padding = pair(output_padding)};
  };
  py::class_<nn::ConvolutionLayer, nn::Block, std::shared_ptr<nn::ConvolutionLayer>>(nn_m, "_Convolution", py::dynamic_attr())
      .def_readonly("weight", &nn::ConvolutionLayer::weight)
      .def_readonly("bias", &nn::ConvolutionLayer::bias);
  py::class_<nn::Conv2D, nn::ConvolutionLayer, std::shared_ptr<nn::Conv2D>>(nn_m, "Conv2D", py::dynamic_attr())
      .def(py::init([conv_options](int64_t channels, const py::object& kernel_size, const py::object& strides,
                                   const py::object& padding, const py::object& dilation, int64_t groups,
                                   const py::object& activation, bool use_bias, int64_t in_channels) {
        return std::make_shared<nn::Conv2D>(conv_options(channels, kernel_size, strides, padding, py::int_(0), dilation,
                                                         groups, activation, use_bias, in_channels));
      }), py::arg("channels"), py::arg("kernel_size"), py::arg("strides") = 1, py::arg("padding") = 0,
           py::arg("dilation") = 1, py::arg("groups") = 1, py::arg("activation") = py::none(), py::arg("use_bias") = true,
           py::arg("in_channels") = 0);
  py::class_<nn::Conv2DTranspose, nn::ConvolutionLayer, std::shared_ptr<nn::Conv2DTranspose>>(nn_m, "Conv2DTranspose",
                                                                                              py::dynamic_attr())
      .def(py::init([conv_options](int64_t channels, const py::object& kernel_size, const py::object& strides,
                                   const py::object& padding, const py::object& output_padding,
                                   const py::object& dilation, int64_t groups, const py::object& activation,
                                   bool use_bias, int64_t in_channels) {
        return std::make_shared<nn::Conv2DTranspose>(conv_options(channels, kernel_size, strides, padding, output_padding,
                                                                  dilation, groups, activation, use_bias, in_channels));
      }), py::arg("channels"), py::arg("kernel_size"), py::arg("strides") = 1, py::arg("padding") = 0,
           py::arg("output_padding") = 0, py::arg("dilation") = 1, py::arg("groups") = 1,
           py::arg("activation") = py::none(), py::arg("use_bias") = true, py::arg("in_channels") = 0);
  py::class_<nn::LeakyReLU, nn::Block, std::shared_ptr<nn::LeakyReLU>>(nn_m, "LeakyReLU", py::dynamic_attr())
      .def(py::init<float>(), py::arg("alpha"));
  // Each child sees the input; their outputs are concatenated along `axis` (Inception's branches).
  py::class_<nn::Concatenate, nn::Sequential, std::shared_ptr<nn::Concatenate>>(nn_m, "Concatenate", py::dynamic_attr())
      .def(py::init<int>(), py::arg("axis") = 1);
  py::class_<nn::MaxPool2D, nn::Block, std::shared_ptr<nn::MaxPool2D>>(nn_m, "MaxPool2D", py::dynamic_attr())
      .def(py::init([pair](const py::object& pool_size, const py::object& strides, const py::object& padding) {
        return std::make_shared<nn::MaxPool2D>(pair(pool_size), strides.is_none() ? nn::Pair(0) : pair(strides), pair(padding));
      }), py::arg("pool_size") = 2, py::arg("strides") = py::none(), py::arg("padding") = 0);
  py::class_<nn::AvgPool2D, nn::Block, std::shared_ptr<nn::AvgPool2D>>(nn_m, "AvgPool2D", py::dynamic_attr())
      .def(py::init([pair](const py::object& pool_size, const py::object& strides, const py::object& padding,
                           bool count_include_pad) {
        return std::make_shared<nn::AvgPool2D>(pair(pool_size), strides.is_none() ? nn::Pair(0) : pair(strides),
                                               pair(padding), count_include_pad);
      }), py::arg("pool_size") = 2, py::arg("strides") = py::none(), py::arg("padding") = 0,
           py::arg("count_include_pad") = true);
  py::class_<nn::GlobalAvgPool2D, nn::Block, std::shared_ptr<nn::GlobalAvgPool2D>>(nn_m, "GlobalAvgPool2D", py::dynamic_attr()).def(py::init<>());
  py::class_<nn::GlobalMaxPool2D, nn::Block, std::shared_ptr<nn::GlobalMaxPool2D>>(nn_m, "GlobalMaxPool2D", py::dynamic_attr()).def(py::init<>());
}

}  // namespace kiln::python
