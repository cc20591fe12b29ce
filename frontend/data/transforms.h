// gluon::data::vision::transforms: functions applied to each item's data (ToTensor, Normalize),
// which also apply to a whole batch at once — a DataLoader then transforms each batch in one
// pass instead of item by item.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "frontend/ndarray.h"

namespace kiln::gluon::data {

class Transform {
 public:
  virtual ~Transform() = default;
  // One item's data.
  virtual NDArray operator()(const NDArray& item) const = 0;
  // A batch (items stacked along axis 0). The default transforms each item.
  virtual NDArray batch(const NDArray& items) const;
};

namespace vision::transforms {

// uint8-valued HWC images (as floats 0..255, shape H×W×C, or N×H×W×C) to float CHW in [0, 1].
class ToTensor : public Transform {
 public:
  NDArray operator()(const NDArray& item) const override;
  NDArray batch(const NDArray& items) const override;
};

// (x − mean[c]) / std[c] per channel c of CHW images (one value each: every channel).
class Normalize : public Transform {
 public:
  Normalize(std::vector<float> mean, std::vector<float> std);
  NDArray operator()(const NDArray& item) const override;
  NDArray batch(const NDArray& items) const override;

 private:
  NDArray apply(const NDArray& images, int channel_axis) const;
  std::vector<float> mean_, std_;
};

// Transforms applied in order.
class Compose : public Transform {
 public:
  explicit Compose(std::vector<std::shared_ptr<const Transform>> transforms) : transforms_(std::move(transforms)) {}
  NDArray operator()(const NDArray& item) const override;
  NDArray batch(const NDArray& items) const override;

 private:
  std::vector<std::shared_ptr<const Transform>> transforms_;
};

// Any function of one item's data.
class Lambda : public Transform {
 public:
  explicit Lambda(std::function<NDArray(const NDArray&)> fn) : fn_(std::move(fn)) {}
  NDArray operator()(const NDArray& item) const override { return fn_(item); }

 private:
  std::function<NDArray(const NDArray&)> fn_;
};

}  // namespace vision::transforms
}  // namespace kiln::gluon::data
