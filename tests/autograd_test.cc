// autograd: scopes and modes, backward with and without head gradients, grad_req, in-place ops.
#include <cmath>

#include "test_util.h"

namespace kiln {
namespace {

using testing::expect_values;

TEST(Autograd, ScopesSetAndRestoreRecordingAndTraining) {
  EXPECT_FALSE(autograd::is_recording());
  EXPECT_FALSE(autograd::is_training());
  {
    auto rec = autograd::record();
    EXPECT_TRUE(autograd::is_recording());
    EXPECT_TRUE(autograd::is_training());
    {
      auto p = autograd::pause();
      EXPECT_FALSE(autograd::is_recording());
      EXPECT_FALSE(autograd::is_training());
    }
    {
      auto pm = autograd::predict_mode();
      EXPECT_TRUE(autograd::is_recording());
      EXPECT_FALSE(autograd::is_training());
    }
    EXPECT_TRUE(autograd::is_training());
  }
  {
    auto rec = autograd::record(/*train_mode=*/false);
    EXPECT_FALSE(autograd::is_training());
  }
  {
    auto tm = autograd::train_mode();
    EXPECT_TRUE(autograd::is_training());
    EXPECT_FALSE(autograd::is_recording());
  }
  EXPECT_FALSE(autograd::is_recording());
}

TEST(Autograd, BackwardOfASimpleFunction) {
  NDArray x = nd::array({1, 2, 3});
  x.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    y = 2.f * x * x;  // dy/dx = 4x
  }
  y.backward();
  expect_values(x.grad(), {4, 8, 12});
}

TEST(Autograd, HeadGradientScalesTheResult) {
  NDArray x = nd::array({1, 2, 3});
  x.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    y = x * x;
  }
  y.backward(nd::array({1, 0.5f, -1}));
  expect_values(x.grad(), {2, 2, -6});
  EXPECT_THROW(y.backward(nd::ones({2})), ShapeError);
}

TEST(Autograd, GradReqWriteOverwritesAndAddAccumulates) {
  NDArray w = nd::array({1, 2}), a = nd::array({1, 2});
  w.attach_grad(GradReq::Write);
  a.attach_grad(GradReq::Add);
  for (int i = 0; i < 3; ++i) {
    NDArray y;
    {
      auto rec = autograd::record();
      y = (w * a).sum();
    }
    y.backward();
  }
  expect_values(w.grad(), {1, 2});  // a, once
  expect_values(a.grad(), {3, 6});  // w, three times
}

TEST(Autograd, AUsedTwiceCollectsBothPaths) {
  NDArray x = nd::array({3});
  x.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    NDArray h = x * 2.f;
    y = h * h + h;  // 4x² + 2x -> 8x + 2
  }
  y.backward();
  expect_values(x.grad(), {26});
}

// Two heads, one on the other's path: the first head's node must wait for the gradient that
// reaches it through the second.
TEST(Autograd, AHeadOnAnotherHeadsPathGetsBothGradients) {
  NDArray x = nd::array({3});
  x.attach_grad();
  NDArray h, y;
  {
    auto rec = autograd::record();
    h = nd::tanh(x * 2.f);
    y = h * 3.f;
  }
  autograd::backward({h, y});  // d(h + y)/dx = 4·2·(1 - tanh²(6))
  float t = std::tanh(6.f);
  expect_values(x.grad(), {8.f * (1 - t * t)});
}

TEST(Autograd, GradReturnsWithoutStoring) {
  NDArray x = nd::array({1, 2});
  x.attach_grad();
  NDArray unused = nd::array({5});
  unused.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    y = (x * x).sum();
  }
  auto g = autograd::grad({y}, {x, unused});
  expect_values(g[0], {2, 4});
  expect_values(g[1], {0});
  expect_values(x.grad(), {0, 0});  // untouched
}

TEST(Autograd, OpsOutsideRecordAreNotRecorded) {
  NDArray x = nd::array({1, 2});
  x.attach_grad();
  NDArray y = x * 3.f;
  EXPECT_THROW_WITH(y.backward(), ValueError, "record");
}

TEST(Autograd, InPlaceUnderRecordKeepsGradientsRight) {
  NDArray x = nd::array({1, 2});
  x.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    y = x * 1.f;
    NDArray saved = y;  // another handle to the value before the update
    y /= 2.f;           // recorded as a new value: y = x / 2
    y *= y;             // y = x² / 4
    expect_values(saved, {1, 2});
  }
  y.backward();
  expect_values(x.grad(), {0.5f, 1});  // d(x²/4)/dx = x/2
}

TEST(Autograd, DetachCutsTheGraph) {
  NDArray x = nd::array({2});
  x.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    y = x * x.detach();  // only the left factor carries gradient
  }
  y.backward();
  expect_values(x.grad(), {2});
}

// copy() is new storage on the same path: both factors carry gradient (d(x·x)/dx = 2x), and
// writing the copy leaves x alone.
TEST(Autograd, CopyKeepsTheGradientPath) {
  NDArray x = nd::array({3});
  x.attach_grad();
  NDArray y;
  {
    auto rec = autograd::record();
    NDArray c = x.copy();
    y = x * c;
  }
  y.backward();
  expect_values(x.grad(), {6});
  NDArray c = x.copy();
  c.data()[0] = 7;
  expect_values(x, {3});
}

TEST(Autograd, GradWithoutAttachIsAClearError) {
  EXPECT_THROW_WITH(nd::ones({2}).grad(), ValueError, "attach_grad");
}

}  // namespace
}  // namespace kiln
