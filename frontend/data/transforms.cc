#include "frontend/data/transforms.h"

#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::gluon::data {

NDArray Transform::batch(const NDArray& items) const {
  std::vector<NDArray> out;
  for (int64_t i = 0; i < items.shape()[0]; ++i) {
    NDArray one = (*this)(nd::slice_axis(items, 0, i, i + 1).reshape(Shape(items.shape().begin() + 1, items.shape().end())));
    Shape row = one.shape();
    row.insert(row.begin(), 1);
    out.push_back(one.reshape(row));
  }
  return nd::concat(out, 0);
}

namespace vision::transforms {

namespace {
// HWC (rank 3) or NHWC (rank 4) to CHW / NCHW, scaled to [0, 1].
NDArray to_tensor(const NDArray& images, size_t rank) {
  if (images.ndim() != rank)
    throw ShapeError(fmt("ToTensor: expects ", rank == 3 ? "an H×W×C image" : "a batch of N×H×W×C images", "; got shape ",
                         shape_str(images.shape())));
  const Shape& s = images.shape();
  NDArray scaled = images * (1.f / 255.f);
  if (s.back() == 1) {  // one channel: moving it is a reshape
    Shape chw(s.begin(), s.end() - 3);
    chw.insert(chw.end(), {1, s[rank - 3], s[rank - 2]});
    return scaled.reshape(chw);
  }
  return rank == 3 ? nd::transpose(scaled, {2, 0, 1}) : nd::transpose(scaled, {0, 3, 1, 2});
}
}  // namespace

NDArray ToTensor::operator()(const NDArray& item) const { return to_tensor(item, 3); }
NDArray ToTensor::batch(const NDArray& items) const { return to_tensor(items, 4); }

Normalize::Normalize(std::vector<float> mean, std::vector<float> std) : mean_(std::move(mean)), std_(std::move(std)) {
  if (mean_.empty() || mean_.size() != std_.size())
    throw ValueError(fmt("Normalize: needs as many means as standard deviations (got ", mean_.size(), " and ", std_.size(), ")"));
  for (float s : std_)
    if (!(s > 0)) throw ValueError(fmt("Normalize: standard deviations must be positive; got ", s));
}

NDArray Normalize::apply(const NDArray& images, int channel_axis) const {
  int64_t channels = images.shape().at(channel_axis);
  if (mean_.size() != 1 && static_cast<int64_t>(mean_.size()) != channels)
    throw ShapeError(fmt("Normalize: ", mean_.size(), " means for images of ", channels, " channels (shape ",
                         shape_str(images.shape()), ")"));
  Shape per_channel(images.ndim() - channel_axis, 1);
  per_channel[0] = static_cast<int64_t>(mean_.size());
  std::vector<float> inverse;
  for (float s : std_) inverse.push_back(1.f / s);
  return (images - nd::array(mean_, per_channel)) * nd::array(inverse, per_channel);
}

NDArray Normalize::operator()(const NDArray& item) const {
  if (item.ndim() != 3) throw ShapeError(fmt("Normalize: expects a C×H×W image; got shape ", shape_str(item.shape())));
  return apply(item, 0);
}
NDArray Normalize::batch(const NDArray& items) const {
  if (items.ndim() != 4) throw ShapeError(fmt("Normalize: expects N×C×H×W images; got shape ", shape_str(items.shape())));
  return apply(items, 1);
}

NDArray Compose::operator()(const NDArray& item) const {
  NDArray x = item;
  for (const auto& t : transforms_) x = (*t)(x);
  return x;
}
NDArray Compose::batch(const NDArray& items) const {
  NDArray x = items;
  for (const auto& t : transforms_) x = t->batch(x);
  return x;
}

}  // namespace vision::transforms
}  // namespace kiln::gluon::data
