// Every code cell of the seed chapter ("Layers and Blocks") in C++, printing each output as the
// Python does, plus the chapter's exercises 4 (a parallel block) and 5 (a block factory).
#include <iostream>
#include <vector>

#include "examples/seed_models.h"

using namespace kiln;
using namespace kiln::seed;

int main() {
  nd::random::seed(0);
  // x = nd.random.uniform(shape=(2, 20))
  NDArray x = nd::random::uniform({2, 20});

  std::cout << "== Sequential: Dense(256, relu) -> Dense(10)\n";
  auto net = make_sequential_mlp();
  net->initialize();
  std::cout << (*net)(x) << "\n\n";

  std::cout << "== MLP (a custom Block)\n";
  MLP mlp;
  mlp.initialize();
  std::cout << mlp(x) << "\n\n";

  std::cout << "== MySequential\n";
  MySequential myseq;
  myseq.add(nn::Dense(256, "relu"));
  myseq.add(nn::Dense(10));
  myseq.initialize();
  std::cout << myseq(x) << "\n\n";

  std::cout << "== FancyMLP (get_constant, a shared Dense, while/if on asscalar())\n";
  FancyMLP fancy;
  fancy.initialize();
  std::cout << fancy(x) << "\n\n";

  std::cout << "== FancyMLP hybridized: its while/if on asscalar() compile as guards and a loop\n";
  std::vector<float> scales{0.01f, 1.f, 100.f, 1e4f};
  std::vector<NDArray> inputs, eager;
  for (float scale : scales) {
    inputs.push_back(x * scale);
    eager.push_back(fancy(inputs.back()));
  }
  fancy.hybridize();
  for (int pass = 0; pass < 2; ++pass)  // the first pass traces new paths, the second runs compiled
    for (size_t i = 0; i < inputs.size(); ++i) {
      NDArray y = fancy(inputs[i]);
      if (pass == 1) std::cout << "x * " << scales[i] << ": eager " << eager[i].asscalar() << ", compiled " << y.asscalar() << "\n";
    }
  nn::HybridStats stats = fancy.hybrid_stats();
  std::cout << stats.compiled << " calls compiled end to end, " << stats.traced << " traced (" << stats.side_exits
            << " side exits)\n\n";

  std::cout << "== chimera: Sequential(NestMLP, Dense(20), FancyMLP)\n";
  auto chimera = make_chimera();
  chimera->initialize();
  std::cout << (*chimera)(x) << "\n";
  std::cout << *chimera << "\n\n";

  std::cout << "== Exercise 4: Parallel(MLP, NestMLP) concatenates both outputs\n";
  Parallel parallel{MLP(), NestMLP()};
  parallel.initialize();
  std::cout << parallel(x) << "\n\n";

  std::cout << "== Exercise 5: a factory stacking three instances of one block\n";
  auto stacked = stack(3, [] { return std::make_shared<nn::Dense>(20, "relu"); });
  stacked->initialize();
  std::cout << (*stacked)(x) << "\n";
  std::cout << *stacked << "\n";
  return 0;
}
