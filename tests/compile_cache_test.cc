// CompiledGraph's calling convention (bound parameters, prepared values, arguments updated in
// place, arguments never written otherwise) and the disk cache of
// compiled graphs (codegen/compile_cache.h). ctest points KILN_CACHE_DIR at a directory of its
// own for this suite; each cache test starts from an empty one.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "codegen/compile_cache.h"
#include "codegen/compiled_graph.h"
#include "test_util.h"

namespace kiln {
namespace {

namespace fs = std::filesystem;

// y = relu(x · wᵀ + b) for x 2×20, w 32×20 (a parameter, so the graph also has a prepare
// function), b 32.
ir::Graph dense_graph() {
  ir::Graph g;
  int x = g.add_argument({2, 20});
  int w = g.add_argument({32, 20}, ir::Graph::ArgumentKind::Parameter);
  int b = g.add_argument({32}, ir::Graph::ArgumentKind::Parameter);
  int fc = g.add_op("fully_connected", std::vector<int>{x, w, b}, {}, {2, 32});
  int y = g.add_op("relu", std::vector<int>{fc}, {}, {2, 32});
  g.set_results(std::vector<int>{y});
  return g;
}

// Runs a compiled dense_graph() on fixed values.
std::vector<float> run(codegen::CompiledGraph& compiled) {
  nd::random::seed(3);
  Array x = nd::random::uniform({2, 20}), w = nd::random::uniform({32, 20}), b = nd::random::uniform({32});
  Array y({2, 32});
  compiled.bind_parameters({w, b});
  const Array* inputs[] = {&x};
  Array* results[] = {&y};
  compiled.run(inputs, results);
  return y.to_vector();
}

// relu(x · wᵀ + b), computed on the host.
std::vector<float> dense_reference(const Array& x, const Array& w, const Array& b) {
  std::vector<float> y(2 * 32);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 32; ++j) {
      float sum = b.data()[j];
      for (int k = 0; k < 20; ++k) sum += x.data()[i * 20 + k] * w.data()[j * 20 + k];
      y[i * 32 + j] = std::max(sum, 0.f);
    }
  return y;
}

// The bound weight is pre-transposed once; only a write to a bound parameter recomputes it, not a
// write to some other watched array (another graph's parameter).
TEST(CompiledGraph, BoundParametersAreReadAsTheyAreAndPreparedOnlyWhenWritten) {
  ir::Graph g = dense_graph();
  auto compiled = codegen::CompiledGraph::compile(g);
  ASSERT_EQ(compiled->num_prepared(), 1u);
  Array x = nd::random::uniform({2, 20}), w = nd::random::uniform({32, 20}), b = nd::random::uniform({32});
  compiled->bind_parameters({w, b});
  Array y({2, 32});
  const Array* inputs[] = {&x};
  Array* results[] = {&y};
  auto call = [&] {
    compiled->run(inputs, results);
    testing::expect_values(y, dense_reference(x, w, b), 1e-5f, 1e-5f);
  };
  call();
  call();
  EXPECT_EQ(compiled->prepare_count(), 1u);

  ir::Graph other_graph = dense_graph();
  auto other = codegen::CompiledGraph::compile(other_graph);
  Array other_w = nd::random::uniform({32, 20}), other_b = nd::random::uniform({32});
  other->bind_parameters({other_w, other_b});
  Array other_y({2, 32});
  Array* other_results[] = {&other_y};
  other->run(inputs, other_results);
  other_w.data()[0] = 5.f;  // watched by the other graph only
  call();
  EXPECT_EQ(compiled->prepare_count(), 1u);

  w.data()[3] = -2.f;  // a write through the caller's handle to a bound parameter
  call();
  EXPECT_EQ(compiled->prepare_count(), 2u);
  b.data()[0] = 9.f;  // b is read directly: no prepared value depends on it, but it is current
  call();
  EXPECT_EQ(compiled->prepare_count(), 2u) << "a write to a parameter the prepare function does not read";
}

TEST(CompiledGraph, AWrongBindingIsAClearError) {
  ir::Graph g = dense_graph();
  auto compiled = codegen::CompiledGraph::compile(g);
  Array x = nd::random::uniform({2, 20}), y({2, 32});
  const Array* inputs[] = {&x};
  Array* results[] = {&y};
  try {
    compiled->run(inputs, results);
    FAIL() << "ran with no parameters bound";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2 bound parameters"), std::string::npos) << e.what();
  }
  EXPECT_THROW(compiled->bind_parameters({x}), Error);
  try {
    compiled->bind_parameters({Array({20, 32}), Array({32})});  // the weight transposed
    FAIL() << "bound a weight of the wrong shape";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("32x20"), std::string::npos) << e.what();
  }
}

