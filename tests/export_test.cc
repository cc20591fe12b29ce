// Export and SymbolBlock::imports (Block::export_model, frontend/nn/symbol_block.h): round trips
// for the seed chapter's nets and every benchmark workload, training an imported block, and every
// kind of damaged file. Outputs are compared within kAtol + kRtol·|expected|.
#include <dlfcn.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "bench/workloads.h"
#include "codegen/aot_compiler.h"
#include "examples/seed_models.h"
#include "runtime/file_io.h"
#include "tests/test_util.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;
using testing::expect_close;

constexpr float kAtol = 1e-5f, kRtol = 1e-4f;

class Export : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("kiln_export_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Hybridizes `net`, runs it on `inputs`, exports it, imports it and checks that the imported
  // block gives the same outputs, eagerly and hybridized.
  void round_trip(nn::Block& net, const std::vector<NDArray>& inputs, const std::string& name) {
    SCOPED_TRACE(name);
    std::vector<NDArray> expected;
    for (const NDArray& x : inputs) expected.push_back(net(x));
    net.hybridize();
    for (const NDArray& x : inputs) net(x);
    net.export_model(path(name));
    auto imported = nn::SymbolBlock::imports(path(name + "-symbol.mlir"), {"data"}, path(name + "-0000.params"));
    for (size_t i = 0; i < inputs.size(); ++i) expect_close((*imported)(inputs[i]), expected[i], kAtol, kRtol);
    imported->hybridize();
    for (int pass = 0; pass < 2; ++pass)
      for (size_t i = 0; i < inputs.size(); ++i) expect_close((*imported)(inputs[i]), expected[i], kAtol, kRtol);
    EXPECT_GE(imported->hybrid_stats().compiled, inputs.size() / 2);
  }

  fs::path dir_;
};

// Convolutions and pools keep their windows through export (strides, padding, dilation, groups,
// count_include_pad), and one_hot its depth.
TEST_F(Export, ConvolutionsPoolsAndOneHotRoundTrip) {
  nn::Sequential net;
  net.add(nn::Conv2D(4, 3, 1, 1, 1, 1, "relu"));
  net.add(nn::Conv2D({.channels = 4, .kernel_size = {3, 2}, .strides = {2, 1}, .dilation = {1, 2}, .groups = 2}));
  net.add(nn::MaxPool2D(2, 1));
  net.add(nn::AvgPool2D(3, 2, 1, false));
  net.add(nn::GlobalAvgPool2D());
  net.initialize(init::Xavier());
  round_trip(net, {nd::random::uniform(-1, 1, {2, 3, 12, 11})}, "conv");

  class OneHot : public nn::Block {
   protected:
    NDArray forward(const NDArray& x) override { return nd::one_hot(x, 5) * 2.f; }
  } hot;
  round_trip(hot, {nd::array({0, 4, 2})}, "one_hot");
}

TEST_F(Export, EveryWorkloadRoundTrips) {
  for (const workloads::Workload& w : workloads::all()) {
    workloads::Instance instance = workloads::instantiate(w, 3);
    std::vector<NDArray> inputs{instance.input};
    if (w.name == "fancy_mlp" || w.name == "chimera")  // several paths through the guards
      for (float scale : {0.01f, 30.f, 3000.f}) inputs.push_back(instance.input * scale);
    round_trip(*instance.net, inputs, w.name);
  }
}

TEST_F(Export, SeedChapterNetsRoundTrip) {
  nd::random::seed(4);
  NDArray x = nd::random::uniform({2, 20});
  seed::MLP mlp;
  mlp.initialize();
  round_trip(mlp, {x}, "mlp");
  seed::NestMLP nest;
  nest.initialize();
  round_trip(nest, {x}, "nest");
  seed::MySequential mine;
  mine.add(nn::Dense(8, "relu"));
  mine.add(nn::Dense(3));
  mine.initialize();
  round_trip(mine, {x}, "mysequential");
  seed::Parallel parallel{seed::MLP(), seed::NestMLP()};  // exercise 4
  parallel.initialize();
  round_trip(parallel, {x}, "parallel");
  auto stacked = seed::stack(3, [] { return std::make_shared<nn::Dense>(20, "relu"); });  // exercise 5
  stacked->initialize();
  round_trip(*stacked, {x}, "stacked");
}

// Explicit control flow in one forward: a recurrent loop over rows, then halving while large.
class RecurrentThenHalve : public nn::Block {
 public:
  nn::Child<nn::Dense> cell = register_block("cell", nn::Dense(4, "tanh"));

