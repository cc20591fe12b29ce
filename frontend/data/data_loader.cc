#include "frontend/data/data_loader.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "runtime/error.h"
#include "runtime/random.h"

namespace kiln::gluon::data {

DataLoader::DataLoader(std::shared_ptr<const Dataset> dataset, int64_t batch_size, DataLoaderOptions options)
    : dataset_(std::move(dataset)), options_(options) {
  if (!dataset_) throw ValueError("DataLoader: needs a dataset");
  if (batch_size <= 0) throw ValueError(fmt("DataLoader: batch_size must be positive; got ", batch_size));
  if (dataset_->size() == 0) throw ValueError("DataLoader: the dataset is empty");
  batch_size_ = static_cast<size_t>(batch_size);
  shuffle_seed_ = options_.seed ? *options_.seed : random::next_u64();
  start_epoch();  // epoch 0's order: size() is known before the first begin()
}

void DataLoader::start_epoch() {
  order_ = carried_;
  carried_.clear();
  std::vector<size_t> items(dataset_->size());
  std::iota(items.begin(), items.end(), size_t{0});
  if (options_.shuffle) {
    std::mt19937_64 generator(shuffle_seed_ + epoch_);
    std::shuffle(items.begin(), items.end(), generator);
  }
  ++epoch_;
  order_.insert(order_.end(), items.begin(), items.end());
  size_t rest = order_.size() % batch_size_;
  if (rest && options_.last_batch == LastBatch::Rollover) {
    carried_.assign(order_.end() - static_cast<std::ptrdiff_t>(rest), order_.end());
    order_.resize(order_.size() - rest);
  }
}

size_t DataLoader::batches() const {
  size_t full = order_.size() / batch_size_;
  bool partial = order_.size() % batch_size_ != 0 && options_.last_batch == LastBatch::Keep;
  return full + (partial ? 1 : 0);
}

size_t DataLoader::size() const { return batches(); }

Sample DataLoader::load(size_t batch) const {
  size_t from = batch * batch_size_, to = std::min(order_.size(), from + batch_size_);
  return dataset_->get_batch(std::span<const size_t>(order_.data() + from, to - from));
}

DataLoader::Iterator DataLoader::begin() {
  if (!fresh_) start_epoch();
  fresh_ = false;
  return Iterator(this, 0);
}

DataLoader::Iterator DataLoader::end() { return Iterator(nullptr, batches()); }

DataLoader::Iterator::Iterator(DataLoader* loader, size_t batch) : loader_(loader), batch_(batch) {
  if (!loader_ || batch_ >= loader_->batches()) return;
  current_ = loader_->load(batch_);
  prepare(batch_ + 1);
}

void DataLoader::Iterator::prepare(size_t batch) {
  if (batch >= loader_->batches() || !loader_->options_.prefetch) return;
  const DataLoader* loader = loader_;
  next_ = std::async(std::launch::async, [loader, batch] { return loader->load(batch); });
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++batch_;
  if (batch_ >= loader_->batches()) {
    current_ = {};
    return *this;
  }
  current_ = next_.valid() ? next_.get() : loader_->load(batch_);
  prepare(batch_ + 1);
  return *this;
}

}  // namespace kiln::gluon::data
