// gluon::Trainer: applies an optimizer to a set of parameters, as Gluon's Trainer.
//
//   gluon::Trainer trainer(net.collect_params(), "sgd", {{"learning_rate", 0.5}});
//   (or optimizer::SGD{.learning_rate = 0.5f} in place of the name and the map)
//   { auto rec = autograd::record(); l = loss(net(x), y); }
//   l.backward();
//   trainer.step(batch_size);   // gradients rescaled by 1 / batch_size
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "frontend/loss/loss.h"
#include "frontend/nn/block.h"
#include "frontend/nn/parameter.h"
#include "frontend/optimizer/compiled_step.h"
#include "frontend/optimizer/optimizer.h"
#include "frontend/optimizer/settings.h"

namespace kiln::gluon {

class Trainer {
 public:
  // Trains the parameters of `params` that take gradients (grad_req not null; constants never
  // do) with the optimizer Gluon names `optimizer` (optimizer::create).
  Trainer(const ParameterDict& params, const std::string& optimizer, const optimizer::Options& options = {});
  Trainer(const ParameterDict& params, std::unique_ptr<optimizer::Optimizer> optimizer);
  // Typed settings (optimizer/settings.h): Trainer(params, optimizer::SGD{.learning_rate = 0.5f}).
  template <class Settings>
    requires requires(const Settings& s) { optimizer::make(s); }
  Trainer(const ParameterDict& params, const Settings& settings) : Trainer(params, optimizer::make(settings)) {}

  // allreduce_grads() then update(). A parameter whose gradient no backward() wrote since the
  // last step is an error naming it, unless `ignore_stale_grad`: then it is skipped.
  void step(int64_t batch_size, bool ignore_stale_grad = false);
  // One device: there is nothing to reduce; kept so that code written for Gluon runs as written.
  void allreduce_grads() {}
  // Updates every parameter from its gradient, rescaled by 1 / batch_size (times the
  // optimizer's rescale_grad option, as Gluon's).
  void update(int64_t batch_size, bool ignore_stale_grad = false);

  // The optimizer's state (each parameter's state arrays and update count) in kiln's .params
  // format, written atomically: an existing file is replaced whole or not at all.
  void save_states(const std::string& path) const;
  // Reads states that save_states wrote. FileError naming the file and the problem — another
  // optimizer's states, a parameter missing, extra or of another shape — and then nothing in the
  // Trainer has changed.
  void load_states(const std::string& path);

  // The whole step — loss(net(x), y), backward and this Trainer's update — as one compiled
  // function per input signature (optimizer/compiled_step.h). The step holds references to
  // this Trainer, `net` and `loss`, which must outlive it.
  CompiledStep compile_step(nn::Block& net, loss::Loss& loss) { return CompiledStep(*this, net, loss); }

  float learning_rate() const { return optimizer_->learning_rate(); }
  void set_learning_rate(float lr) { optimizer_->set_learning_rate(lr); }
  optimizer::Optimizer& optimizer() { return *optimizer_; }

 private:
  friend class CompiledStep;
  struct Slot {
    std::shared_ptr<Parameter> parameter;
    std::vector<NDArray> states;  // created on the first update, when the shape is known
    int64_t updates = 0;
    uint64_t gradient_writes = 0;  // autograd::gradient_writes at the last update
  };
  // The slot's state arrays, made (zeros of the weight's shape) where there are none yet: before
  // the first update, and after load_states of states saved before one.
  std::vector<NDArray>& states_of(Slot& slot);

  std::vector<Slot> slots_;
  std::unique_ptr<optimizer::Optimizer> optimizer_;
  float scale_;  // the optimizer's own rescale_grad, divided by each step's batch size
};

}  // namespace kiln::gluon
