// hybridize(): compiled results equal eager ones (rtol 1e-4, atol 1e-5), compile counting,
// invalidation, cache bound, dumps, host-read fallback, autograd, threads.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "examples/seed_models.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::expect_close;
using namespace kiln::seed;

constexpr float kAtol = 1e-5f, kRtol = 1e-4f;

// Runs `net` eagerly and hybridized on inputs of each batch size; outputs must agree.
void expect_hybrid_matches_eager(nn::Block& net, std::vector<int64_t> batches = {1, 2, 7}) {
  std::vector<NDArray> inputs, eager;
  for (int64_t b : batches) {
    inputs.push_back(nd::random::uniform(-1, 1, {b, 20}));
    eager.push_back(net(inputs.back()));
  }
  net.hybridize();
  for (size_t i = 0; i < inputs.size(); ++i) {
    NDArray first = net(inputs[i]);   // traced eagerly
    NDArray second = net(inputs[i]);  // compiled
    expect_close(first, eager[i], kAtol, kRtol);
    expect_close(second, eager[i], kAtol, kRtol);
  }
  EXPECT_EQ(net.compile_count(), batches.size());
}

class Hybridize : public ::testing::Test {
 protected:
  void SetUp() override { nd::random::seed(42); }
};

TEST_F(Hybridize, SeedChapterNetsMatchEager) {
  auto seq = make_sequential_mlp();
  seq->initialize();
  {
    SCOPED_TRACE("sequential mlp");
    expect_hybrid_matches_eager(*seq);
  }

  MLP mlp;
  mlp.initialize();
  {
    SCOPED_TRACE("MLP");
    expect_hybrid_matches_eager(mlp);
  }

  MySequential mine;
  mine.add(nn::Dense(256, "relu"));
  mine.add(nn::Dense(10));
  mine.initialize();
  {
    SCOPED_TRACE("MySequential");
    expect_hybrid_matches_eager(mine);
  }

  NestMLP nest;
  nest.initialize();
  {
    SCOPED_TRACE("NestMLP");
    expect_hybrid_matches_eager(nest);
  }

  Parallel parallel{MLP(), NestMLP()};
  parallel.initialize();
  {
    SCOPED_TRACE("Parallel");
    expect_hybrid_matches_eager(parallel);
  }

  auto stacked = stack(3, [] { return std::make_shared<nn::Dense>(20, "tanh"); });
  stacked->initialize();
  {
    SCOPED_TRACE("stack of tanh Dense");
    expect_hybrid_matches_eager(*stacked);
  }
}

