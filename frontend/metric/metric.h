// kiln::metric: Gluon's evaluation metrics (mxnet.metric), accumulated on the host.
//
//   metric::Accuracy acc;
//   acc.update(y, net(X));          // labels, predictions
//   auto [name, value] = acc.get();
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "frontend/ndarray.h"

namespace kiln::metric {

class EvalMetric {
 public:
  explicit EvalMetric(std::string name) : name_(std::move(name)) {}
  virtual ~EvalMetric() = default;
  void reset() { sum_ = 0, count_ = 0; }
  // (name, running value); the value is NaN before any update.
  std::pair<std::string, double> get() const;

 protected:
  void add(double sum, int64_t count) { sum_ += sum, count_ += count; }
  std::string name_;

 private:
  double sum_ = 0;
  int64_t count_ = 0;
};

// The fraction of predictions that name the label: `predictions` are scores (batch×classes,
// the largest wins, the first on ties) or class indices (batch); `labels` class indices (batch).
class Accuracy : public EvalMetric {
 public:
  Accuracy() : EvalMetric("accuracy") {}
  void update(const NDArray& labels, const NDArray& predictions);
};

// The fraction of labels among the `k` largest scores of each row.
class TopKAccuracy : public EvalMetric {
 public:
  explicit TopKAccuracy(int64_t k);
  void update(const NDArray& labels, const NDArray& predictions);

 private:
  int64_t k_;
};

// The running mean of loss values (each element one sample's loss).
class Loss : public EvalMetric {
 public:
  Loss() : EvalMetric("loss") {}
  void update(const NDArray& losses);
};

}  // namespace kiln::metric
