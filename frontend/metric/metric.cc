#include "frontend/metric/metric.h"

#include <cmath>
#include <limits>

#include "runtime/error.h"

namespace kiln::metric {

std::pair<std::string, double> EvalMetric::get() const {
  return {name_, count_ ? sum_ / static_cast<double>(count_) : std::numeric_limits<double>::quiet_NaN()};
}

namespace {
// Labels of `predictions`' batch, as whole numbers in [0, classes) (classes 0: any).
std::vector<float> checked_labels(const char* metric, const NDArray& labels, int64_t batch, int64_t classes) {
  if (labels.size() != batch)
    throw ShapeError(fmt(metric, ": ", labels.size(), " labels (shape ", shape_str(labels.shape()), ") for ", batch,
                         " predictions"));
  std::vector<float> values = labels.to_vector();
  for (float v : values)
    if (!(v >= 0 && v == std::floor(v) && (classes == 0 || v < static_cast<float>(classes))))
      throw ValueError(fmt(metric, ": label ", v, " is not a class index", classes ? fmt(" in [0, ", classes, ")") : ""));
  return values;
}
}  // namespace

void Accuracy::update(const NDArray& labels, const NDArray& predictions) {
  if (predictions.ndim() != 1 && predictions.ndim() != 2)
    throw ShapeError(fmt("accuracy: predictions must be batch×classes scores or batch class indices; got shape ",
                         shape_str(predictions.shape())));
  int64_t batch = predictions.shape()[0];
  int64_t classes = predictions.ndim() == 2 ? predictions.shape()[1] : 0;
  std::vector<float> truth = checked_labels("accuracy", labels, batch, classes);
  const float* p = predictions.data();
  int64_t correct = 0;
  for (int64_t i = 0; i < batch; ++i) {
    int64_t predicted = 0;
    if (classes) {
      for (int64_t c = 1; c < classes; ++c)
        if (p[i * classes + c] > p[i * classes + predicted]) predicted = c;
    } else {
      predicted = static_cast<int64_t>(p[i]);
    }
    correct += predicted == static_cast<int64_t>(truth[i]);
  }
  add(static_cast<double>(correct), batch);
}

TopKAccuracy::TopKAccuracy(int64_t k) : EvalMetric(fmt("top_k_accuracy_", k)), k_(k) {
  if (k <= 0) throw ValueError(fmt("top_k_accuracy: k must be positive; got ", k));
}

void TopKAccuracy::update(const NDArray& labels, const NDArray& predictions) {
  if (predictions.ndim() != 2)
    throw ShapeError(fmt(name_, ": predictions must be batch×classes scores; got shape ", shape_str(predictions.shape())));
  int64_t batch = predictions.shape()[0], classes = predictions.shape()[1];
  std::vector<float> truth = checked_labels(name_.c_str(), labels, batch, classes);
  const float* p = predictions.data();
  int64_t correct = 0;
  for (int64_t i = 0; i < batch; ++i) {
    // The label is among the top k when fewer than k scores beat it (ties go to the label).
    float score = p[i * classes + static_cast<int64_t>(truth[i])];
    int64_t above = 0;
    for (int64_t c = 0; c < classes; ++c) above += p[i * classes + c] > score;
    correct += above < k_;
  }
  add(static_cast<double>(correct), batch);
}

void Loss::update(const NDArray& losses) {
  double sum = 0;
  for (float v : losses.to_vector()) sum += v;
  add(sum, losses.size());
}

}  // namespace kiln::metric
