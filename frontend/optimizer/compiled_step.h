// CompiledStep: a whole training step — forward, loss, backward and the optimizer's update —
// traced once per input signature and compiled into one native function that updates the
// parameters and the optimizer's state in place, with no tape and no intermediate arrays.
//
//   auto step = trainer.compile_step(net, loss);
//   NDArray l = step(X, y);   // the per-sample loss, as loss(net(X), y) gives it
//
// The first call of a signature runs eagerly while it is traced (and performs that step).
// Learning rate, schedule and batch size are arguments: changing them never recompiles. Label
// checks (pick's range) run on the host before the call. The parameters' .grad() are not
// written: the gradients live only inside the compiled code. Host reads in the forward
// (`while (h.norm().asscalar() > 1)`) are guards: a call whose reads come out as no traced path's
// did leaves the graph before writing anything, runs eagerly along its path and adds it (at
// most 8 paths per signature; past that the signature runs eagerly).
#pragma once

#include <memory>
#include <vector>

#include "frontend/loss/loss.h"
#include "frontend/nn/block.h"

namespace kiln::gluon {

class Trainer;

class CompiledStep {
 public:
  CompiledStep(Trainer& trainer, nn::Block& net, loss::Loss& loss);
  CompiledStep(CompiledStep&&) noexcept;
  ~CompiledStep();

  NDArray operator()(const NDArray& x, const NDArray& y);
  // net(x) of the last call, as the step computed it (before the update): what a training
  // accuracy is measured on.
  const NDArray& last_prediction() const { return prediction_; }

  // Signatures compiled so far, and whether the last call ran compiled code.
  size_t compile_count() const;
  bool last_call_compiled() const { return last_compiled_; }

 private:
  struct Entry;
  NDArray trace(Entry& entry, const NDArray& x, const NDArray& y);
  NDArray run(Entry& entry, const NDArray& x, const NDArray& y);
  NDArray eager_step(const NDArray& x, const NDArray& y);
  // The optimizer's scalars for the next step of `batch` items (schedule and rescale applied).
  std::vector<float> step_scalars(int64_t batch);

  Trainer* trainer_;
  nn::Block* net_;
  loss::Loss* loss_;
  std::vector<std::unique_ptr<Entry>> entries_;
  bool last_compiled_ = false;
  NDArray prediction_;
};

}  // namespace kiln::gluon