// Every op the frontend has, in one forward.
TEST_F(Hybridize, EveryOpMatchesEager) {
  class AllOps : public nn::Block {
   public:
    std::shared_ptr<Parameter> w = params().get("w", {20, 6});
    std::shared_ptr<Parameter> c = params().get_constant("c", nd::random::uniform(0.5f, 1.5f, {6}));

   protected:
    NDArray forward(const NDArray& x) override {
      NDArray h = nd::dot(x, w->data());  // b×6
      NDArray e = nd::sigmoid(h) + nd::tanh(h) * nd::exp(-h) - nd::log(nd::square(h) + 1.f);
      e = nd::maximum(e, c->data()) / nd::sqrt(nd::relu(h) + 2.f);
      NDArray m = (e > 0.5f) + (e < 0.2f) + nd::equal(e, e);
      NDArray r = e.sum(1, true) + e.mean(0) + e.max(1, true) + e.norm() + e.max() * m;
      NDArray t = nd::concat({r.T(), nd::transpose(r)}, 0);                  // 12×b
      NDArray s = nd::slice_axis(t, 0, 2, 8).reshape({-1}).reshape({6, -1});  // 6×b
      NDArray b = nd::broadcast_to(nd::sum_to(s, {6, 1}), {6, 3});
      NDArray d = nd::dot(s, s, false, true) + nd::dot(b, b, true, false).sum();
      NDArray f = nd::fully_connected(d, s.T().slice(0, 1).reshape({1, 6}).T().T(), nd::ones({1})).sum(0) + d.sum();
      NDArray a = nd::abs(f) + nd::softrelu(f) + nd::softsign(f) + nd::minimum(f, f * 0.5f);
      a = nd::where(a > 1.f, a, -a) + nd::argmax(nd::concat({a, -a}, 0));
      NDArray rows = nd::reshape(nd::concat({a, a * 2.f, -a}, 0), {1, 3});
      a = a + nd::pick(rows, nd::array({2})) + nd::one_hot(nd::array({1}), 3).sum(1);
      return nd::log_softmax(nd::reshape(a, {1, -1}), -1) + nd::softmax(nd::reshape(a, {1, -1}), 0);
    }
  } net;
  net.initialize(init::Normal(0.3f));
  NDArray x = nd::random::uniform(-1, 1, {3, 20});
  NDArray eager = net(x);
  net.hybridize();
  net(x);
  expect_close(net(x), eager, kAtol, kRtol);
  std::string ir = net.traced_ir();
  for (const char* op : {"kiln.dot", "kiln.sigmoid", "kiln.tanh", "kiln.exp", "kiln.log", "kiln.square", "kiln.maximum",
                         "kiln.sqrt", "kiln.relu", "kiln.greater", "kiln.lesser", "kiln.equal", "kiln.sum", "kiln.mean",
                         "kiln.max", "kiln.norm", "kiln.concat", "kiln.transpose", "kiln.slice_axis", "kiln.reshape",
                         "kiln.broadcast_to", "kiln.sum_to", "kiln.fully_connected", "kiln.negative", "kiln.divide",
                         "kiln.subtract", "kiln.multiply", "kiln.add", "kiln.constant", "kiln.abs", "kiln.softrelu",
                         "kiln.softsign", "kiln.minimum", "kiln.where", "kiln.argmax", "kiln.softmax", "kiln.log_softmax", "kiln.pick",
                         "kiln.one_hot"})
    EXPECT_NE(ir.find(op), std::string::npos) << op;
}

// Negative axes count from the end in compiled code too (an axis attribute reads as unsigned).
TEST_F(Hybridize, NegativeAxesMatchEager) {
  class Negative : public nn::Block {
   protected:
    NDArray forward(const NDArray& x) override {
      NDArray c = nd::concat({x, x * 2.f}, -1);  // 3x8
      return nd::sum(nd::slice_axis(c, -1, 1, 6), -1, true) + nd::max(c, -2) + nd::mean(c, -1, true);
    }
  } net;
  NDArray x = nd::random::uniform(-1, 1, {3, 4});
  NDArray eager = net(x);
  net.hybridize();
  net(x);
  expect_close(net(x), eager, kAtol, kRtol);
  EXPECT_EQ(net.hybrid_stats().compiled, 1u);
}

// Products at or above kOneDnnGemmThreshold are calls into oneDNN through runtime/c_abi.h.
TEST_F(Hybridize, LargeProductsCallOneDnnAndMatchEager) {
  class Large : public nn::Block {
   public:
    nn::Child<nn::Dense> dense = register_block("dense", nn::Dense(96, "relu"));
    nn::Child<nn::Dense> linear = register_block("linear", nn::Dense(48, "", /*use_bias=*/false));

   protected:
    NDArray forward(const NDArray& x) override {
      NDArray h = linear(dense(x));                                   // 64x64·96, 64x96·48
      return nd::dot(h, h, true, false) + nd::dot(h, h, false, true).sum();  // 48x64·64x48, 64x48·48x64
    }
  } net;
  net.initialize();
  NDArray x = nd::random::uniform(-1, 1, {64, 64});
  NDArray eager = net(x);
  net.hybridize();
  net(x);
  expect_close(net(x), eager, 1e-3f, kRtol);
  EXPECT_EQ(net.compile_count(), 1u);
}

TEST_F(Hybridize, RepeatedCallsDoNotRecompileAndANewShapeCompilesOnce) {
  auto net = make_sequential_mlp();
  net->initialize();
  net->hybridize();
  NDArray x2 = nd::random::uniform({2, 20}), x5 = nd::random::uniform({5, 20});
  for (int i = 0; i < 5; ++i) (*net)(x2);
  EXPECT_EQ(net->compile_count(), 1u);
  for (int i = 0; i < 5; ++i) (*net)(x5);
  EXPECT_EQ(net->compile_count(), 2u);
  (*net)(x2);
  EXPECT_EQ(net->compile_count(), 2u);
  {
    auto train = autograd::train_mode();  // the mode is part of the signature
    (*net)(x2);
  }
  EXPECT_EQ(net->compile_count(), 3u);
}