 protected:
  NDArray forward(const NDArray& x) override {
    auto [outputs, states] = nd::foreach(
        [&](const NDArray& row, const nd::LoopVars& s) {
          NDArray h = cell(nd::concat({row, s[0]}, 1));
          return std::make_pair(h, nd::LoopVars{h});
        },
        x, {nd::zeros({2, 4})});
    NDArray y = outputs.sum(0) * 10.f;
    return nd::while_loop([](const nd::LoopVars& v) { return v[0].norm() > 1.f; },
                          [](const nd::LoopVars& v) { return nd::LoopVars{v[0] / 2.f}; }, {y}, 64)[0];
  }
};

TEST_F(Export, ExplicitControlFlowRoundTrips) {
  nd::random::seed(8);
  RecurrentThenHalve net;
  net.initialize();
  std::vector<NDArray> inputs;
  for (float scale : {0.1f, 1.f, 10.f}) inputs.push_back(nd::random::uniform(-scale, scale, {5, 2, 3}));
  round_trip(net, inputs, "recurrent");
  std::string text = file_io::read(path("recurrent-symbol.mlir"), "test");
  EXPECT_NE(text.find("scf.for"), std::string::npos);
  EXPECT_NE(text.find("scf.while"), std::string::npos);
}

// The C ABI of kiln-compile's library, opened with dlopen (codegen/aot_compiler.h).
struct AotLibrary {
  void* handle = nullptr;
  void* (*create)(const char*) = nullptr;
  int (*run)(void*, const float* const*, float* const*) = nullptr;
  void (*destroy)(void*) = nullptr;
  const char* (*last_error)() = nullptr;
  explicit AotLibrary(const std::string& path) : handle(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (!handle) throw Error(dlerror());
    create = reinterpret_cast<decltype(create)>(dlsym(handle, "kiln_model_create"));
    run = reinterpret_cast<decltype(run)>(dlsym(handle, "kiln_model_run"));
    destroy = reinterpret_cast<decltype(destroy)>(dlsym(handle, "kiln_model_destroy"));
    last_error = reinterpret_cast<decltype(last_error)>(dlsym(handle, "kiln_model_last_error"));
  }
  ~AotLibrary() { dlclose(handle); }
};

// A forward with a guard: positive sums double, others negate.
class SignFlip : public nn::Block {
 protected:
  NDArray forward(const NDArray& x) override {
    if (x.sum().asscalar() > 0) return x * 2.f;
    return -x;
  }
};

TEST_F(Export, AnAotLibraryRunsTheTracedPathsOfAGuardedModelAndReportsOthers) {
  SignFlip net;
  net.hybridize();
  net(nd::array({1, 2}));  // only the positive path is traced and exported
  net.export_model(path("sign"));
  codegen::AotArtifact artifact = codegen::compile_library(path("sign-symbol.mlir"), path("aot"), {});
  AotLibrary lib(artifact.library);
  void* model = lib.create(path("sign-0000.params").c_str());
  ASSERT_NE(model, nullptr) << lib.last_error();
  auto run = [&](std::vector<float> x, int& status) {
    std::vector<float> y(2);
    const float* inputs[] = {x.data()};
    float* outputs[] = {y.data()};
    status = lib.run(model, inputs, outputs);
    return y;
  };
  int status = -1;
  EXPECT_EQ(run({3, -1}, status), (std::vector<float>{6, -2}));
  EXPECT_EQ(status, 0);
  run({-3, 1}, status);  // the branch never traced: a side exit, reported
  EXPECT_NE(status, 0);
  EXPECT_NE(std::string(lib.last_error()).find("never traced"), std::string::npos) << lib.last_error();
  lib.destroy(model);
  EXPECT_EQ(lib.create(path("missing.params").c_str()), nullptr);
  EXPECT_NE(std::string(lib.last_error()).find("missing.params"), std::string::npos) << lib.last_error();
}

