#include "tfgram/data/loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "tfgram/data/random.h"
#include "tfgram/util/check.h"

namespace tfgram::data {

void LoaderOptions::validate() const {
  constexpr const char* where = "LoaderOptions";
  util::require(batch_size() >= 1, where, "batch_size must be >= 1, got ", batch_size());
  util::require(workers() >= 0, where, "workers must be >= 0 (0 = build batches in next()), got ", workers());
  util::require(prefetch() >= 1, where, "prefetch must be >= 1, got ", prefetch());
  augment().validate();
}

struct Loader::State {
  std::shared_ptr<const Dataset> dataset;
  std::vector<int64_t> indices;
  LoaderOptions options;
  int64_t batches = 0;

  // Everything below is guarded by `mutex`.
  std::mutex mutex;
  std::condition_variable work_ready;   // a batch may be claimed, or stopping
  std::condition_variable batch_ready;  // a batch was delivered to `ready`
  bool stopping = false;
  bool started = false;
  uint64_t generation = 0;  // bumped by start_epoch: late batches of an old epoch are dropped
  int64_t epoch = 0;
  std::vector<int64_t> order;
  int64_t next_claim = 0;
  int64_t next_deliver = 0;
  struct Slot {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };
  std::map<int64_t, Slot> ready;
  std::vector<std::thread> workers;

  std::vector<int64_t> order_of(int64_t e) const {
    std::vector<int64_t> out = indices;
    if (options.shuffle()) {
      Rng rng(derive_seed(options.seed(), 2 * static_cast<uint64_t>(e)));
      shuffle(out, rng);
    }
    return options.reorder() ? options.reorder()(out) : out;
  }

  std::vector<int64_t> batch_ids(int64_t k) const {
    const int64_t begin = k * options.batch_size();
    const int64_t end = std::min<int64_t>(begin + options.batch_size(), static_cast<int64_t>(order.size()));
    return std::vector<int64_t>(order.begin() + begin, order.begin() + end);
  }

  Batch build(int64_t e, int64_t k, const std::vector<int64_t>& ids) const {
    const auto count = static_cast<int64_t>(ids.size());
    std::vector<torch::Tensor> rows(ids.size());
    int64_t longest = 0;
    bool ragged = false;
    for (size_t b = 0; b < ids.size(); ++b) {
      rows[b] = dataset->waveform(ids[b]).to(torch::kFloat32).contiguous();
      util::require(rows[b].dim() == 1, "Loader", dataset->name(), " example ", ids[b],
                    " is not a 1-D waveform: ", rows[b].sizes());
      if (b > 0 && rows[b].numel() != rows[0].numel() && !options.pad_to_longest()) {
        throw std::invalid_argument(util::concat(
            "Loader: ", dataset->name(), " example ", ids[b], " has ", rows[b].numel(), " samples but example ",
            ids[0], " has ", rows[0].numel(), "; give the dataset a length and length_policy, or set "
            "LoaderOptions::pad_to_longest"));
      }
      ragged = ragged || (b > 0 && rows[b].numel() != rows[0].numel());
      longest = std::max(longest, rows[b].numel());
    }
    Batch batch;
    batch.epoch = e;
    batch.number = k;
    batch.indices = ids;
    // Every row is copied over in full unless the batch is padded.
    batch.waveforms = ragged ? torch::zeros({count, longest}, torch::kFloat32)
                             : torch::empty({count, longest}, torch::kFloat32);
    batch.labels = torch::empty({count}, torch::kInt64);
    float* out = batch.waveforms.data_ptr<float>();
    int64_t* labels = batch.labels.data_ptr<int64_t>();
    for (int64_t b = 0; b < count; ++b) {
      std::memcpy(out + b * longest, rows[static_cast<size_t>(b)].data_ptr<float>(),
                  sizeof(float) * rows[static_cast<size_t>(b)].numel());
      labels[b] = dataset->label(ids[static_cast<size_t>(b)]);
    }
    if (options.augment().enabled()) {
      // One generator per (seed, epoch, position): independent of which thread builds what.
      const uint64_t epoch_seed = derive_seed(options.seed(), 2 * static_cast<uint64_t>(e) + 1);
      for (int64_t b = 0; b < count; ++b) {
        Rng rng(derive_seed(epoch_seed, static_cast<uint64_t>(k * options.batch_size() + b)));
        augment(batch.waveforms[b], options.augment(), rng);
      }
    }
    return batch;
  }