TEST_F(Hybridize, ParametersAreArgumentsSoUpdatesNeedNoRecompile) {
  auto net = make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20});
  net->hybridize();
  (*net)(x);
  Parameter& w = net->collect_params()["1.weight"];
  w.set_data(w.data() * 2.f);  // as a training step would
  NDArray compiled = (*net)(x);
  EXPECT_EQ(net->compile_count(), 1u);
  net->hybridize(false);
  expect_close(compiled, (*net)(x), kAtol, kRtol);
}

// The first Dense's weight is pre-transposed once by the graph's prepare function (see
// kiln-hoist-parameter-computations); every way of changing it must reach the compiled code.
TEST_F(Hybridize, PreparedWeightsFollowEveryKindOfParameterUpdate) {
  auto net = make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20});
  ParameterDict params = net->collect_params();
  auto reference = [&] {  // the same MLP from eager ops on the parameters' current values
    NDArray h = nd::fully_connected(x, params["0.weight"].data(), params["0.bias"].data()).relu();
    return nd::fully_connected(h, params["1.weight"].data(), params["1.bias"].data());
  };
  net->hybridize();
  (*net)(x);
  expect_close((*net)(x), reference(), kAtol, kRtol);
  Parameter& w = params["0.weight"];
  w.set_data(w.data() * 2.f);
  expect_close((*net)(x), reference(), kAtol, kRtol);
  NDArray handle = w.data();
  handle *= 0.25f;  // an in-place op on the parameter's array
  expect_close((*net)(x), reference(), kAtol, kRtol);
  handle.data()[0] = 7.f;  // a raw write through the data pointer
  expect_close((*net)(x), reference(), kAtol, kRtol);
  EXPECT_EQ(net->compile_count(), 1u);
}

// static_params bakes the parameters in: the graph has no parameter arguments, the weight
// transpose is folded at compile time, and changing a parameter recompiles (never stale).
TEST_F(Hybridize, StaticParamsFoldParametersAndRecompileWhenOneChanges) {
  auto net = make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20});
  NDArray eager = (*net)(x);
  net->hybridize({.static_params = true});
  (*net)(x);
  expect_close((*net)(x), eager, kAtol, kRtol);
  std::string ir = net->traced_ir();
  EXPECT_EQ(ir.find("kiln.parameter"), std::string::npos) << ir;
  EXPECT_EQ(net->compile_count(), 1u);

  Parameter& w = net->collect_params()["0.weight"];
  w.set_data(w.data() * 0.5f);
  net->hybridize(false);
  NDArray changed = (*net)(x);
  net->hybridize({.static_params = true});
  (*net)(x);
  w.set_data(w.data() * 1.f);  // a write, even of the same values, is a change
  NDArray after = (*net)(x);
  expect_close(after, changed, kAtol, kRtol);
  EXPECT_EQ(net->compile_count(), 2u) << "the write recompiled the graph";
}

// MXNet's stale-cache test: changing a hybridized block recompiles it.
TEST_F(Hybridize, ChangingTheBlockInvalidatesItsGraphs) {
  nn::Sequential net;
  net.add(nn::Dense(8, "relu"));
  net.initialize();
  net.hybridize();
  NDArray x = nd::random::uniform({2, 20});
  EXPECT_EQ(net(x).shape(), (Shape{2, 8}));
  net(x);
  EXPECT_EQ(net.compile_count(), 1u);
  net.add(nn::Dense(3));
  net.initialize();
  NDArray y = net(x);
  EXPECT_EQ(y.shape(), (Shape{2, 3}));
  EXPECT_EQ(net.compile_count(), 2u);
  net.hybridize(false);
  expect_close(net(x), y, kAtol, kRtol);
}