// One SGD-with-momentum step: v ← 0.9·v + g (v an input, the optimizer state), w ← w − 0.1·v
// (w a parameter), both updated in place; the result is sum(w) after the step.
ir::Graph momentum_step_graph() {
  ir::Graph g;
  int grad = g.add_argument({4});
  int v = g.add_argument({4});
  int w = g.add_argument({4}, ir::Graph::ArgumentKind::Parameter);
  std::vector<float> momentum{0.9f}, lr{0.1f};
  int v_new = g.add_op("add", std::vector<int>{g.add_op("multiply", std::vector<int>{v, g.add_constant({}, momentum)}, {}, {4}), grad}, {}, {4});
  int w_new = g.add_op("subtract", std::vector<int>{w, g.add_op("multiply", std::vector<int>{v_new, g.add_constant({}, lr)}, {}, {4})}, {}, {4});
  g.add_update(v, v_new);
  g.add_update(w, w_new);
  g.set_results(std::vector<int>{g.add_op("sum", std::vector<int>{w_new}, {}, {1})});
  return g;
}

// Three steps of momentum_step_graph() against the same arithmetic on the host: the updated
// arrays hold the new values and their versions move; the gradient is read, never written.
void expect_momentum_steps(codegen::CompiledGraph& compiled) {
  ASSERT_EQ(compiled.result_shapes().size(), 1u) << "an update is not a result";
  EXPECT_EQ(compiled.updated_arguments(), (std::vector<size_t>{1, 2}));
  Array grad = Array::from_values({4}, {1, -2, 3, 0.5f}), v = Array::zeros({4}), w = Array::from_values({4}, {1, 2, 3, 4});
  compiled.bind_parameters({w});
  std::vector<float> host_v(4, 0.f), host_w{1, 2, 3, 4};
  for (int step = 0; step < 3; ++step) {
    DataVersion v_before = v.version(), w_before = w.version(), grad_before = grad.version();
    Array sum({1});
    const Array* inputs[] = {&grad, &v};
    Array* results[] = {&sum};
    compiled.run(inputs, results);
    float host_sum = 0;
    for (int i = 0; i < 4; ++i) {
      host_v[i] = 0.9f * host_v[i] + std::as_const(grad).data()[i];
      host_w[i] -= 0.1f * host_v[i];
      host_sum += host_w[i];
    }
    testing::expect_values(v, host_v);
    testing::expect_values(w, host_w);
    testing::expect_values(sum, {host_sum});
    EXPECT_NE(v.version(), v_before);
    EXPECT_NE(w.version(), w_before);
    EXPECT_EQ(grad.version(), grad_before) << "an argument that is not updated must not be written";
  }
  testing::expect_values(grad, {1, -2, 3, 0.5f});
}

TEST(CompiledGraph, UpdatesArgumentsInPlace) {
  ir::Graph g = momentum_step_graph();
  codegen::CompileOptions training;
  training.mode = codegen::GraphMode::Training;
  expect_momentum_steps(*codegen::CompiledGraph::compile(g, training));
}

TEST(CompiledGraph, AWrongUpdateIsAClearError) {
  ir::Graph g;
  int x = g.add_argument({4});
  int y = g.add_op("relu", std::vector<int>{x}, {}, {4});
  EXPECT_THROW_WITH(g.add_update(y, y), Error, "not an argument");
  EXPECT_THROW_WITH(g.add_update(x, g.add_op("sum", std::vector<int>{x}, {}, {1})), ShapeError, "another shape");
  g.add_update(x, y);
  EXPECT_THROW_WITH(g.add_update(x, y), Error, "updated twice");
}

