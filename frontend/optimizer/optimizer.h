// kiln::optimizer: Gluon's optimizers (mxnet.optimizer). Each is one update rule written with
// nd:: ops, applied to a parameter's weight, gradient and state; the rule is traced once per
// weight shape and compiled into a function that updates the weight and state in place
// (optimizer/compiled_update.h), so a step runs no chain of eager ops per parameter.
// Hyper-parameters (learning rate, momentum, ...) are arguments of the compiled update, not
// constants: changing one never recompiles.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "frontend/ndarray.h"
#include "frontend/optimizer/lr_scheduler.h"

namespace kiln::optimizer {

class CompiledUpdate;

// An optimizer's settings by name, as Gluon's optimizer_params ({"learning_rate", 0.5}).
using Options = std::map<std::string, float>;

class Optimizer {
 public:
  virtual ~Optimizer();
  virtual std::string name() const = 0;

  float learning_rate() const { return learning_rate_; }
  // ValueError unless finite and non-negative.
  void set_learning_rate(float lr);
  // A schedule for the learning rate (null: none): begin_step() takes each step's rate from it.
  void set_lr_scheduler(std::shared_ptr<const LRScheduler> scheduler) { scheduler_ = std::move(scheduler); }
  // Before the updates of step `num_update` (counted from 1): the scheduled rate, if any.
  void begin_step(int64_t num_update) {
    if (scheduler_) set_learning_rate((*scheduler_)(num_update));
  }
  // Gradients are multiplied by this before the rule (Trainer::step sets its scale / batch_size).
  float rescale_grad() const { return rescale_grad_; }
  void set_rescale_grad(float scale) { rescale_grad_ = scale; }

  // How many state arrays each weight has (momentum, moments), each of the weight's shape.
  virtual size_t num_states() const = 0;
  // Updates `weight` and its `states` from `grad` in place, as the rule's `t`-th update of that
  // weight (t counts from 1; Adam's bias correction reads it).
  void update(NDArray& weight, const NDArray& grad, std::span<NDArray> states, int64_t t);
  // Whether updates run compiled (true unless the rule could not be compiled; then eagerly,
  // after a one-time warning).
  bool compiles() const { return compile_; }
  void set_compile(bool compile) { compile_ = compile; }

  // The update rule: {new weight, new states...} from the weight, gradient, states and the
  // step's scalars (0-d arrays, in the order step_scalars() gives them): the gradient stepped
  // along is g' = clip(rescale · grad) (+ wd · weight, MXNet's order), then step() applies it.
  std::vector<NDArray> rule(const NDArray& weight, const NDArray& grad, std::span<const NDArray> states,
                            std::span<const NDArray> scalars) const;
  // The scalars of the `t`-th update: learning rate, rescale, clip bound (+inf: none), wd, then
  // own_scalars(t).
  std::vector<float> step_scalars(int64_t t) const;

 protected:
  // Reads the options every optimizer takes (learning_rate, wd, clip_gradient, rescale_grad)
  // and those in `own` (name -> the member it sets); ValueError naming an option the optimizer
  // does not take, or a value out of range. Subclasses call it from their constructor's body.
  void configure(const std::string& name, const Options& options, std::map<std::string, float*> own);
  // The optimizer's own scalars of the `t`-th update (momentum, betas, ...).
  virtual std::vector<float> own_scalars(int64_t t) const = 0;
  // {new weight, new states...} from the effective gradient `g` and the scalars.
  virtual std::vector<NDArray> step(const NDArray& weight, const NDArray& g, std::span<const NDArray> states,
                                    const NDArray& lr, const NDArray& wd, std::span<const NDArray> own) const = 0;
  // False for decoupled weight decay (AdamW): wd is then left out of g and step() applies it.
  virtual bool decays_in_gradient() const { return true; }

  float learning_rate_ = 0.01f, wd_ = 0.f, clip_gradient_ = -1.f, rescale_grad_ = 1.f;

 private:
  bool compile_ = true;
  std::shared_ptr<const LRScheduler> scheduler_;
  // One per weight shape, found by a linear search: a model has few shapes, and comparing them
  // costs less than making a key (shared_ptr: the subclasses destroy it without seeing
  // CompiledUpdate).
  std::vector<std::pair<Shape, std::shared_ptr<CompiledUpdate>>> compiled_;
};

// The optimizer Gluon names `name` ("sgd", "nag", "adam", "adamw", "rmsprop", "adagrad"), with
// `options`; ValueError naming the known ones otherwise.
std::unique_ptr<Optimizer> create(const std::string& name, const Options& options = {});

}  // namespace kiln::optimizer
