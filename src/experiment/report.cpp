// The experiment report: tables, figures and an index page, all in the experiment folder.
#include "tfgram/experiment/report.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "tfgram/experiment/results_file.h"
#include "tfgram/experiment/table.h"
#include "tfgram/frontends/dmel.h"
#include "tfgram/frontends/sincgram.h"
#include "tfgram/models/classifier.h"
#include "tfgram/report/filter_responses.h"
#include "tfgram/report/frontend_axes.h"
#include "tfgram/report/plot.h"
#include "tfgram/report/tf_image.h"
#include "tfgram/train/checkpoint.h"
#include "tfgram/train/data_setup.h"
#include "tfgram/train/history.h"
#include "tfgram/util/atomic_file.h"
#include "tfgram/util/file_name.h"

namespace tfgram::experiment {
namespace {
namespace fs = std::filesystem;

bool has_file(const Trial& trial, const char* name) { return fs::exists(fs::path(trial.folder) / name); }

// Cell ids join labels with ',' and '=': figure names replace them too.
std::string file_stem(const std::string& text) { return util::safe_file_name(text, ",="); }

// Whether the run's front-end kind reads DMEL's Gaussian-window section (frontend.dmel: λ).
bool gaussian_window(const train::RunConfig& config) {
  for (const auto& [name, section] : models::frontend_kind(config.model.frontend.kind).sections) {
    if (name == "dmel") return true;
  }
  return false;
}

bool pulse_task(const train::RunConfig& config) { return config.data.kind == "pulses"; }

// Samples and cycles per sample for the synthetic task (its sample rate is nominal), else s and Hz.
report::TfUnits units_of(const train::RunConfig& config) {
  return pulse_task(config) ? report::TfUnits::kSamples : report::TfUnits::kPhysical;
}

std::string number(double v, const char* format = "%.3g") {
  char text[48];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

// The dataset of a run config, built once while consecutive cells share their data config.
class DatasetCache {
 public:
  const data::Dataset& get(const train::RunConfig& config) {
    train::RunConfig data_only;
    data_only.data = config.data;
    data_only.model.n_points = config.model.n_points;
    data_only.model.sample_rate = config.model.sample_rate;
    const auto key = data_only.to_json();
    if (!dataset_ || key != key_) {
      dataset_ = train::make_dataset(config);
      key_ = key;
    }
    return *dataset_;
  }

 private:
  std::shared_ptr<const data::Dataset> dataset_;
  std::string key_;
};

// (B, C, F, T) features of one example → the first channel as (F, T).
torch::Tensor representation(models::ClassifierImpl& model, const torch::Tensor& audio) {
  torch::NoGradGuard no_grad;
  model.eval();
  return model.features(audio.unsqueeze(0)).select(0, 0).select(0, 0).detach();
}

// Colours for a representation: 80 dB below the top for power, 1st–99th percentile otherwise.
report::TfImageOptions tf_options(const report::FrontendAxes& axes) {
  report::TfImageOptions options;
  options.time = axes.time;
  options.frequency = axes.frequency;
  options.values = axes.values;
  options.colour_label = axes.colour_label;
  options.low_percentile = 1.0;
  if (axes.values == report::TfValues::kLinear) {
    options.high_percentile = 99.0;
  } else {
    options.high_percentile = 99.9;
    options.dynamic_range = 80.0;
  }
  return options;
}

void add_figure(ReportFiles& files, const std::string& file, const std::string& caption) {
  files.figures.push_back({file, caption});
}

// (a) One test example through the front end: initial and learned side by side on one colour
// scale for a trainable front end, one panel for a fixed one; run 0 of every cell.
void representation_figures(const std::vector<Trial>& trials, const std::string& folder, DatasetCache& datasets,
                            ReportFiles& files) {
  for (const auto& trial : trials) {
    if (trial.run != 0 || !has_file(trial, "best.ckpt")) continue;
    const std::string name = "figures/representation_" + file_stem(trial.cell_id) + ".png";
    try {
      auto learned = train::load_model((fs::path(trial.folder) / "best.ckpt").string());
      const auto& config = learned.meta.config;
      const auto& dataset = datasets.get(config);
      const auto split = train::make_run_split(dataset, config);
      const auto& pool = split.test.empty() ? split.train : split.test;
      if (pool.empty()) continue;
      const auto audio = dataset.waveform(pool.front()).to(torch::kFloat32);
      const auto label = dataset.label_map().name(dataset.label(pool.front()));
      const bool trainable = config.model.frontend_trainable();
      const auto units = units_of(config);

      std::vector<report::TfPanel> panels;
      report::FrontendAxes axes;
      if (trainable) {
        torch::manual_seed(static_cast<uint64_t>(config.train.seed));
        models::Classifier initial(config.model);  // the stored config holds the initial parameters
        const auto image = representation(*initial, audio);
        axes = report::frontend_axes(config.model, *initial->frontend.ptr(), image.size(0), units);
        panels.push_back({image, "initial: " + axes.window, axes.frequency});
      }
      const auto image = representation(*learned.model, audio);
      axes = report::frontend_axes(config.model, *learned.model->frontend.ptr(), image.size(0), units);
      panels.push_back({image, (trainable ? "learned: " : "fixed: ") + axes.window, axes.frequency});

      auto options = tf_options(axes);
      options.title = axes.name + ", " + trial.cell_id + "\nfirst test example (class " + label + ")";
      report::plot_tf_images(panels, options, folder + "/" + name);
      add_figure(files, name,
                 axes.name + " of one test example (class " + label + "), cell " + trial.cell_id +
                     (trainable ? ": at the initial and at the learned parameters, on one colour scale"
                                : ": fixed front end"));
    } catch (const std::exception& e) {
      files.warnings.push_back(name + ": " + e.what());
    }
  }
}

train::History history_of(const Trial& trial) {
  return train::History::from_json(util::read_file((fs::path(trial.folder) / "history.json").string()));
}

void plot(const std::vector<report::Series>& series, const report::PlotOptions& options, const std::string& folder,
          const std::string& name, const std::string& caption, ReportFiles& files) {
  if (series.empty()) return;
  try {
    report::plot_lines(series, options, folder + "/" + name);
    add_figure(files, name, caption);
  } catch (const std::exception& e) {
    files.warnings.push_back(name + ": " + e.what());
  }
}

std::vector<std::string> cells_of(const std::vector<Trial>& trials) {
  std::vector<std::string> cells;
  for (const auto& trial : trials) {
    if (std::find(cells.begin(), cells.end(), trial.cell_id) == cells.end()) cells.push_back(trial.cell_id);
  }
  return cells;
}

// (b) λ against epoch (epoch 0 = initial λ): per trainable cell the mean over its runs and the
// min–max band; fixed cells are listed in the title. Window ms for real data; λ in samples with
// σ for the pulse task.
void lambda_figure(const std::vector<Trial>& trials, const std::string& folder, ReportFiles& files) {
  std::vector<report::Series> series;
  std::vector<std::string> fixed;
  bool samples = false;
  double sigma = 0.0;
  int64_t last_epoch = 0;
  size_t most_runs = 0;
  for (const auto& cell : cells_of(trials)) {
    std::map<int64_t, std::vector<double>> by_epoch;  // epoch → one value per run
    bool trainable = false;
    size_t runs = 0;
    for (const auto& trial : trials) {
      if (trial.cell_id != cell || !gaussian_window(trial.config) || !has_file(trial, "history.json")) continue;
      const auto& c = trial.config;
      samples = pulse_task(c);
      if (samples) sigma = c.data.pulses.sigma;
      const double per_lambd = samples ? 1.0 : 6000.0 / static_cast<double>(c.model.sample_rate);  // → window ms
      trainable = c.model.frontend_trainable();
      ++runs;
      by_epoch[0].push_back(std::abs(c.model.frontend.section<frontends::DMelOptions>("dmel").lambd()) * per_lambd);
      for (const auto& e : history_of(trial).epochs) {
        if (const auto lambd = e.frontend.scalar("lambd")) by_epoch[e.epoch].push_back(*lambd * per_lambd);
      }
    }
    if (runs == 0) continue;
    if (!trainable) {
      fixed.push_back(number(by_epoch[0].front()));
      continue;
    }
    most_runs = std::max(most_runs, runs);
    report::Series s;
    s.name = cell;
    for (const auto& [epoch, values] : by_epoch) {
      double sum = 0.0;
      for (const double v : values) sum += v;
      s.x.push_back(static_cast<double>(epoch));
      s.y.push_back(sum / static_cast<double>(values.size()));
      s.y_low.push_back(*std::min_element(values.begin(), values.end()));
      s.y_high.push_back(*std::max_element(values.begin(), values.end()));
      last_epoch = std::max(last_epoch, epoch);
    }
    if (runs == 1) {  // a band of one run is the line itself
      s.y_low.clear();
      s.y_high.clear();
    }
    series.push_back(std::move(s));
  }
  if (series.empty()) return;  // nothing trained λ
  const std::string quantity = samples ? "λ" : "window 6λ";
  if (samples && sigma > 0.0) {
    report::Series reference;
    reference.name = "σ = " + number(sigma) + " (pulse width)";
    reference.x = {0.0, static_cast<double>(std::max<int64_t>(last_epoch, 1))};
    reference.y = {sigma, sigma};
    reference.colour = "#404040";
    reference.dashed = true;
    series.push_back(std::move(reference));
  }
  report::PlotOptions options;
  options.title = quantity + " against epoch: mean" + (most_runs > 1 ? " and min–max over runs" : "") +
                  " per trainable cell";
  if (!fixed.empty()) {
    std::string list;
    for (const auto& v : fixed) list += (list.empty() ? "" : ", ") + v;
    options.title += "\nfixed (not trained): " + quantity + " = " + list + (samples ? "" : " ms");
  }
  options.x_label = "epoch";
  options.y_label = samples ? "λ (samples)" : "window 6λ (ms)";
  options.log_y = true;
  options.points = true;
  options.legend = series.size() <= 4 ? report::Legend::kInside : report::Legend::kOutside;
  plot(series, options, folder, "figures/lambda.png",
       quantity + " against epoch for every trainable cell (epoch 0 = initial value)" +
           (samples ? ", with the pulse width σ dashed" : ""),
       files);
}

// (c) SincGram responses: mel initialisation (dashed grey) and the best model (coloured), one
// run per DEGram cell.
void sincgram_figures(const std::vector<Trial>& trials, const std::string& folder, ReportFiles& files) {
  // The first SincGram inside a front end, whatever the kind.
  const auto sincgram_of = [](models::ClassifierImpl& model) -> frontends::SincGramImpl* {
    for (const auto& module : model.frontend.ptr()->modules()) {
      if (auto* sincgram = module->as<frontends::SincGramImpl>()) return sincgram;
    }
    return nullptr;
  };
  for (const auto& trial : trials) {
    if (trial.run != 0 || !has_file(trial, "best.ckpt")) continue;
    const std::string name = "figures/sincgram_" + file_stem(trial.cell_id) + ".png";
    try {
      auto learned = train::load_model((fs::path(trial.folder) / "best.ckpt").string());
      auto* learned_filters = sincgram_of(*learned.model);
      if (learned_filters == nullptr) continue;
      torch::manual_seed(static_cast<uint64_t>(learned.meta.config.train.seed));
      models::Classifier initial(learned.meta.config.model);
      std::vector<report::Series> series;
      for (auto s : report::sincgram_responses(*sincgram_of(*initial))) {
        s.name.clear();
        s.colour = "#a0a0a0";
        s.dashed = true;
        series.push_back(std::move(s));
      }
      for (auto s : report::sincgram_responses(*learned_filters)) {
        s.name.clear();
        series.push_back(std::move(s));
      }
      const std::string init = frontends::to_string(learned_filters->options.init());
      report::PlotOptions options;
      options.title = "SincGram filters, " + trial.cell_id + "\n" + init + " initialisation dashed grey, learned coloured";
      options.x_label = "frequency (Hz)";
      options.y_label = "gain";
      options.width = 1000;
      options.legend = report::Legend::kNone;
      options.line_width = 1.0;
      plot(series, options, folder, name,
           "SincGram filter responses of cell " + trial.cell_id + ": " + init + " initialisation (dashed grey) and learned",
           files);
    } catch (const std::exception& e) {
      files.warnings.push_back(name + ": " + e.what());
    }
  }
}

// (d) The pulse task's data: the first example of each class, as waveforms and as the
// front end's output at λ = σ.
void pulse_figures(const std::vector<Trial>& trials, const std::string& folder, DatasetCache& datasets,
                   ReportFiles& files) {
  const auto first = std::find_if(trials.begin(), trials.end(), [](const Trial& t) { return pulse_task(t.config); });
  if (first == trials.end()) return;
  const auto& config = first->config;
  const std::string waveforms = "figures/pulses_waveforms.png";
  const std::string spectrograms = "figures/pulses_spectrograms.png";
  std::vector<std::pair<std::string, torch::Tensor>> examples;  // class name, waveform
  try {
    const auto& dataset = datasets.get(config);
    const auto& labels = dataset.label_map();
    for (int64_t c = 0; c < labels.size(); ++c) {
      for (int64_t i = 0; i < dataset.size(); ++i) {
        if (dataset.label(i) != c) continue;
        examples.emplace_back(labels.name(c), dataset.waveform(i).to(torch::kFloat32));
        break;
      }
    }
    std::vector<report::Series> series;
    constexpr double kOffset = 3.0;
    for (size_t c = 0; c < examples.size(); ++c) {
      report::Series s;
      s.name = examples[c].first;
      const auto w = examples[c].second.to(torch::kFloat64).contiguous();
      for (int64_t n = 0; n < w.numel(); ++n) {
        s.x.push_back(static_cast<double>(n));
        s.y.push_back(w[n].item<double>() + kOffset * static_cast<double>(c));
      }
      series.push_back(std::move(s));
    }
    report::PlotOptions options;
    options.title = "synthetic pulses: one example per class (σ = " + number(config.data.pulses.sigma) +
                    ", noise " + number(config.data.pulses.noise_std) + ")";
    options.x_label = "time (samples)";
    options.y_label = "amplitude (classes offset by " + number(kOffset) + ")";
    options.legend = report::Legend::kOutside;
    options.width = 1000;
    options.line_width = 1.0;
    plot(series, options, folder, waveforms, "Synthetic data: one example of each pulse class (waveforms)", files);
  } catch (const std::exception& e) {
    files.warnings.push_back(waveforms + ": " + e.what());
    return;
  }
  if (!gaussian_window(config) || examples.empty()) return;
  try {
    auto model_config = config.model;
    model_config.assign("frontend.dmel.lambd", config.data.pulses.sigma);
    auto parts = models::build_frontend(model_config);
    std::vector<report::TfPanel> panels;
    report::FrontendAxes axes;
    torch::NoGradGuard no_grad;
    for (const auto& [name, audio] : examples) {
      auto features = models::frontend_features(parts.module, parts.log, audio.unsqueeze(0))[0][0];
      axes = report::frontend_axes(model_config, *parts.module.ptr(), features.size(0), units_of(config));
      panels.push_back({features, name, axes.frequency});
    }
    auto options = tf_options(axes);
    options.title = "synthetic pulses, one example per class, at λ = σ: " + axes.name + ", " + axes.window;
    options.width = 1500;
    report::plot_tf_images(panels, options, folder + "/" + spectrograms);
    add_figure(files, spectrograms,
               "Synthetic data: the same examples through the " + axes.name + " at λ = σ, on one colour scale");
  } catch (const std::exception& e) {
    files.warnings.push_back(spectrograms + ": " + e.what());
  }
}

// (e) Train and validation loss per cell, every run.
void loss_figures(const std::vector<Trial>& trials, const std::string& folder, ReportFiles& files) {
  for (const auto& cell : cells_of(trials)) {
    std::vector<report::Series> series;
    for (const auto& trial : trials) {
      if (trial.cell_id != cell || !has_file(trial, "history.json")) continue;
      report::Series train_loss;
      report::Series valid_loss;
      train_loss.name = "train run" + std::to_string(trial.run);
      valid_loss.name = "valid run" + std::to_string(trial.run);
      for (const auto& e : history_of(trial).epochs) {
        train_loss.x.push_back(static_cast<double>(e.epoch));
        train_loss.y.push_back(e.train_loss);
        valid_loss.x.push_back(static_cast<double>(e.epoch));
        valid_loss.y.push_back(e.valid_loss);
      }
      series.push_back(std::move(train_loss));
      series.push_back(std::move(valid_loss));
    }
    report::PlotOptions options;
    options.title = "loss (" + cell + ")";
    options.x_label = "epoch";
    options.y_label = "cross-entropy";
    options.points = true;
    plot(series, options, folder, "figures/loss_" + file_stem(cell) + ".png",
         "Train and validation loss per epoch, cell " + cell, files);
  }
}

std::string html_escape(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

}  // namespace

ReportFiles write_report(const ExperimentConfig& config, const std::vector<Trial>& trials) {
  const std::string folder = config.output;
  fs::create_directories(fs::path(folder) / "figures");
  ReportFiles files;
  const auto csv = read_results_csv(folder + "/results.csv");
  const auto table = results_table(csv);
  util::write_file_atomic(folder + "/table.md", table.markdown());
  util::write_file_atomic(folder + "/table.tex", table.latex());

  DatasetCache datasets;
  pulse_figures(trials, folder, datasets, files);
  representation_figures(trials, folder, datasets, files);
  lambda_figure(trials, folder, files);
  sincgram_figures(trials, folder, files);
  loss_figures(trials, folder, files);

  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(folder) +
                     "</title>\n<style>body{font-family:sans-serif;max-width:1600px} table{border-collapse:collapse} "
                     "td,th{border:1px solid #999;padding:2px 8px} img{max-width:100%} "
                     "figure{margin:1.5em 0} figcaption{color:#333;margin-top:0.3em}</style></head><body>\n"
                     "<h1>" + html_escape(folder) + "</h1>\n<p>" + std::to_string(csv.rows.size()) +
                     " finished runs (<a href=\"results.csv\">results.csv</a>, <a href=\"table.tex\">table.tex</a>)</p>\n" +
                     table.html() + "<h2>Figures</h2>\n";
  for (const auto& figure : files.figures) {
    html += "<figure><img src=\"" + html_escape(figure.file) + "\" alt=\"" + html_escape(figure.caption) +
            "\"><figcaption>" + html_escape(figure.caption) + "</figcaption></figure>\n";
  }
  for (const auto& warning : files.warnings) html += "<p>not drawn: " + html_escape(warning) + "</p>\n";
  html += "</body></html>\n";
  util::write_file_atomic(folder + "/index.html", html);
  return files;
}

}  // namespace tfgram::experiment
