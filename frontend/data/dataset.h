// gluon::data datasets: items of (data, label), read one by one or a batch at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "frontend/data/transforms.h"
#include "frontend/ndarray.h"

namespace kiln::gluon::data {

// One item, or a batch of them stacked along a new axis 0 (`for (auto [X, y] : loader)`).
struct Sample {
  NDArray data;
  NDArray label;
};

class Dataset : public std::enable_shared_from_this<Dataset> {
 public:
  virtual ~Dataset() = default;
  virtual size_t size() const = 0;
  // Item `i` (ValueError if out of range).
  virtual Sample get(size_t i) const = 0;
  // The items at `indices`, stacked. The default gets each item and copies it in; a dataset
  // that holds its items in one block overrides it with one copy per item.
  virtual Sample get_batch(std::span<const size_t> indices) const;
  // Gluon's transform_first: the same items with `transform` applied to their data (to whole
  // batches at once where the transform can).
  std::shared_ptr<Dataset> transform_first(std::shared_ptr<const Transform> transform) const;

 protected:
  void check_index(size_t i) const;  // ValueError naming i and the size
};

// Items are rows of `data` and `label` (which must agree in length).
class ArrayDataset : public Dataset {
 public:
  ArrayDataset(NDArray data, NDArray label);
  size_t size() const override { return static_cast<size_t>(data_.shape()[0]); }
  Sample get(size_t i) const override;
  Sample get_batch(std::span<const size_t> indices) const override;

 private:
  NDArray data_, label_;
};

// Rows `indices` of `table` (axis 0) stacked into a new array: one copy per row.
NDArray gather_rows(const NDArray& table, std::span<const size_t> indices);

}  // namespace kiln::gluon::data