TEST_F(Export, TheSymbolFileIsReadableMLIRWithAHeader) {
  auto net = seed::make_sequential_mlp();
  net->initialize();
  net->hybridize();
  (*net)(nd::random::uniform({2, 20}));
  (*net)(nd::random::uniform({3, 20}));  // a second signature: a second function
  net->export_model(path("net"), 7);
  std::string text = file_io::read(path("net-symbol.mlir"), "test");
  EXPECT_EQ(text.rfind("// kiln-symbol 2.0\n", 0), 0u) << text;
  for (const char* part : {"// signature 2x20,predict: data 0.weight 0.bias 1.weight 1.bias", "func.func @forward(",
                           "func.func @forward_1(", "kiln.name = \"0.weight\"", "kiln.signature = \"3x20,predict\"",
                           "kiln.fully_connected", "// parameters: net-0007.params", "// checksum "})
    EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
  EXPECT_TRUE(fs::exists(path("net-0007.params")));
}

TEST_F(Export, AnImportedBlockTrainsAndNests) {
  auto net = seed::make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20});
  net->hybridize();
  (*net)(x);
  net->export_model(path("net"));
  auto imported = nn::SymbolBlock::imports(path("net-symbol.mlir"), {"data"}, path("net-0000.params"));
  // The same gradients as the original.
  auto gradients = [&](nn::Block& b) {
    NDArray loss;
    {
      auto rec = autograd::record();
      loss = b(x).sum();
    }
    loss.backward();
    std::map<std::string, std::vector<float>> g;
    for (const auto& [name, p] : b.collect_params()) g[name] = p->grad().to_vector();
    return g;
  };
  auto original = gradients(*net);
  auto again = gradients(*imported);
  ASSERT_EQ(original.size(), again.size());
  for (const auto& [name, g] : original) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(again.count(name));
    testing::expect_values(nd::array(again[name]), g, 1e-5f, 1e-4f);
  }
  // Nested in a Sequential with a new head.
  nn::Sequential outer;
  outer.add(imported, nn::Dense(2));
  outer.initialize();
  EXPECT_EQ(outer(x).shape(), (Shape{2, 2}));
}

TEST_F(Export, AnUntracedPathIsAClearError) {
  auto net = std::make_shared<seed::FancyMLP>();
  net->initialize();
  NDArray x = nd::random::uniform(-0.01f, 0.01f, {2, 20});
  net->hybridize();
  (*net)(x);  // one path only
  net->export_model(path("fancy"));
  auto imported = nn::SymbolBlock::imports(path("fancy-symbol.mlir"), {"data"}, path("fancy-0000.params"));
  EXPECT_THROW_WITH((*imported)(x * 1e4f), ValueError, "never traced", "side exit");
  EXPECT_THROW_WITH((*imported)(nd::random::uniform({5, 20})), ShapeError, "no graph for inputs of shape 5x20",
                    "2x20,predict");
}

TEST_F(Export, ExportingBeforeACallIsAClearError) {
  auto net = seed::make_sequential_mlp();
  net->initialize();
  EXPECT_THROW_WITH(net->export_model(path("net")), ValueError, "no traced graph", "hybridize()");
}

TEST_F(Export, ThePathMustBeAFilePrefix) {
  auto net = seed::make_sequential_mlp();
  net->initialize();
  net->hybridize();
  (*net)(nd::random::uniform({2, 20}));
  EXPECT_THROW_WITH(net->export_model(""), ValueError, "is empty", "file prefix");
  EXPECT_THROW_WITH(net->export_model(dir_.string()), ValueError, "is a directory", "dir/model");
  EXPECT_THROW_WITH(net->export_model(dir_.string() + "/"), ValueError, "is a directory");
  EXPECT_TRUE(fs::is_empty(dir_)) << "nothing written";
  EXPECT_FALSE(fs::exists("-symbol.mlir"));
}

TEST_F(Export, AFailedExportLeavesTheOlderFilesIntact) {
  auto net = seed::make_sequential_mlp();
  net->initialize();
  net->hybridize();
  (*net)(nd::random::uniform({2, 20}));
  net->export_model(path("net"));
  std::string symbol = file_io::read(path("net-symbol.mlir"), "test");
  std::string params = file_io::read(path("net-0000.params"), "test");
  // The params file cannot be written (its name is taken by a directory): nothing is replaced.
  fs::create_directory(path("net-0001.params"));
  (*net)(nd::random::uniform({4, 20}));  // the new export would differ
  EXPECT_THROW_WITH(net->export_model(path("net"), 1), FileError, "net-0001.params");
  EXPECT_EQ(file_io::read(path("net-symbol.mlir"), "test"), symbol);
  EXPECT_EQ(file_io::read(path("net-0000.params"), "test"), params);
  for (const auto& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << "left behind: " << entry.path();
}

}  // namespace
}  // namespace kiln
