#include "frontend/data/dataset.h"

#include <cstring>

#include "frontend/nd.h"
#include "runtime/error.h"

namespace kiln::gluon::data {

NDArray gather_rows(const NDArray& table, std::span<const size_t> indices) {
  Shape shape = table.shape();
  int64_t rows = shape[0];
  shape[0] = static_cast<int64_t>(indices.size());
  Array out(shape);
  size_t row_floats = static_cast<size_t>(rows ? table.size() / rows : 0);
  const float* src = table.data();
  float* dst = out.data();
  for (size_t k = 0; k < indices.size(); ++k) {
    if (indices[k] >= static_cast<size_t>(rows))
      throw ValueError(fmt("dataset: index ", indices[k], " is out of range for ", rows, " items"));
    std::memcpy(dst + k * row_floats, src + indices[k] * row_floats, row_floats * sizeof(float));
  }
  return out;
}

void Dataset::check_index(size_t i) const {
  if (i >= size()) throw ValueError(fmt("dataset: index ", i, " is out of range for ", size(), " items"));
}

Sample Dataset::get_batch(std::span<const size_t> indices) const {
  if (indices.empty()) throw ValueError("dataset: a batch needs at least one index");
  std::vector<NDArray> data, labels;
  for (size_t i : indices) {
    Sample s = get(i);
    auto with_batch_axis = [](const NDArray& x) {
      Shape s = x.shape();
      s.insert(s.begin(), 1);
      return x.reshape(s);
    };
    data.push_back(with_batch_axis(s.data));
    labels.push_back(with_batch_axis(s.label));
  }
  return {nd::concat(data, 0), nd::concat(labels, 0)};
}

namespace {
class TransformedDataset : public Dataset {
 public:
  TransformedDataset(std::shared_ptr<const Dataset> base, std::shared_ptr<const Transform> transform)
      : base_(std::move(base)), transform_(std::move(transform)) {}
  size_t size() const override { return base_->size(); }
  Sample get(size_t i) const override {
    Sample s = base_->get(i);
    return {(*transform_)(s.data), s.label};
  }
  Sample get_batch(std::span<const size_t> indices) const override {
    Sample s = base_->get_batch(indices);
    return {transform_->batch(s.data), s.label};
  }

 private:
  std::shared_ptr<const Dataset> base_;
  std::shared_ptr<const Transform> transform_;
};
}  // namespace

std::shared_ptr<Dataset> Dataset::transform_first(std::shared_ptr<const Transform> transform) const {
  if (!transform) throw ValueError("transform_first: needs a transform");
  std::shared_ptr<const Dataset> self;
  try {
    self = shared_from_this();
  } catch (const std::bad_weak_ptr&) {
    throw ValueError("transform_first: the dataset must be held by a std::shared_ptr (make it with std::make_shared)");
  }
  return std::make_shared<TransformedDataset>(std::move(self), std::move(transform));
}

ArrayDataset::ArrayDataset(NDArray data, NDArray label) : data_(std::move(data)), label_(std::move(label)) {
  if (data_.ndim() == 0 || label_.ndim() == 0 || data_.shape()[0] != label_.shape()[0])
    throw ShapeError(fmt("ArrayDataset: data of shape ", shape_str(data_.shape()), " and labels of shape ",
                         shape_str(label_.shape()), " must have the same length along axis 0"));
}

Sample ArrayDataset::get(size_t i) const {
  check_index(i);
  NDArray d = gather_rows(data_, std::span<const size_t>(&i, 1)), l = gather_rows(label_, std::span<const size_t>(&i, 1));
  return {d.reshape(Shape(d.shape().begin() + 1, d.shape().end())), l.reshape(Shape(l.shape().begin() + 1, l.shape().end()))};
}

Sample ArrayDataset::get_batch(std::span<const size_t> indices) const {
  if (indices.empty()) throw ValueError("dataset: a batch needs at least one index");
  return {gather_rows(data_, indices), gather_rows(label_, indices)};
}

}  // namespace kiln::gluon::data