// A graph with a guard updates in place too: its side exit yields the argument itself, so a call
// that leaves early writes back what was there.
TEST(CompiledGraph, AnUpdateOnASideExitWritesBackTheArgument) {
  ir::Graph g;
  int w = g.add_argument({4});
  int total = g.add_op("sum", std::vector<int>{w}, {}, {1});
  int flag = g.add_compare("gt", total, g.add_constant({1}, std::vector<float>{0.f}));
  g.begin_if(flag, std::vector<Shape>{{4}}, true);
  g.yield(std::vector<int>{g.add_op("add", std::vector<int>{w, w}, {}, {4}), g.add_status(0)});
  g.begin_else();
  g.yield(std::vector<int>{w, g.add_status(1)});
  std::vector<int> out = g.end_if();
  g.add_update(w, out[0]);
  g.set_results(std::vector<int>{total}, out[1]);
  auto compiled = codegen::CompiledGraph::compile(g);
  Array positive = Array::from_values({4}, {1, 2, 3, 4}), negative = Array::from_values({4}, {-1, -2, -3, 4});
  Array sum({1});
  Array* results[] = {&sum};
  const Array* doubled[] = {&positive};
  EXPECT_EQ(compiled->run(doubled, results), 0);
  testing::expect_values(NDArray(positive), {2, 4, 6, 8});
  const Array* left[] = {&negative};
  EXPECT_EQ(compiled->run(left, results), 1);
  testing::expect_values(NDArray(negative), {-1, -2, -3, 4});
}

// Bufferization may write into a buffer whose value is dead, and an argument's value is dead
// after its last use; but an argument is the caller's array. Here the loop's table starts as
// the input itself, and each step overwrites one row of it: the input must stay as it was.
TEST(CompiledGraph, NeverWritesIntoItsInputs) {
  ir::Graph g;
  int table = g.add_argument({3, 2});
  std::vector<int> body = g.begin_for(3, std::vector<int>{table});  // index, table
  int row = g.add_row(body[1], body[0]);
  int doubled = g.add_op("add", std::vector<int>{row, row}, {}, {2});
  g.yield(std::vector<int>{g.add_set_row(body[1], doubled, body[0])});
  g.set_results(g.end_for());
  auto compiled = codegen::CompiledGraph::compile(g);
  Array x = Array::from_values({3, 2}, {1, 2, 3, 4, 5, 6}), y({3, 2});
  const Array* inputs[] = {&x};
  Array* results[] = {&y};
  compiled->run(inputs, results);
  testing::expect_values(y, {2, 4, 6, 8, 10, 12});
  testing::expect_values(x, {1, 2, 3, 4, 5, 6});
}

class CompileCache : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(codegen::compile_cache::directory().empty()) << "ctest sets KILN_CACHE_DIR for this suite";
    fs::remove_all(codegen::compile_cache::directory());
  }
  static std::vector<fs::path> entries() {
    std::vector<fs::path> files;
    if (fs::exists(codegen::compile_cache::directory()))
      for (const auto& f : fs::directory_iterator(codegen::compile_cache::directory())) files.push_back(f.path());
    return files;
  }
};

TEST_F(CompileCache, ASecondCompileLoadsTheObjectAndComputesTheSame) {
  ir::Graph first_graph = dense_graph();
  auto first = codegen::CompiledGraph::compile(first_graph);
  EXPECT_FALSE(first->from_cache());
  ASSERT_EQ(entries().size(), 1u);
  ir::Graph second_graph = dense_graph();
  auto second = codegen::CompiledGraph::compile(second_graph);
  EXPECT_TRUE(second->from_cache());
  EXPECT_EQ(second->num_prepared(), first->num_prepared());
  EXPECT_EQ(second->result_shapes(), first->result_shapes());
  EXPECT_EQ(run(*second), run(*first));
}

