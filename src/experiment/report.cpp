// The experiment report: tables, figures and an index page, all in the experiment folder.
#include "tfgram/experiment/report.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>

#include "tfgram/experiment/table.h"
#include "tfgram/models/classifier.h"
#include "tfgram/report/filter_responses.h"
#include "tfgram/report/heatmap.h"
#include "tfgram/report/plot.h"
#include "tfgram/train/checkpoint.h"
#include "tfgram/train/data_setup.h"
#include "tfgram/train/history.h"
#include "tfgram/util/atomic_file.h"

namespace tfgram::experiment {
namespace {
namespace fs = std::filesystem;

bool has_file(const Trial& trial, const char* name) { return fs::exists(fs::path(trial.folder) / name); }

std::string file_stem(std::string text) {
  for (auto& c : text) {
    if (c == ',' || c == '=' || c == '/' || c == ' ') c = '_';
  }
  return text;
}

std::string run_name(const Trial& trial) { return trial.cell_id + " run" + std::to_string(trial.run); }

bool dmel_family(const train::RunConfig& config) {
  const auto& kind = config.model.frontend.kind;
  return kind == "dmel" || kind == "dspec" || kind == "logmel";
}

// (B, C, F, T) features of one example → the first channel as (F, T).
torch::Tensor representation(models::ClassifierImpl& model, const torch::Tensor& audio) {
  torch::NoGradGuard no_grad;
  model.eval();
  return model.features(audio.unsqueeze(0)).select(0, 0).select(0, 0).detach();
}

void heatmap(const torch::Tensor& image, bool log_output, const std::string& path) {
  report::HeatmapOptions options;
  const auto longest = std::max(image.size(0), image.size(1));
  options.scale = std::clamp<int64_t>((400 + longest - 1) / longest, 1, 8);
  if (!log_output) {
    options.db = true;
    options.dynamic_range = 80.0;
  }
  report::write_heatmap_png(image, path, options);
}

// (a) One example at the initial and at the learned λ, for one trainable run per cell.
void representation_figures(const std::vector<Trial>& trials, const std::string& folder, ReportFiles& files) {
  std::shared_ptr<const data::Dataset> dataset;
  std::string dataset_config;
  for (const auto& trial : trials) {
    if (trial.run != 0 || !dmel_family(trial.config) || !trial.config.model.frontend_trainable() ||
        !has_file(trial, "best.ckpt")) {
      continue;
    }
    const std::string stem = "figures/representation_" + file_stem(trial.cell_id);
    try {
      auto learned = train::load_model((fs::path(trial.folder) / "best.ckpt").string());
      const auto& config = learned.meta.config;
      // The dataset is shared by the cells of a usual grid; build it once per data config.
      train::RunConfig data_only;
      data_only.data = config.data;
      data_only.model.n_points = config.model.n_points;
      data_only.model.sample_rate = config.model.sample_rate;
      const auto key = data_only.to_json();
      if (!dataset || key != dataset_config) {
        dataset = train::make_dataset(config);
        dataset_config = key;
      }
      const auto split = train::make_run_split(*dataset, config);
      const auto& pool = split.test.empty() ? split.train : split.test;
      if (pool.empty()) continue;
      const auto audio = dataset->waveform(pool.front()).to(torch::kFloat32);
      models::Classifier initial(config.model);  // the stored config holds the initial λ
      const bool log_output = config.model.frontend_log();
      heatmap(representation(*initial, audio), log_output, folder + "/" + stem + "_initial.png");
      heatmap(representation(*learned.model, audio), log_output, folder + "/" + stem + "_learned.png");
      files.figures.push_back(stem + "_initial.png");
      files.figures.push_back(stem + "_learned.png");
    } catch (const std::exception& e) {
      files.warnings.push_back(stem + ": " + e.what());
    }
  }
}

train::History history_of(const Trial& trial) {
  return train::History::from_json(util::read_file((fs::path(trial.folder) / "history.json").string()));
}

void plot(const std::vector<report::Series>& series, const report::PlotOptions& options, const std::string& folder,
          const std::string& name, ReportFiles& files) {
  if (series.empty()) return;
  try {
    report::plot_lines(series, options, folder + "/" + name);
    files.figures.push_back(name);
  } catch (const std::exception& e) {
    files.warnings.push_back(name + ": " + e.what());
  }
}

// (b) λ against epoch, every run; epoch 0 is the initial λ.
void lambda_figure(const std::vector<Trial>& trials, const std::string& folder, ReportFiles& files) {
  std::vector<report::Series> series;
  for (const auto& trial : trials) {
    if (!has_file(trial, "history.json") || !dmel_family(trial.config)) continue;
    report::Series s;
    s.name = run_name(trial);
    s.x.push_back(0);
    s.y.push_back(std::abs(trial.config.model.frontend.dmel.lambd));
    for (const auto& e : history_of(trial).epochs) {
      if (!e.lambd) continue;
      s.x.push_back(static_cast<double>(e.epoch));
      s.y.push_back(*e.lambd);
    }
    series.push_back(std::move(s));
  }
  report::PlotOptions options;
  options.title = "lambda against epoch";
  options.x_label = "epoch";
  options.y_label = "lambda (samples)";
  options.log_y = true;
  options.points = true;
  plot(series, options, folder, "figures/lambda.png", files);
}

// (c) SincGram responses at initialisation and in the best model, one run per DEGram cell.
void sincgram_figures(const std::vector<Trial>& trials, const std::string& folder, ReportFiles& files) {
  for (const auto& trial : trials) {
    if (trial.run != 0 || trial.config.model.frontend.kind != "degram" || !trial.config.model.frontend.degram.sincgram ||
        !has_file(trial, "best.ckpt")) {
      continue;
    }
    const std::string stem = "figures/sincgram_" + file_stem(trial.cell_id);
    try {
      auto learned = train::load_model((fs::path(trial.folder) / "best.ckpt").string());
      torch::manual_seed(static_cast<uint64_t>(learned.meta.config.train.seed));
      models::Classifier initial(learned.meta.config.model);
      for (const auto& [model, suffix] : {std::pair{initial, "_initial"}, std::pair{learned.model, "_learned"}}) {
        const auto front = model->frontend.ptr<models::WaveformDEGramImpl>();
        report::PlotOptions options;
        options.title = std::string("SincGram filters ") + (suffix + 1) + " (" + trial.cell_id + ")";
        options.x_label = "frequency (Hz)";
        options.y_label = "gain";
        options.legend = report::Legend::kNone;
        plot(report::sincgram_responses(*front->degram->sincgram), options, folder, stem + suffix + ".png", files);
      }
    } catch (const std::exception& e) {
      files.warnings.push_back(stem + ": " + e.what());
    }
  }
}

// (d) Train and validation loss per cell, every run.
void loss_figures(const std::vector<Trial>& trials, const std::string& folder, ReportFiles& files) {
  std::vector<std::string> cells;
  for (const auto& trial : trials) {
    if (std::find(cells.begin(), cells.end(), trial.cell_id) == cells.end()) cells.push_back(trial.cell_id);
  }
  for (const auto& cell : cells) {
    std::vector<report::Series> series;
    for (const auto& trial : trials) {
      if (trial.cell_id != cell || !has_file(trial, "history.json")) continue;
      report::Series train_loss{"train run" + std::to_string(trial.run), {}, {}};
      report::Series valid_loss{"valid run" + std::to_string(trial.run), {}, {}};
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
    plot(series, options, folder, "figures/loss_" + file_stem(cell) + ".png", files);
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
  const auto csv = parse_csv(util::read_file(folder + "/results.csv"), folder + "/results.csv");
  const auto table = results_table(csv);
  util::write_file_atomic(folder + "/table.md", table.markdown());
  util::write_file_atomic(folder + "/table.tex", table.latex());

  representation_figures(trials, folder, files);
  lambda_figure(trials, folder, files);
  sincgram_figures(trials, folder, files);
  loss_figures(trials, folder, files);

  std::string html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(folder) +
                     "</title>\n<style>body{font-family:sans-serif} table{border-collapse:collapse} "
                     "td,th{border:1px solid #999;padding:2px 8px} img{max-width:100%}</style></head><body>\n"
                     "<h1>" + html_escape(folder) + "</h1>\n<p>" + std::to_string(csv.rows.size()) +
                     " finished runs (<a href=\"results.csv\">results.csv</a>, <a href=\"table.tex\">table.tex</a>)</p>\n" +
                     table.html() + "<h2>Figures</h2>\n";
  for (const auto& figure : files.figures) {
    html += "<figure><img src=\"" + html_escape(figure) + "\" alt=\"" + html_escape(figure) + "\"><figcaption>" +
            html_escape(fs::path(figure).stem().string()) + "</figcaption></figure>\n";
  }
  for (const auto& warning : files.warnings) html += "<p>not drawn: " + html_escape(warning) + "</p>\n";
  html += "</body></html>\n";
  util::write_file_atomic(folder + "/index.html", html);
  return files;
}

}  // namespace tfgram::experiment
