// gluon::data::DataLoader: a dataset's items in batches, optionally shuffled each epoch, the next
// batch prepared on a background thread while the current one trains.
//
//   data::DataLoader train_iter(train_set, 256, {.shuffle = true});
//   for (auto [X, y] : train_iter) { ... }     // one epoch
#pragma once

#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <vector>

#include "frontend/data/dataset.h"

namespace kiln::gluon::data {

// What happens to the items left over when the size is not a multiple of the batch size.
enum class LastBatch {
  Keep,      // a last, smaller batch
  Discard,   // dropped
  Rollover,  // carried into the next epoch's first batch
};

struct DataLoaderOptions {
  bool shuffle = false;
  LastBatch last_batch = LastBatch::Keep;
  // The shuffle's seed; by default drawn from kiln's generator (nd::random::seed), so a seeded
  // program shuffles the same way each run.
  std::optional<uint64_t> seed{};
  bool prefetch = true;  // prepare the next batch on a background thread
};

class DataLoader {
 public:
  DataLoader(std::shared_ptr<const Dataset> dataset, int64_t batch_size, DataLoaderOptions options = {});
  // Batches in this epoch (with rollover: the first epoch's).
  size_t size() const;

  class Iterator {
   public:
    using value_type = Sample;
    const Sample& operator*() const { return current_; }
    Iterator& operator++();
    bool operator==(const Iterator& o) const { return batch_ == o.batch_; }

   private:
    friend class DataLoader;
    Iterator(DataLoader* loader, size_t batch);
    void prepare(size_t batch);  // starts loading `batch` in the background
    DataLoader* loader_;
    size_t batch_;
    Sample current_;
    std::future<Sample> next_;
  };
  // Starts an epoch: a new order if shuffling. One epoch at a time.
  Iterator begin();
  Iterator end();

 private:
  void start_epoch();
  Sample load(size_t batch) const;
  size_t batches() const;

  std::shared_ptr<const Dataset> dataset_;
  size_t batch_size_;
  DataLoaderOptions options_;
  uint64_t shuffle_seed_;
  uint64_t epoch_ = 0;            // epochs started
  bool fresh_ = true;             // epoch 0's order is made but no begin() has used it
  std::vector<size_t> order_;     // this epoch's items, in order
  std::vector<size_t> carried_;   // rollover: left from the last epoch
};

}  // namespace kiln::gluon::data