  void work() {
    std::unique_lock<std::mutex> lock(mutex);
    for (;;) {
      work_ready.wait(lock, [&] {
        return stopping || (started && next_claim < batches && next_claim - next_deliver < options.prefetch());
      });
      if (stopping) return;
      const int64_t k = next_claim++;
      const uint64_t claimed_generation = generation;
      const int64_t e = epoch;
      const std::vector<int64_t> ids = batch_ids(k);
      lock.unlock();
      Slot slot;
      try {
        slot.batch = build(e, k, ids);
      } catch (...) {
        slot.error = std::current_exception();
      }
      lock.lock();
      if (claimed_generation == generation) {
        ready[k] = std::move(slot);
        batch_ready.notify_all();
      }
    }
  }
};

Loader::Loader(std::shared_ptr<const Dataset> dataset, std::vector<int64_t> indices, LoaderOptions options)
    : state_(std::make_unique<State>()) {
  util::require(dataset != nullptr, "Loader", "dataset is null");
  options.validate();
  for (const int64_t i : indices) {
    util::require(i >= 0 && i < dataset->size(), "Loader", "index ", i, " outside ", dataset->name(),
                  "'s [0, ", dataset->size(), ")");
  }
  auto& s = *state_;
  s.dataset = std::move(dataset);
  s.indices = std::move(indices);
  s.options = std::move(options);
  const auto n = static_cast<int64_t>(s.options.reorder() ? s.options.reorder()(s.indices).size() : s.indices.size());
  const int64_t b = s.options.batch_size();
  s.batches = s.options.drop_last() ? n / b : (n + b - 1) / b;
  for (int64_t w = 0; w < s.options.workers(); ++w) s.workers.emplace_back([&s] { s.work(); });
}

Loader::Loader(std::shared_ptr<const Dataset> dataset, LoaderOptions options)
    : Loader(dataset,
             [&] {
               util::require(dataset != nullptr, "Loader", "dataset is null");
               std::vector<int64_t> all(static_cast<size_t>(dataset->size()));
               for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
               return all;
             }(),
             std::move(options)) {}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->stopping = true;
  }
  state_->work_ready.notify_all();
  for (auto& worker : state_->workers) worker.join();
}

int64_t Loader::size() const { return static_cast<int64_t>(state_->indices.size()); }
int64_t Loader::batches_per_epoch() const { return state_->batches; }
const LoaderOptions& Loader::options() const { return state_->options; }
const Dataset& Loader::dataset() const { return *state_->dataset; }

std::vector<int64_t> Loader::epoch_order(int64_t epoch) const {
  std::vector<int64_t> order = state_->order_of(epoch);
  order.resize(static_cast<size_t>(std::min<int64_t>(state_->batches * state_->options.batch_size(),
                                                     static_cast<int64_t>(order.size()))));
  return order;
}

void Loader::start_epoch(int64_t epoch) {
  auto& s = *state_;
  std::vector<int64_t> order = s.order_of(epoch);
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    ++s.generation;
    s.epoch = epoch;
    s.order = std::move(order);
    s.next_claim = 0;
    s.next_deliver = 0;
    s.ready.clear();
    s.started = true;
  }
  s.work_ready.notify_all();
}

std::optional<Batch> Loader::next() {
  auto& s = *state_;
  bool started = false;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    started = s.started;
  }
  if (!started) start_epoch(0);

  if (s.workers.empty()) {
    int64_t k = 0;
    int64_t e = 0;
    std::vector<int64_t> ids;
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      if (s.next_deliver >= s.batches) return std::nullopt;
      k = s.next_deliver++;
      e = s.epoch;
      ids = s.batch_ids(k);
    }
    return s.build(e, k, ids);
  }

  State::Slot slot;
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    if (s.next_deliver >= s.batches) return std::nullopt;
    s.batch_ready.wait(lock, [&] { return s.ready.count(s.next_deliver) != 0; });
    auto found = s.ready.find(s.next_deliver);
    slot = std::move(found->second);
    s.ready.erase(found);
    ++s.next_deliver;
  }
  s.work_ready.notify_all();
  if (slot.error) std::rethrow_exception(slot.error);
  return std::move(slot.batch);
}

}  // namespace tfgram::data
