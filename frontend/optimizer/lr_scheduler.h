// Learning-rate schedules (mxnet.lr_scheduler): the learning rate as a function of the update
// count, with an optional warm-up. An optimizer with a schedule takes its rate from it at each
// step (Optimizer::set_lr_scheduler); the rate is an argument of the compiled update, so a new
// rate never recompiles.
#pragma once

#include <cstdint>
#include <vector>

namespace kiln::optimizer {

struct WarmUp {
  int64_t steps = 0;       // updates 1..steps warm up
  float begin_lr = 0.f;    // from this rate
  bool linear = true;      // rising linearly to the schedule's base rate; false: held at begin_lr
};

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  // The rate of update `num_update` (counted from 1).
  float operator()(int64_t num_update) const;
  float base_lr() const { return base_lr_; }

 protected:
  LRScheduler(float base_lr, WarmUp warm_up);
  // The rate after the warm-up.
  virtual float scheduled(int64_t num_update) const = 0;
  float base_lr_;
  WarmUp warm_up_;
};

// base_lr · factor^k after k·step updates (MXNet: the rate drops at updates step+1, 2·step+1, ...),
// never below stop_factor_lr.
class FactorScheduler : public LRScheduler {
 public:
  FactorScheduler(int64_t step, float factor, float base_lr, float stop_factor_lr = 1e-8f, WarmUp warm_up = {});

 private:
  float scheduled(int64_t num_update) const override;
  int64_t step_;
  float factor_, stop_factor_lr_;
};

// base_lr · factor^k once the update count has passed k of the increasing `steps`.
class MultiFactorScheduler : public LRScheduler {
 public:
  MultiFactorScheduler(std::vector<int64_t> steps, float factor, float base_lr, WarmUp warm_up = {});

 private:
  float scheduled(int64_t num_update) const override;
  std::vector<int64_t> steps_;
  float factor_;
};

// Half a cosine from base_lr (after the warm-up) to final_lr at max_update, final_lr after.
class CosineScheduler : public LRScheduler {
 public:
  CosineScheduler(int64_t max_update, float base_lr, float final_lr = 0.f, WarmUp warm_up = {});

 private:
  float scheduled(int64_t num_update) const override;
  int64_t max_update_;
  float final_lr_;
};

}  // namespace kiln::optimizer