// Building, initialising and composing other blocks changes nothing this graph depends on.
TEST_F(Hybridize, UnrelatedBlocksDoNotRecompile) {
  auto net = make_sequential_mlp();
  net->initialize();
  net->hybridize();
  NDArray x = nd::random::uniform({2, 20});
  (*net)(x);
  for (int i = 0; i < 3; ++i) {
    nn::Sequential other;
    other.add(nn::Dense(4));
    other.initialize();
    other(x);  // deferred initialisation gives its weight new storage
    (*net)(x);
  }
  EXPECT_EQ(net->compile_count(), 1u);
  EXPECT_EQ(net->hybrid_stats().compiled, 3u);
}

// A graph's argument list has no fixed cap (a ResNet has hundreds of parameters).
TEST_F(Hybridize, GraphsWithHundredsOfArgumentsCompile) {
  nn::Sequential net;
  for (int i = 0; i < 80; ++i) net.add(nn::Dense(3, "tanh"));
  net.initialize();
  NDArray x = nd::random::uniform({2, 3});
  NDArray eager = net(x);
  net.hybridize();
  net(x);
  expect_close(net(x), eager, kAtol, kRtol);
  EXPECT_EQ(net.hybrid_stats().compiled, 1u);
}

TEST_F(Hybridize, CacheBoundLimitsCompiledSignatures) {
  auto net = make_sequential_mlp();
  net->initialize();
  std::vector<NDArray> xs, eager;
  for (int64_t b : {1, 2, 3}) {
    xs.push_back(nd::random::uniform({b, 20}));
    eager.push_back((*net)(xs.back()));
  }
  net->hybridize(true, /*cache_limit=*/2);
  for (int round = 0; round < 2; ++round)
    for (size_t i = 0; i < xs.size(); ++i) expect_close((*net)(xs[i]), eager[i], kAtol, kRtol);
  EXPECT_EQ(net->compile_count(), 2u);  // the third signature runs eagerly
}

TEST_F(Hybridize, HybridizeFalseGoesBackToEager) {
  auto net = make_sequential_mlp();
  net->initialize();
  net->hybridize();
  NDArray x = nd::random::uniform({2, 20});
  (*net)(x);
  net->hybridize(false);
  EXPECT_FALSE(net->is_hybridized());
  EXPECT_FALSE((*net)[0].is_hybridized());
  (*net)(x);
  EXPECT_EQ(net->compile_count(), 0u);
}

TEST_F(Hybridize, RecordedCallsGiveTheEagerGradients) {
  auto net = make_sequential_mlp();
  net->initialize();
  NDArray x = nd::random::uniform({2, 20});
  auto gradients = [&] {
    NDArray loss;
    {
      auto rec = autograd::record();
      loss = (*net)(x).sum();
    }
    loss.backward();
    std::vector<NDArray> g;
    for (const auto& [name, p] : net->collect_params()) g.push_back(p->grad().copy());
    return g;
  };
  auto eager = gradients();
  net->hybridize();
  (*net)(x);
  auto hybrid = gradients();
  for (size_t i = 0; i < eager.size(); ++i) expect_close(hybrid[i], eager[i], 0, 0);
}

TEST_F(Hybridize, ConstantsAreBakedInAndParametersAreArguments) {
  class ConstantDot : public nn::Block {
   public:
    std::shared_ptr<Parameter> c = params().get_constant("c", nd::ones({4, 4}));
    nn::Child<nn::Dense> dense = register_block("dense", nn::Dense(4, "", true, 4));

   protected:
    NDArray forward(const NDArray& x) override { return nd::dot(dense(x), c->data()) + 1.f; }
  } net;
  net.initialize();
  net.hybridize();
  net(nd::ones({1, 4}));
  std::string ir = net.traced_ir();
  EXPECT_NE(ir.find("kiln.constant dense<1.000000e+00> : tensor<4x4xf32>"), std::string::npos) << ir;
  EXPECT_NE(ir.find("func.func @forward(%arg0: tensor<1x4xf32>, %arg1: tensor<4x4xf32> {kiln.parameter}, "
                    "%arg2: tensor<4xf32> {kiln.parameter})"),
            std::string::npos)
      << ir;
}

