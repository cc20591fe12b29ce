#include "frontend/optimizer/trainer.h"

#include <algorithm>

#include "frontend/autograd/autograd.h"
#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::gluon {

Trainer::Trainer(const ParameterDict& params, const std::string& optimizer, const optimizer::Options& options)
    : Trainer(params, optimizer::create(optimizer, options)) {}

Trainer::Trainer(const ParameterDict& params, std::unique_ptr<optimizer::Optimizer> optimizer)
    : optimizer_(std::move(optimizer)) {
  if (!optimizer_) throw ValueError("Trainer: needs an optimizer");
  scale_ = optimizer_->rescale_grad();
  for (const auto& [name, p] : params)
    if (p->grad_req() != GradReq::Null && !p->is_constant()) slots_.push_back({p, {}, 0, 0});
}

void Trainer::step(int64_t batch_size, bool ignore_stale_grad) {
  allreduce_grads();
  update(batch_size, ignore_stale_grad);
}

void Trainer::update(int64_t batch_size, bool ignore_stale_grad) {
  if (batch_size <= 0) throw ValueError(fmt("Trainer.step: batch_size must be positive; got ", batch_size));
  // Every check before any update: a stale gradient leaves every parameter as it was.
  std::vector<bool> fresh(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) {
    const Parameter& p = *slots_[i].parameter;
    if (!p.is_initialized())
      throw InitError(fmt("Trainer.step: Parameter '", p.name(), "' has not been initialized (call initialize() and run a "
                          "forward pass first)"));
    fresh[i] = autograd::gradient_writes(p.data()) != slots_[i].gradient_writes;
    if (!fresh[i] && !ignore_stale_grad)
      throw ValueError(fmt("Trainer.step: the gradient of Parameter '", p.name(), "' has not been updated by backward "
                           "since the last step; if the model uses only some of its parameters on purpose, call "
                           "step(batch_size, /*ignore_stale_grad=*/true) to skip the stale ones"));
  }
  optimizer_->set_rescale_grad(scale_ / static_cast<float>(batch_size));
  int64_t num_update = 0;  // MXNet's: the largest update count once this step's are counted
  for (size_t i = 0; i < slots_.size(); ++i) num_update = std::max(num_update, slots_[i].updates + (fresh[i] ? 1 : 0));
  optimizer_->begin_step(num_update);
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (!fresh[i]) continue;
    Slot& slot = slots_[i];
    NDArray weight = slot.parameter->data();
    if (slot.states.empty())
      for (size_t k = 0; k < optimizer_->num_states(); ++k) slot.states.push_back(nd::zeros(weight.shape()));
    optimizer_->update(weight, slot.parameter->grad(), slot.states, ++slot.updates);
    slot.gradient_writes = autograd::gradient_writes(weight);
  }
}

}  // namespace kiln::gluon
