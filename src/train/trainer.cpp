#include "tfgram/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <sstream>
#include <filesystem>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <nlohmann/json.hpp>

#include "tfgram/data/loader.h"
#include "tfgram/dist/gradient_averager.h"
#include "tfgram/dist/group.h"
#include "tfgram/dist/sampler.h"
#include "tfgram/models/classifier.h"
#include "tfgram/train/checkpoint.h"
#include "tfgram/train/data_setup.h"
#include "tfgram/train/progress.h"
#include "json_optional.h"
#include "tfgram/util/atomic_file.h"
#include "tfgram/util/check.h"
#include "tfgram/util/interrupt.h"
#include "tfgram/train/result_file.h"

namespace tfgram::train {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {


// Epoch e's dropout draws depend on (seed, e) only, so a resumed run repeats them exactly.
uint64_t epoch_seed(uint64_t seed, int64_t epoch) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(epoch + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// The front end's learned values as they are now ("lambd 5.3 samples, …"), for error messages.
std::string frontend_state(const models::ClassifierImpl& model) {
  const auto text = LearnedValues{model.learned_values()}.summary();
  return text.empty() ? "no front-end parameters" : text;
}

// The first parameter whose gradient (or value) holds NaN/Inf, or "".
std::string first_nonfinite(const models::ClassifierImpl& model, bool gradients) {
  std::vector<torch::Tensor> flags;
  const auto named = model.named_parameters();
  for (const auto& item : named) {
    const auto& t = gradients ? item.value().grad() : item.value();
    flags.push_back(t.defined() ? torch::isfinite(t).all() : torch::ones({}, torch::kBool));
  }
  if (flags.empty() || torch::stack(flags).all().item<bool>()) return "";
  for (size_t i = 0; i < flags.size(); ++i) {
    if (!flags[i].item<bool>()) return named[i].key();
  }
  return "";
}

using FrontendGroups = std::vector<std::pair<models::ParameterGroup, std::vector<torch::Tensor>>>;

// Each front-end group's rate, 0 for a group that does not train (frozen front end or rate 0);
// its parameters stop requiring gradients.
std::map<std::string, double> frontend_rates(const RunConfig& config, const FrontendGroups& groups) {
  std::map<std::string, double> rates;
  const bool trainable = config.model.frontend_trainable();
  for (const auto& [group, parameters] : groups) {
    const double rate = trainable ? config.train.rate_of(group) : 0.0;
    for (auto p : parameters) p.set_requires_grad(rate > 0);
    rates[group.name] = rate;
  }
  return rates;
}

// One optimiser group for the backbone at lr_model and one per training front-end group at its rate.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const RunConfig& config, models::ClassifierImpl& model,
                                                        const FrontendGroups& frontend,
                                                        const std::map<std::string, double>& rates) {
  const auto& t = config.train;
  const auto options = [&](double lr) -> std::unique_ptr<torch::optim::OptimizerOptions> {
    if (t.optimizer == "sgd") return std::make_unique<torch::optim::SGDOptions>(torch::optim::SGDOptions(lr).momentum(t.momentum));
    return std::make_unique<torch::optim::AdamOptions>(lr);
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(model.model_parameters(), options(t.lr_model));
  for (const auto& [group, parameters] : frontend) {
    const double rate = rates.at(group.name);
    if (rate > 0) groups.emplace_back(parameters, options(rate));
  }
  if (t.optimizer == "sgd") return std::make_unique<torch::optim::SGD>(groups, torch::optim::SGDOptions(t.lr_model));
  return std::make_unique<torch::optim::Adam>(groups, torch::optim::AdamOptions(t.lr_model));
}

struct TrainerState {
  double best_valid_loss = std::numeric_limits<double>::infinity();
  double best_valid_accuracy = 0;
  int64_t best_epoch = 0;
  int64_t bad_epochs = 0;
  LearnedValues initial;
  double seconds = 0;
  History history;
  /// Front-end range warnings already given ("<element>: <problem>: <detail>"), each once.
  std::vector<std::string> warnings;
  std::set<std::string> warned;  // "<element>: <problem>" of each, to warn once

  json initial_json() const {
    json out = json::object();
    detail::write_learned(initial, "", out);
    return out;
  }
  std::string to_json() const {
    return json{{"best_valid_loss", best_valid_loss}, {"best_valid_accuracy", best_valid_accuracy},
                {"best_epoch", best_epoch}, {"bad_epochs", bad_epochs},
                {"initial", initial_json()}, {"seconds", seconds},
                {"warnings", warnings}, {"warned", warned},
                {"history", json::parse(history.to_json())}}
        .dump();
  }
  static TrainerState from_json(const std::string& text) {
    const json in = json::parse(text);
    TrainerState s;
    s.best_valid_loss = in.at("best_valid_loss").get<double>();
    s.best_valid_accuracy = in.at("best_valid_accuracy").get<double>();
    s.best_epoch = in.at("best_epoch").get<int64_t>();
    s.bad_epochs = in.at("bad_epochs").get<int64_t>();
    s.initial = detail::read_learned(in.value("initial", json::object()), "");
    s.seconds = in.at("seconds").get<double>();
    s.warnings = in.value("warnings", std::vector<std::string>{});
    s.warned = in.value("warned", std::set<std::string>{});
    s.history = History::from_json(in.at("history").dump());
    return s;
  }
};

// The config a run folder was made with, minus where it lives (a moved folder still resumes).
std::string identity(RunConfig config) {
  config.output.clear();
  return config.to_json();
}

}  // namespace

std::string RunResult::to_json(int indent) const {
  json out{{"epochs", epochs},
              {"best_epoch", best_epoch},
              {"best_valid_loss", best_valid_loss},
              {"best_valid_accuracy", best_valid_accuracy},
              {"test_loss", test_loss},
              {"test_accuracy", test_accuracy},
              {"train_examples", train_examples},
              {"valid_examples", valid_examples},
              {"test_examples", test_examples},
              {"warnings", warnings},
              {"seconds", seconds}};
  detail::write_learned(initial, "initial_", out);
  detail::write_learned(learned, "learned_", out);
  return out.dump(indent);
}

RunResult RunResult::from_json(const std::string& text) {
  const json in = json::parse(text);
  RunResult r;
  r.epochs = in.at("epochs").get<int64_t>();
  r.best_epoch = in.at("best_epoch").get<int64_t>();
  r.best_valid_loss = in.at("best_valid_loss").get<double>();
  r.best_valid_accuracy = in.at("best_valid_accuracy").get<double>();
  r.test_loss = in.at("test_loss").get<double>();
  r.test_accuracy = in.at("test_accuracy").get<double>();
  r.train_examples = in.at("train_examples").get<int64_t>();
  r.valid_examples = in.at("valid_examples").get<int64_t>();
  r.test_examples = in.at("test_examples").get<int64_t>();
  r.initial = detail::read_learned(in, "initial_", {{"initial_lambd", "lambd"}, {"initial_window_ms", "window_ms"}});
  r.learned = detail::read_learned(in, "learned_",
                                   {{"learned_lambd", "lambd"}, {"learned_window_ms", "window_ms"},
                                    {"center_hz", "center_hz"}, {"bandwidth_hz", "bandwidth_hz"}});
  r.warnings = in.value("warnings", std::vector<std::string>{});
  r.seconds = in.at("seconds").get<double>();
  return r;
}

torch::Tensor classification_loss(const models::ClassifierImpl& model, const torch::Tensor& logits,
                                  const torch::Tensor& labels) {
  if (model.output_activation() == models::OutputActivation::kSigmoid) {
    const auto targets = torch::one_hot(labels, logits.size(1)).to(logits.dtype());
    return torch::binary_cross_entropy_with_logits(logits, targets);
  }
  return torch::cross_entropy_loss(logits, labels);
}

namespace {
// Loss and accuracy on `indices`; with a group, every rank evaluates its part of them (each
// example once) and the sums are added up, so every rank gets the metrics of all of `indices`.
Metrics evaluate_on(models::ClassifierImpl& model, std::shared_ptr<const data::Dataset> dataset,
                    const std::vector<int64_t>& indices, int64_t batch_size, const torch::Device& device,
                    dist::Group* group) {
  Metrics metrics;
  if (indices.empty()) return metrics;
  const bool was_training = model.is_training();
  model.eval();
  torch::NoGradGuard no_grad;
  if (group != nullptr) {
    // BatchNorm running statistics are rank 0's (as DDP's broadcast_buffers gives them).
    group->broadcast(model.buffers(), "sending rank 0's buffers");
  }
  const auto mine = group != nullptr ? dist::shard(indices, group->rank(), group->size(), dist::Tail::kUneven) : indices;
  double loss_sum = 0;
  int64_t correct = 0;
  if (!mine.empty()) {
    data::Loader loader(std::move(dataset), mine, data::LoaderOptions().batch_size(batch_size).shuffle(false).workers(1));
    for (auto& batch : loader.epoch(0)) {
      if (group == nullptr) util::throw_if_interrupted();  // a group agrees on stopping after the step
      const auto labels = batch.labels.to(device);
      const auto logits = model.forward(batch.waveforms.to(device));
      const auto n = labels.size(0);
      loss_sum += classification_loss(model, logits, labels).item<double>() * static_cast<double>(n);
      correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
      metrics.examples += n;
    }
  }
  if (group != nullptr) {
    const auto sums = group->sum({loss_sum, static_cast<double>(correct), static_cast<double>(metrics.examples)},
                                 "summing evaluation metrics");
    loss_sum = sums[0];
    correct = static_cast<int64_t>(sums[1]);
    metrics.examples = static_cast<int64_t>(sums[2]);
  }
  metrics.loss = loss_sum / static_cast<double>(metrics.examples);
  metrics.accuracy = static_cast<double>(correct) / static_cast<double>(metrics.examples);
  model.train(was_training);
  return metrics;
}

// Parameters and buffers, the state every rank must share.
std::vector<torch::Tensor> model_state(const models::ClassifierImpl& model) {
  auto state = model.parameters();
  for (auto& b : model.buffers()) state.push_back(b);
  return state;
}

// This rank's part of agreeing on an interruption: (got a signal, which), summed over the ranks.
std::vector<double> signal_vote() {
  const int signal = util::interrupt_signal();
  return {signal != 0 ? 1.0 : 0.0, static_cast<double>(signal)};
}
// Throws Interrupted when the summed votes say any rank got a signal (this rank's own signal, else
// the others').
void obey_signal_vote(double ranks_signalled, double signal_sum) {
  if (ranks_signalled == 0) return;
  const int own = util::interrupt_signal();
  throw util::Interrupted(own != 0 ? own : static_cast<int>(signal_sum / ranks_signalled));
}

// Stops on SIGINT/SIGTERM; a group stops only when the ranks agree (any rank got one), all at the
// same point, so none is left waiting in a collective.
void stop_if_interrupted(dist::Group* group) {
  if (group == nullptr) return util::throw_if_interrupted();
  const auto sums = group->sum(signal_vote(), "agreeing on an interruption");
  obey_signal_vote(sums[0], sums[1]);
}
}  // namespace

Metrics evaluate(models::ClassifierImpl& model, std::shared_ptr<const data::Dataset> dataset,
                 const std::vector<int64_t>& indices, int64_t batch_size, const torch::Device& device) {
  return evaluate_on(model, std::move(dataset), indices, batch_size, device, nullptr);
}

RunResult run_training(RunConfig config, const TrainerOptions& options) {
  config.finalize();
  const fs::path out(config.output);
  // A group decides this together (rank 0's files), in the other overload.
  if (!options.group && fs::exists(out / "result.json")) return read_result_file((out / "result.json").string());
  std::string summary;
  auto dataset = make_dataset(config, &summary);
  util::throw_if_interrupted();
  if (options.log != nullptr && !summary.empty()) *options.log << summary << "\n";
  const auto split = make_run_split(*dataset, config);
  return run_training(std::move(config), std::move(dataset), split, options);
}

RunResult run_training(RunConfig config, std::shared_ptr<const data::Dataset> dataset, const data::Split& split,
                       const TrainerOptions& options) {
  config.finalize();
  const fs::path out(config.output);
  const auto path = [&](const char* name) { return (out / name).string(); };
  dist::Group* group = options.group.get();
  const bool lead = group == nullptr || group->lead();  // writes files and progress
  const int64_t world = group != nullptr ? group->size() : 1;
  if (group != nullptr) {
    const auto stored = group->broadcast_text(
        fs::exists(path("result.json")) && lead ? read_result_file(path("result.json")).to_json() : "",
        "checking for a finished run");
    if (!stored.empty()) return RunResult::from_json(stored);
  } else if (fs::exists(path("result.json"))) {
    return read_result_file(path("result.json"));
  }
  util::require(dataset != nullptr && dataset->size() > 0, "training", "the dataset is empty");
  data::check_split(split, dataset->size(), "training split");
  util::require(!split.train.empty() && !split.valid.empty(), "training",
                "the split needs training and validation examples");
  if (config.model.num_classes == 0) config.model.num_classes = dataset->num_classes();
  util::require(config.model.num_classes == dataset->num_classes(), "config key 'model.num_classes'",
                "the dataset has ", dataset->num_classes(), " classes, the config says ", config.model.num_classes);
  if (config.data.kind != "pulses") {
    util::require(dataset->sample_rate() == config.model.sample_rate, "config key 'model.sample_rate'",
                  "the dataset is at ", dataset->sample_rate(), " Hz, the model expects ", config.model.sample_rate);
  }
  config.model.Validate();
  util::require(config.train.batch_size % world == 0, "config key 'train.batch_size'", "the global batch of ",
                config.train.batch_size, " does not split evenly over ", world, " ranks");
  if (lead) {
    fs::create_directories(out);
    util::remove_stale_temporaries(out.string());  // left by a writer that was killed
  }

  const torch::Device device = group != nullptr ? group->device() : torch::Device(config.train.device);
  torch::manual_seed(config.train.seed);
  models::Classifier model(config.model);
  model->to(device);
  const auto frontend_groups = model->frontend_groups();
  const auto rates = frontend_rates(config, frontend_groups);
  auto optimizer = make_optimizer(config, *model, frontend_groups, rates);

  CheckpointMeta meta;
  meta.config = config;
  meta.labels = dataset->label_map();
  TrainerState state;
  int64_t start_epoch = 0;
  // Every rank resumes from rank 0's last.ckpt (its bytes are sent over): the same weights,
  // optimiser and trainer state everywhere.
  std::string last;
  if (lead && fs::exists(path("last.ckpt"))) last = util::read_file(path("last.ckpt"));
  if (group != nullptr) last = group->broadcast_text(last, "sending rank 0's last checkpoint");
  if (!last.empty()) {
    const auto stored = read_checkpoint_meta_from(last, path("last.ckpt"));
    util::require(identity(stored.config) == identity(config), path("last.ckpt").c_str(),
                  "this folder holds a run with a different configuration; choose another output folder "
                  "or remove it");
    load_checkpoint_state_from(last, path("last.ckpt"), *model, optimizer.get());
    state = TrainerState::from_json(stored.trainer_state);
    start_epoch = stored.epoch;
    if (options.log != nullptr && lead) {
      *options.log << "resuming " << config.output << " after epoch " << start_epoch << "\n";
    }
  } else {
    state.initial.values = model->learned_values();
    if (lead) {
      util::write_file_atomic(path("config.json"), config.to_json());
      util::write_file_atomic(path("labels.json"), dataset->label_map().to_json());
    }
  }
  std::unique_ptr<dist::GradientAverager> averager;
  if (group != nullptr) {
    group->broadcast(model_state(*model), "sending rank 0's parameters and buffers");
    averager = std::make_unique<dist::GradientAverager>(options.group, model->parameters());
  }

  std::ostream null_stream(nullptr);
  std::ostream& log = options.log != nullptr && lead ? *options.log : null_stream;
  const bool live = lead && options.live.value_or(options.log == &std::cerr && Progress::is_terminal(2));
  Progress progress(log, live, config.train.max_epochs);

  const int64_t local_batch = config.train.batch_size / world;
  auto loader_options = data::LoaderOptions()
                            .batch_size(local_batch)
                            .shuffle(true)
                            .seed(config.train.seed)
                            .workers(config.train.workers);
  if (group != nullptr) {
    // The same seeded order on every rank, each taking its interleaved part (dist/sampler.h).
    const auto tail = config.train.drop_last ? dist::Tail::kDrop : dist::Tail::kPad;
    loader_options.reorder([rank = group->rank(), world, tail](const std::vector<int64_t>& order) {
      return dist::shard(order, rank, world, tail);
    });
  }
  data::Loader train_loader(dataset, split.train, loader_options);
  for (int64_t epoch = start_epoch + 1; epoch <= config.train.max_epochs; ++epoch) {
    if (state.bad_epochs >= config.train.patience) break;  // resumed after the stopping epoch
    const auto started = std::chrono::steady_clock::now();
    // Dropout draws: rank 0's as a single process's, the other ranks' their own.
    torch::manual_seed(epoch_seed(config.train.seed, epoch) + 0x9E3779B97F4A7C15ULL * static_cast<uint64_t>(lead ? 0 : group->rank()));
    model->train();
    progress.begin_epoch(epoch, train_loader.batches_per_epoch());
    double loss_sum = 0;
    int64_t correct = 0;
    int64_t seen = 0;
    int64_t batches = 0;
    for (auto& batch : train_loader.epoch(epoch - 1)) {
      if (group == nullptr) util::throw_if_interrupted();  // nothing of this epoch is written; last.ckpt is the one before
      const int64_t step = (epoch - 1) * train_loader.batches_per_epoch() + batches + 1;
      // Non-finite loss or gradients: stop (nothing non-finite is saved) or skip the step.
      const auto nonfinite = [&](const std::string& what, bool can_skip) {
        const std::string where = "epoch " + std::to_string(epoch) + ", step " + std::to_string(step) + " (batch " +
                                  std::to_string(batches + 1) + " of " +
                                  std::to_string(train_loader.batches_per_epoch()) + ")";
        const std::string message = where + ": " + what + "; " + frontend_state(*model);
        if (can_skip && config.train.on_nonfinite == "skip") {
          optimizer->zero_grad();
          state.warnings.push_back("skipped " + message);
          progress.message("warning: skipped " + message);
          return;
        }
        const std::string kept = epoch > 1 ? "last.ckpt keeps epoch " + std::to_string(epoch - 1)
                                           : "no epoch had finished, nothing was saved";
        throw NonFiniteError("training stopped at " + message + " (" + kept +
                             "; set train.on_nonfinite=skip to skip such steps)");
      };
      const auto labels = batch.labels.to(device);
      const auto logits = model->forward(batch.waveforms.to(device));
      const auto loss = classification_loss(*model, logits, labels);
      double loss_value = loss.item<double>();
      auto n = labels.size(0);
      int64_t batch_correct = logits.argmax(1).eq(labels).sum().item<int64_t>();
      if (group != nullptr) {
        // Every rank runs backward (the gradient all-reduce needs all of them), then they agree on
        // the step: the global batch's mean loss and accuracy, a non-finite loss anywhere, a signal.
        group->set_progress("epoch " + std::to_string(epoch) + " step " + std::to_string(step));
        optimizer->zero_grad();
        averager->prepare();
        loss.backward();
        averager->finish();
        auto values = signal_vote();
        values.insert(values.end(), {loss_value * static_cast<double>(n), std::isfinite(loss_value) ? 0.0 : 1.0,
                                     static_cast<double>(batch_correct), static_cast<double>(n)});
        const auto votes = group->sum(values, "the step's loss");
        obey_signal_vote(votes[0], votes[1]);
        const std::vector<double> sums(votes.begin() + 2, votes.end());
        n = static_cast<int64_t>(sums[3]);
        batch_correct = static_cast<int64_t>(sums[2]);
        loss_value = sums[1] > 0 ? std::nan("") : sums[0] / static_cast<double>(n);
      }
      if (!std::isfinite(loss_value)) {
        nonfinite("the loss is " + std::to_string(loss_value), true);
        ++batches;
        continue;
      }
      if (group == nullptr) {
        optimizer->zero_grad();
        loss.backward();
      }
      if (const auto name = first_nonfinite(*model, /*gradients=*/true); !name.empty()) {
        nonfinite("the gradient of '" + name + "' holds NaN or Inf (loss " + std::to_string(loss_value) + ")", true);
        ++batches;
        continue;
      }
      optimizer->step();
      if (const auto name = first_nonfinite(*model, /*gradients=*/false); !name.empty()) {
        nonfinite("the optimiser step made '" + name + "' NaN or Inf", false);
      }
      for (const auto& event : model->constrain_frontend()) {
        // Reported once per element and kind of problem, however often it recurs.
        if (!state.warned.insert(event.element + ": " + event.problem).second) continue;
        state.warnings.push_back(event.element + ": " + event.problem + ": " + event.detail);
        progress.message("warning: epoch " + std::to_string(epoch) + ": " + state.warnings.back());
      }
      loss_sum += loss_value * static_cast<double>(n);
      correct += batch_correct;
      seen += n;
      progress.batch(++batches, loss_sum / static_cast<double>(seen),
                     static_cast<double>(correct) / static_cast<double>(seen), [&] { return model->learned_values(); });
    }
    stop_if_interrupted(group);
    if (seen == 0) {
      throw NonFiniteError("training stopped: every step of epoch " + std::to_string(epoch) +
                           " was skipped for NaN/Inf (last.ckpt keeps epoch " + std::to_string(epoch - 1) + ")");
    }
    const auto valid = evaluate_on(*model, dataset, split.valid, local_batch, device, group);
    stop_if_interrupted(group);

    EpochRecord record;
    record.epoch = epoch;
    record.train_loss = seen > 0 ? loss_sum / static_cast<double>(seen) : std::nan("");
    record.train_accuracy = seen > 0 ? static_cast<double>(correct) / static_cast<double>(seen) : std::nan("");
    record.valid_loss = valid.loss;
    record.valid_accuracy = valid.accuracy;
    record.lr_model = config.train.lr_model;
    record.lr_frontend = rates;
    record.frontend.values = model->learned_values();
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    state.seconds += record.seconds;

    const bool improved = valid.loss < state.best_valid_loss;
    if (improved) {
      state.best_valid_loss = valid.loss;
      state.best_valid_accuracy = valid.accuracy;
      state.best_epoch = epoch;
      state.bad_epochs = 0;
    } else {
      ++state.bad_epochs;
    }
    state.history.epochs.push_back(record);
    meta.epoch = epoch;
    meta.trainer_state = state.to_json();
    // best before last: a kill between the two leaves a last.ckpt that still points at a best.ckpt
    // at least as new.
    if (lead) {
      if (improved) save_checkpoint(path("best.ckpt"), meta, *model);
      state.history.save(config.output);
      save_checkpoint(path("last.ckpt"), meta, *model, optimizer.get());
    }
    progress.end_epoch(record, improved);
  }
  if (averager != nullptr && averager->stats().steps > 0) {
    const auto& c = averager->stats();
    std::ostringstream line;
    line.precision(3);
    const auto per_step = [&](double seconds) { return 1e3 * seconds / static_cast<double>(c.steps); };
    line << "all-reduce: " << c.buckets << " bucket(s), " << static_cast<double>(c.bytes_per_step) / 1e6
         << " MB of gradients per step; per step " << per_step(c.comm_seconds) << " ms communicating ("
         << per_step(c.overlapped_seconds) << " ms of it during backward), " << per_step(c.wait_seconds)
         << " ms waited after backward; " << c.launched_in_backward << " of " << c.launched
         << " buckets launched during backward";
    progress.message(line.str());
  }

  // Test accuracy of the best model (rank 0's file, sent to the others).
  if (lead) load_checkpoint_state(path("best.ckpt"), *model);
  if (group != nullptr) group->broadcast(model_state(*model), "sending the best model");
  const auto test = evaluate_on(*model, dataset, split.test, local_batch, device, group);
  RunResult result;
  result.epochs = static_cast<int64_t>(state.history.epochs.size());
  result.best_epoch = state.best_epoch;
  result.best_valid_loss = state.best_valid_loss;
  result.best_valid_accuracy = state.best_valid_accuracy;
  result.test_loss = test.loss;
  result.test_accuracy = test.accuracy;
  result.train_examples = static_cast<int64_t>(split.train.size());
  result.valid_examples = static_cast<int64_t>(split.valid.size());
  result.test_examples = static_cast<int64_t>(split.test.size());
  result.initial = state.initial;
  result.learned.values = model->learned_values();
  result.warnings = state.warnings;
  result.seconds = state.seconds;
  if (lead) write_result_file(path("result.json"), result);
  progress.message("best epoch " + std::to_string(result.best_epoch) + ": test accuracy " +
                   std::to_string(100.0 * result.test_accuracy) + "% on " + std::to_string(result.test_examples) +
                   " examples");
  return result;
}

}  // namespace tfgram::train