TEST_F(CompileCache, ADamagedEntryIsRebuilt) {
  ir::Graph g1 = dense_graph();
  auto reference = run(*codegen::CompiledGraph::compile(g1));
  ASSERT_EQ(entries().size(), 1u);
  fs::path entry = entries()[0];
  {
    std::fstream f(entry, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(entry) / 2));
    f.put('\x5a');  // one byte of the object code
  }
  ir::Graph g2 = dense_graph();
  auto rebuilt = codegen::CompiledGraph::compile(g2);
  EXPECT_FALSE(rebuilt->from_cache());
  EXPECT_EQ(run(*rebuilt), reference);
  ir::Graph g3 = dense_graph();
  EXPECT_TRUE(codegen::CompiledGraph::compile(g3)->from_cache()) << "the rebuilt entry was stored again";
}

TEST_F(CompileCache, ATruncatedEntryIsRebuilt) {
  ir::Graph g1 = dense_graph();
  codegen::CompiledGraph::compile(g1);
  fs::resize_file(entries()[0], 20);
  ir::Graph g2 = dense_graph();
  EXPECT_FALSE(codegen::CompiledGraph::compile(g2)->from_cache());
}

// An intact entry whose object was built for another data layout (or names one that does not
// parse) cannot be linked: it is compiled afresh, never linked wrongly or fatal.
TEST_F(CompileCache, AnEntryForAnotherDataLayoutIsRebuilt) {
  ir::Graph g1 = dense_graph();
  auto reference = run(*codegen::CompiledGraph::compile(g1));
  ASSERT_EQ(entries().size(), 1u);
  std::string key = entries()[0].stem().string();
  for (const char* layout : {"E-m:e-i64:64-n32:64-S128", "not-a-layout!"}) {
    auto entry = codegen::compile_cache::load(key);
    ASSERT_TRUE(entry);
    size_t at = entry->interface.find("\nlayout ");
    ASSERT_NE(at, std::string::npos) << entry->interface;
    entry->interface = entry->interface.substr(0, at) + "\nlayout " + layout + "\n";
    codegen::compile_cache::store(key, *entry);
    ir::Graph g = dense_graph();
    auto rebuilt = codegen::CompiledGraph::compile(g);
    EXPECT_FALSE(rebuilt->from_cache()) << layout;
    EXPECT_EQ(run(*rebuilt), reference);
  }
}

TEST_F(CompileCache, DifferentGraphsHaveDifferentEntries) {
  ir::Graph a = dense_graph();
  codegen::CompiledGraph::compile(a);
  ir::Graph b;
  int x = b.add_argument({2, 20});
  b.set_results(std::vector<int>{b.add_op("tanh", std::vector<int>{x}, {}, {2, 20})});
  EXPECT_FALSE(codegen::CompiledGraph::compile(b)->from_cache());
  EXPECT_EQ(entries().size(), 2u);
}

TEST_F(CompileCache, PastItsBoundTheLeastRecentlyUsedEntriesGo) {
  namespace cache = codegen::compile_cache;
  const std::string object(1000, 'x');
  for (const char* key : {"old", "middle", "new"}) cache::store(key, {"interface", object});
  // Age them: old, then middle, then new; then use "old", which makes it the most recent.
  auto now = fs::file_time_type::clock::now();
  int age = 30;
  for (const char* key : {"old", "middle", "new"})
    fs::last_write_time(cache::directory() + "/" + key + ".kilnobj", now - std::chrono::seconds(age -= 10));
  ASSERT_TRUE(cache::load("old"));
  uintmax_t one = fs::file_size(cache::directory() + "/new.kilnobj");
  EXPECT_EQ(cache::evict(2 * one), 1u);  // "middle" is now the least recently used
  EXPECT_TRUE(cache::load("old"));
  EXPECT_FALSE(cache::load("middle"));
  EXPECT_TRUE(cache::load("new"));
  EXPECT_EQ(cache::evict(0), 2u);
  EXPECT_TRUE(entries().empty());
}

// The cached interface says which arguments are updated: a graph loaded from the cache updates
// them just as the one compiled.
TEST_F(CompileCache, AnUpdatingGraphFromTheCacheUpdatesInPlace) {
  ir::Graph first = momentum_step_graph();
  expect_momentum_steps(*codegen::CompiledGraph::compile(first));
  ir::Graph second = momentum_step_graph();
  auto cached = codegen::CompiledGraph::compile(second);
  EXPECT_TRUE(cached->from_cache());
  expect_momentum_steps(*cached);
}

}  // namespace
}  // namespace kiln
