// A user's program against an installed kiln: a hybridized MLP trained for a few compiled steps,
// checked against the same steps run eagerly. Prints "ok" and exits 0 when they agree.
#include <cmath>
#include <cstdio>

#include "frontend/kiln.h"

using namespace kiln;

std::shared_ptr<nn::Sequential> make_net() {
  auto net = std::make_shared<nn::Sequential>();
  net->add(nn::Dense(16, "relu", true, 8), nn::Dense(4, "", true, 16));
  net->initialize(init::Xavier());
  return net;
}

int main() {
  nd::random::seed(3);
  NDArray x = nd::random::uniform(-1, 1, {32, 8});
  NDArray y = nd::array({0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}, {32});
  nd::random::seed(7);
  auto eager = make_net();
  nd::random::seed(7);
  auto compiled = make_net();
  loss::SoftmaxCrossEntropyLoss loss;
  gluon::Trainer eager_trainer(eager->collect_params(), optimizer::SGD{.learning_rate = 0.5f});
  gluon::Trainer trainer(compiled->collect_params(), optimizer::SGD{.learning_rate = 0.5f});
  auto step = trainer.compile_step(*compiled, loss);
  float worst = 0, first = 0, last = 0;
  for (int i = 0; i < 5; ++i) {
    NDArray l_eager;
    {
      auto rec = autograd::record();
      l_eager = loss((*eager)(x), y);
    }
    l_eager.backward();
    eager_trainer.step(32);
    float l = step(x, y).mean().asscalar(), le = l_eager.mean().asscalar();
    worst = std::max(worst, std::fabs(l - le));
    if (i == 0) first = l;
    last = l;
  }
  std::printf("loss %.4f -> %.4f, compiled %s, largest difference from eager %.2g\n", first, last,
              step.last_call_compiled() ? "yes" : "no", worst);
  bool ok = step.last_call_compiled() && worst < 1e-4f && last < first;
  std::printf("%s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
