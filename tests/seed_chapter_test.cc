// The seed chapter's networks give the shapes and values their definitions imply.
#include "examples/seed_models.h"
#include "test_util.h"

namespace kiln {
namespace {

using testing::expect_close;
using namespace kiln::seed;

class SeedChapter : public ::testing::Test {
 protected:
  void SetUp() override {
    nd::random::seed(0);
    x = nd::random::uniform({2, 20});
  }
  NDArray x;
};

// The MLP computed by hand from its own parameters.
NDArray mlp_by_hand(nn::Block& net, const std::string& h, const std::string& o, const NDArray& x) {
  auto p = net.collect_params();
  NDArray hidden = nd::relu(nd::dot(x, p[h + ".weight"].data(), false, true) + p[h + ".bias"].data());
  return nd::dot(hidden, p[o + ".weight"].data(), false, true) + p[o + ".bias"].data();
}

TEST_F(SeedChapter, SequentialMLPAndCustomMLPAndMySequential) {
  auto net = make_sequential_mlp();
  net->initialize();
  NDArray y = (*net)(x);
  EXPECT_EQ(y.shape(), (Shape{2, 10}));
  expect_close(y, mlp_by_hand(*net, "0", "1", x));

  MLP mlp;
  mlp.initialize();
  NDArray y_mlp = mlp(x);  // first: completes the deferred initialisation
  expect_close(y_mlp, mlp_by_hand(mlp, "hidden", "output", x));

  MySequential mine;
  mine.add(nn::Dense(256, "relu"));
  mine.add(nn::Dense(10));
  mine.initialize();
  NDArray y_mine = mine(x);
  expect_close(y_mine, mlp_by_hand(mine, "0", "1", x));
}

// FancyMLP's loop halves x until its norm is at most 1, then scales by 10 if it fell below 0.8.
TEST_F(SeedChapter, FancyMLPFollowsItsControlFlow) {
  FancyMLP fancy;
  fancy.initialize();
  NDArray y = fancy(x);
  EXPECT_EQ(y.shape(), (Shape{1}));
  EXPECT_EQ(fancy.collect_params().names(), (std::vector<std::string>{"rand_weight", "dense.weight", "dense.bias"}));

  NDArray h = fancy.dense(x);
  h = nd::relu(nd::dot(h, fancy.rand_weight->data()) + 1.f);
  h = fancy.dense(h);
  float norm = h.norm().asscalar();
  while (norm > 1) norm /= 2, h = h / 2.f;
  if (norm < 0.8f) h = h * 10.f;
  expect_close(y, h.sum());
}

TEST_F(SeedChapter, ChimeraNestsBlocksAndSequentials) {
  auto chimera = make_chimera();
  chimera->initialize();
  NDArray y = (*chimera)(x);
  EXPECT_EQ(y.shape(), (Shape{1}));
  auto names = chimera->collect_params().names();
  EXPECT_EQ(names.front(), "0.net.0.weight");
  EXPECT_EQ(names.back(), "2.dense.bias");
  EXPECT_EQ(chimera->collect_params()["1.weight"].shape(), (Shape{20, 16}));
}

TEST_F(SeedChapter, ExerciseParallelConcatenatesOutputs) {
  Parallel parallel{MLP(), NestMLP()};
  parallel.initialize();
  NDArray y = parallel(x);
  EXPECT_EQ(y.shape(), (Shape{2, 26}));
  auto& mlp = static_cast<MLP&>(*parallel.children()[0].second);
  expect_close(nd::slice_axis(y, 1, 0, 10), mlp(x));
}

TEST_F(SeedChapter, ExerciseFactoryStacksFreshInstances) {
  auto net = stack(3, [] { return std::make_shared<nn::Dense>(20, "relu"); });
  net->initialize();
  EXPECT_EQ((*net)(x).shape(), (Shape{2, 20}));
  EXPECT_EQ(net->collect_params().size(), 6u);  // three instances, not one shared
}

// The chapter's point about backward: gradients reach every parameter except the constant.
TEST_F(SeedChapter, ChimeraTrainsAndItsConstantStaysFixed) {
  auto chimera = make_chimera();
  chimera->initialize();
  NDArray loss;
  {
    auto rec = autograd::record();
    loss = (*chimera)(x);
  }
  loss.backward();
  for (const auto& [name, p] : chimera->collect_params()) {
    if (p->is_constant()) {
      EXPECT_EQ(name, "2.rand_weight");
      continue;
    }
    EXPECT_EQ(p->grad().shape(), p->shape()) << name;
  }
}

}  // namespace
}  // namespace kiln
