#pragma once
// Batches of (B, N) waveforms with labels: seeded shuffling, background prefetch on worker
// threads, optional augmentation.
#include <torch/arg.h>
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "tfgram/data/augment.h"
#include "tfgram/data/dataset.h"

namespace tfgram::data {

struct LoaderOptions {
  /// Throws std::invalid_argument naming the offending option.
  void validate() const;

  /// Examples per batch.
  TORCH_ARG(int64_t, batch_size) = 32;
  /// Reshuffle the examples every epoch.
  TORCH_ARG(bool, shuffle) = true;
  /// Seed of shuffling and augmentation: epoch e's order and every example's augmentation depend
  /// on (seed, e, position) only, never on thread timing.
  TORCH_ARG(uint64_t, seed) = 0;
  /// Drop a last batch smaller than batch_size.
  TORCH_ARG(bool, drop_last) = false;
  /// Background threads building batches; 0 builds them on the caller's thread in next().
  TORCH_ARG(int64_t, workers) = 1;
  /// Batches built ahead of the consumer at most (the bound of the queue).
  TORCH_ARG(int64_t, prefetch) = 4;
  /// Zero-pad every example to the batch's longest; otherwise unequal lengths are an error.
  TORCH_ARG(bool, pad_to_longest) = false;
  /// Augmentation applied to every example (off by default).
  TORCH_ARG(AugmentOptions, augment) = {};
  /// Applied to every epoch's order (after shuffling) before it is cut into batches: a rank's
  /// part of it in distributed training (dist/sampler.h). Must give the same count every epoch.
  TORCH_ARG(std::function<std::vector<int64_t>(const std::vector<int64_t>&)>, reorder) = nullptr;
};

struct Batch {
  torch::Tensor waveforms;        ///< (B, N) float32
  torch::Tensor labels;           ///< (B) int64
  std::vector<int64_t> indices;   ///< dataset index of every row
  int64_t epoch = 0;
  int64_t number = 0;             ///< position of the batch in its epoch
};

/// Iterates a dataset (or some of its examples) in batches. Batches arrive in order; workers
/// build up to `prefetch` of them ahead. An exception thrown while building a batch (a bad file
/// in a lazy dataset, a failing hook) is rethrown by next() at that batch. The destructor stops
/// and joins the workers. One consumer thread at a time.
class Loader {
 public:
  Loader(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices,
         LoaderOptions options = {});
  /// Every example of `dataset`.
  explicit Loader(std::shared_ptr<const Dataset> dataset, LoaderOptions options = {});
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  /// Examples per epoch.
  int64_t size() const;
  int64_t batches_per_epoch() const;
  const LoaderOptions& options() const;
  const Dataset& dataset() const;

  /// Starts epoch `epoch`, abandoning any batches of the previous one.
  void start_epoch(int64_t epoch);
  /// The next batch of the current epoch (epoch 0 when none was started), or nullopt at its end.
  std::optional<Batch> next();
  /// The dataset indices of epoch `epoch` in the order they will be served.
  std::vector<int64_t> epoch_order(int64_t epoch) const;

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = Batch*;
    using reference = Batch&;
    Iterator() = default;
    explicit Iterator(Loader* loader) : loader_(loader) { ++*this; }
    Batch& operator*() { return *batch_; }
    Batch* operator->() { return &*batch_; }
    Iterator& operator++() {
      batch_ = loader_->next();
      if (!batch_) loader_ = nullptr;
      return *this;
    }
    bool operator==(const Iterator& other) const { return loader_ == other.loader_; }
    bool operator!=(const Iterator& other) const { return loader_ != other.loader_; }

   private:
    Loader* loader_ = nullptr;
    std::optional<Batch> batch_;
  };
  struct Epoch {
    Loader* loader;
    Iterator begin() { return Iterator(loader); }
    Iterator end() { return Iterator(); }
  };
  /// Starts epoch `epoch` and ranges over it: `for (Batch& batch : loader.epoch(e))`.
  Epoch epoch(int64_t epoch) {
    start_epoch(epoch);
    return Epoch{this};
  }

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tfgram::data
