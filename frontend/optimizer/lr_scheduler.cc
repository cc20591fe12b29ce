#include "frontend/optimizer/lr_scheduler.h"

#include <cmath>
#include <numbers>

#include "runtime/error.h"

namespace kiln::optimizer {

LRScheduler::LRScheduler(float base_lr, WarmUp warm_up) : base_lr_(base_lr), warm_up_(warm_up) {
  if (!std::isfinite(base_lr) || base_lr < 0) throw ValueError(fmt("lr_scheduler: base_lr must be finite and not negative; got ", base_lr));
  if (warm_up.steps < 0) throw ValueError(fmt("lr_scheduler: warm-up steps must not be negative; got ", warm_up.steps));
  if (!std::isfinite(warm_up.begin_lr) || warm_up.begin_lr < 0)
    throw ValueError(fmt("lr_scheduler: the warm-up's begin_lr must be finite and not negative; got ", warm_up.begin_lr));
}

float LRScheduler::operator()(int64_t num_update) const {
  if (num_update < warm_up_.steps) {
    if (!warm_up_.linear) return warm_up_.begin_lr;
    return warm_up_.begin_lr + (base_lr_ - warm_up_.begin_lr) * static_cast<float>(num_update) / static_cast<float>(warm_up_.steps);
  }
  return scheduled(num_update);
}

FactorScheduler::FactorScheduler(int64_t step, float factor, float base_lr, float stop_factor_lr, WarmUp warm_up)
    : LRScheduler(base_lr, warm_up), step_(step), factor_(factor), stop_factor_lr_(stop_factor_lr) {
  if (step < 1) throw ValueError(fmt("FactorScheduler: step must be at least 1; got ", step));
  if (!(factor > 0 && factor <= 1)) throw ValueError(fmt("FactorScheduler: factor must be in (0, 1]; got ", factor));
}

float FactorScheduler::scheduled(int64_t num_update) const {
  int64_t drops = num_update > 0 ? (num_update - 1) / step_ : 0;
  return std::max(base_lr_ * std::pow(factor_, static_cast<float>(drops)), stop_factor_lr_);
}

MultiFactorScheduler::MultiFactorScheduler(std::vector<int64_t> steps, float factor, float base_lr, WarmUp warm_up)
    : LRScheduler(base_lr, warm_up), steps_(std::move(steps)), factor_(factor) {
  for (size_t i = 0; i < steps_.size(); ++i)
    if (steps_[i] < 1 || (i > 0 && steps_[i] <= steps_[i - 1]))
      throw ValueError(fmt("MultiFactorScheduler: steps must be increasing and at least 1; got ", steps_[i], " at ", i));
  if (!(factor > 0 && factor <= 1)) throw ValueError(fmt("MultiFactorScheduler: factor must be in (0, 1]; got ", factor));
}

float MultiFactorScheduler::scheduled(int64_t num_update) const {
  float lr = base_lr_;
  for (int64_t s : steps_)
    if (num_update > s) lr *= factor_;
  return lr;
}

CosineScheduler::CosineScheduler(int64_t max_update, float base_lr, float final_lr, WarmUp warm_up)
    : LRScheduler(base_lr, warm_up), max_update_(max_update), final_lr_(final_lr) {
  if (max_update <= warm_up.steps)
    throw ValueError(fmt("CosineScheduler: max_update (", max_update, ") must exceed the warm-up steps (", warm_up.steps, ")"));
}

float CosineScheduler::scheduled(int64_t num_update) const {
  if (num_update > max_update_) return final_lr_;
  double progress = static_cast<double>(num_update - warm_up_.steps) / static_cast<double>(max_update_ - warm_up_.steps);
  return final_lr_ + (base_lr_ - final_lr_) * static_cast<float>((1 + std::cos(std::numbers::pi * progress)) / 2);
}

}  // namespace kiln::optimizer