// A get_constant value and the arithmetic done on it alone fold into one constant at compile
// time (ir/constant_eval.h), and the result still equals eager.
TEST_F(Hybridize, GetConstantChainsFoldAtCompileTime) {
  class Shifted : public nn::Block {
   public:
    std::shared_ptr<Parameter> c = params().get_constant("c", nd::array({1, 2, 3, 4}, {4}));

   protected:
    NDArray forward(const NDArray& x) override { return x + (c->data() * 2.f + 1.f).relu(); }
  } net;
  net.initialize();
  NDArray x = nd::random::uniform({3, 4});
  NDArray eager = net(x);
  net.hybridize();
  std::string optimized = testing::dumped_stage([&] { net(x); }, "1-optimized.mlir");
  expect_close(net(x), eager, kAtol, kRtol);
  std::string traced = net.traced_ir();
  EXPECT_NE(traced.find("kiln.multiply"), std::string::npos) << traced;
  EXPECT_EQ(optimized.find("kiln.multiply"), std::string::npos) << optimized;
  EXPECT_EQ(optimized.find("kiln.relu"), std::string::npos) << optimized;
  EXPECT_NE(optimized.find("dense<[3.000000e+00, 5.000000e+00, 7.000000e+00, 9.000000e+00]>"), std::string::npos)
      << optimized;
}

TEST_F(Hybridize, DumpsEveryStageAndTheLLVMIR) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "kiln_dump_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  ::setenv("KILN_DUMP_IR", dir.c_str(), 1);
  auto net = make_sequential_mlp();
  net->initialize();
  net->hybridize();
  (*net)(nd::ones({2, 20}));
  ::unsetenv("KILN_DUMP_IR");
  auto read = [&](const std::string& suffix) {
    for (const auto& f : fs::directory_iterator(dir))
      if (f.path().string().ends_with(suffix)) {
        std::ifstream in(f.path());
        return std::string(std::istreambuf_iterator<char>(in), {});
      }
    return std::string();
  };
  EXPECT_NE(read("0-traced.mlir").find("kiln.fully_connected"), std::string::npos);
  EXPECT_NE(read("1-optimized.mlir").find("func.func @forward_prepare"), std::string::npos);
  EXPECT_NE(read("2-linalg.mlir").find("linalg.matmul"), std::string::npos);
  EXPECT_NE(read("3-bufferized.mlir").find("memref"), std::string::npos);
  EXPECT_NE(read("4-vectorized.mlir").find("vector.fma"), std::string::npos);
  EXPECT_NE(read("5-loops.mlir").find("scf.for"), std::string::npos);
  EXPECT_NE(read("6-llvm.mlir").find("llvm.func"), std::string::npos);
  std::string llvm_ir = read("7-llvm-ir.ll");
  // Each entry takes bare pointers and is called through its packed entry; no descriptor wrappers.
  EXPECT_NE(llvm_ir.find("define void @forward(ptr"), std::string::npos);
  EXPECT_NE(llvm_ir.find("define void @kiln_call_forward("), std::string::npos);
  EXPECT_NE(llvm_ir.find("define void @kiln_call_forward_prepare("), std::string::npos);
  size_t definitions = 0;
  for (size_t at = llvm_ir.find("\ndefine "); at != std::string::npos; at = llvm_ir.find("\ndefine ", at + 1)) ++definitions;
  EXPECT_EQ(definitions, 4u) << llvm_ir;
  EXPECT_NE(llvm_ir.find("@llvm.fmuladd.v"), std::string::npos) << "the kernels should do vector multiply-adds";
  for (const auto& f : fs::directory_iterator(dir)) EXPECT_NE(f.path().filename().string().find("Sequential"), std::string::npos);
  fs::remove_all(dir);
}

TEST_F(Hybridize, ConcurrentCallsMatchSerialResults) {
  auto net = make_sequential_mlp();
  net->initialize();
  net->hybridize();
  std::vector<NDArray> xs, expected;
  for (int t = 0; t < 4; ++t) xs.push_back(nd::random::uniform({2, 20}));
  (*net)(xs[0]);  // traced and compiled: the serial results below are compiled ones
  for (int t = 0; t < 4; ++t) expected.push_back((*net)(xs[t]).copy());
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        NDArray y = (*net)(xs[t]);
        for (int64_t k = 0; k < y.size(); ++k)
          if (y.data()[k] != expected[t].data()[k]) ++mismatches[t];
      }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  EXPECT_EQ(net->compile_count(), 1u);
}

}  // namespace
}  // namespace kiln
