// leanops predict (batch scoring to CSV) and leanops evaluate (metrics on
// labelled data, with an optional gate against a baseline model).
#include <fmt/format.h>
#include <stdlib.h>

#include <cmath>
#include <cstdio>

#include "cli/cli_common.h"
#include "cli/cli_track.h"
#include "cli/csv_flags.h"
#include "core/file_system.h"
#include "data/repo.h"
#include "table/csv_reader.h"
#include "train/model_dir.h"
#include "train/trainer.h"

namespace leanops::cli {
namespace {

struct PredictFlags {
  std::string model;
  std::string data;
  std::string out;
  std::vector<std::string> keep;
  double threshold = 0.5;
  int jobs = 0;
};

struct EvaluateFlags {
  std::string model;
  std::string data;
  std::string target;
  std::string baseline;
  std::string metric;
  double min_delta = 0;
  std::string metrics;
  std::string plots;
  double threshold = 0.5;
  bool json = false;
  int jobs = 0;
};

PredictFlags& Predict() {
  static PredictFlags flags;
  return flags;
}
EvaluateFlags& Evaluate() {
  static EvaluateFlags flags;
  return flags;
}

// A scratch directory for downloaded models, removed when done.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (std::getenv("TMPDIR") ? std::string(std::getenv("TMPDIR")) : "/tmp") +
                          "/leanops-model.XXXXXX";
    if (!mkdtemp(pattern.data())) ThrowErrno("cannot create a temp directory", pattern, errno);
    path_ = pattern;
  }
  ~Scratch() {
    try {
      RealFs().RemoveAll(path_);
    } catch (const Error&) {
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

train::TrainedModel LoadNamedModel(const std::string& spec, const Scratch& scratch,
                                   const char* role) {
  std::string local = FetchModel(spec, scratch.path() + "/" + role);
  return train::LoadModel(local);
}

// RFC 4180: quoted when it holds a delimiter, a quote or a line break.
void AppendCsvField(std::string& out, std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(text);
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void CheckThreshold(double threshold) {
  if (!(threshold > 0 && threshold < 1))
    ThrowUsage("--threshold {}: expected a probability between 0 and 1", threshold);
}

void RunPredict() {
  PredictFlags& f = Predict();
  CheckThreshold(f.threshold);
  Scratch scratch;
  train::TrainedModel model = LoadNamedModel(f.model, scratch, "model");
  table::Table data = train::ReadForModel(f.data, model, {});
  // Kept columns are copied as text, exactly as in the input.
  table::Table kept;
  if (!f.keep.empty()) {
    table::CsvOptions options;
    options.columns = f.keep;
    for (const std::string& name : f.keep)
      options.column_types.emplace(name, table::ColumnType::kString);
    options.always_dictionary = false;
    kept = table::ReadCsv(f.data, options);
  }
  train::Predictions p = model.Predict(data, {}, f.jobs, f.threshold);

  std::string csv;
  csv.reserve(p.rows * (16 + 12 * p.width));
  for (const table::Column& c : kept.columns()) {
    AppendCsvField(csv, c.name());
    csv += ',';
  }
  csv += "prediction";
  if (model.task == train::Task::kBinary) csv += ",probability";
  if (model.task == train::Task::kMulticlass)
    for (const std::string& c : model.classes) {
      csv += ",probability_";
      AppendCsvField(csv, c);
    }
  csv += '\n';
  for (size_t r = 0; r < p.rows; ++r) {
    for (const table::Column& c : kept.columns()) {
      AppendCsvField(csv, c.IsNull(r) ? std::string_view() : c.StringAt(r));
      csv += ',';
    }
    // The shortest text that reads back the same value.
    auto number = [&](double v) {
      if (p.single_precision) {
        fmt::format_to(std::back_inserter(csv), "{}", static_cast<float>(v));
      } else {
        fmt::format_to(std::back_inserter(csv), "{}", v);
      }
    };
    if (model.task == train::Task::kRegression) {
      number(p.values[r]);
    } else {
      AppendCsvField(csv, model.classes[p.labels[r]]);
      for (size_t k = 0; k < p.width; ++k) {
        csv += ',';
        number(p.values[r * p.width + k]);
      }
    }
    csv += '\n';
  }
  if (f.out.empty() || f.out == "-") {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
    return;
  }
  std::string out = AbsoluteFromCwd(f.out);
  RealFs().MakeDirs(DirName(out));
  RealFs().WriteFileAtomic(out, csv);
  Say(fmt::format("Wrote {} predictions to {}", p.rows, f.out));
}

double MetricValue(const train::MetricList& metrics, const std::string& name) {
  for (const auto& [n, v] : metrics)
    if (n == name) return v;
  return std::nan("");
}

std::string DefaultMetric(train::Task task) {
  switch (task) {
    case train::Task::kBinary:
      return "roc_auc";
    case train::Task::kMulticlass:
      return "accuracy";
    case train::Task::kRegression:
      break;
  }
  return "rmse";
}

void RunEvaluate() {
  EvaluateFlags& f = Evaluate();
  CheckThreshold(f.threshold);
  std::string metric = f.metric == "auc" ? "roc_auc" : f.metric;
  if (!metric.empty()) {
    const auto& known = train::KnownMetrics();
    if (std::find(known.begin(), known.end(), metric) == known.end())
      ThrowUsage("--metric {}: not a metric (known: {})", f.metric, fmt::join(known, ", "));
  }
  Scratch scratch;
  train::TrainedModel candidate = LoadNamedModel(f.model, scratch, "candidate");
  train::Evaluation result = train::Evaluate(candidate, f.data, f.target, f.jobs, f.threshold);
  if (metric.empty()) metric = DefaultMetric(candidate.task);
  double value = MetricValue(result.metrics, metric);
  if (std::isnan(MetricValue(result.metrics, metric)) &&
      std::none_of(result.metrics.begin(), result.metrics.end(),
                   [&](const auto& m) { return m.first == metric; }))
    ThrowUsage("--metric {}: not computed for a {} model", metric, train::TaskName(candidate.task));

  std::optional<train::Evaluation> baseline;
  double base_value = std::nan("");
  bool passed = true;
  if (!f.baseline.empty()) {
    train::TrainedModel base = LoadNamedModel(f.baseline, scratch, "baseline");
    baseline = train::Evaluate(base, f.data, f.target.empty() ? candidate.target : f.target, f.jobs,
                               f.threshold);
    base_value = MetricValue(baseline->metrics, metric);
    bool higher = train::HigherIsBetter(metric);
    double margin = higher ? value - base_value : base_value - value;
    passed = !std::isnan(margin) && margin >= -f.min_delta;
  }
  if (!f.metrics.empty()) {
    nlohmann::ordered_json json = nlohmann::ordered_json::object();
    for (const auto& [name, v] : result.metrics)
      if (std::isfinite(v)) json[name] = v;
    MakeParentDirs(f.metrics);
    RealFs().WriteFileAtomic(AbsoluteFromCwd(f.metrics), json.dump(4) + "\n");
  }
  if (!f.plots.empty()) {
    if (candidate.task != train::Task::kBinary)
      ThrowUsage("--plots writes a ROC curve, which only a binary model has");
    MakeParentDirs(f.plots);
    RealFs().WriteFileAtomic(AbsoluteFromCwd(f.plots), train::RocCurveCsv(result.roc));
  }
  if (f.json) {
    nlohmann::json json = {{"rows", result.rows}, {"metric", metric}, {"passed", passed}};
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [name, v] : result.metrics)
      metrics[name] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
    json["metrics"] = metrics;
    if (baseline) {
      nlohmann::json base = nlohmann::json::object();
      for (const auto& [name, v] : baseline->metrics)
        base[name] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json();
      json["baseline_metrics"] = base;
    }
    PrintJson(json);
  } else {
    Say(fmt::format("Evaluated {} on {} rows of {}", f.model, result.rows, f.data));
    for (const auto& [name, v] : result.metrics) {
      std::string line = fmt::format("  {:<10} {:.4f}", name, v);
      if (baseline) line += fmt::format("   baseline {:.4f}", MetricValue(baseline->metrics, name));
      Say(line);
    }
  }
  if (!passed)
    ThrowFailed("candidate {} {:.4f} is worse than the baseline's {:.4f} (allowed: {})", metric,
                value, base_value, f.min_delta);
  if (baseline && !f.json)
    Say(fmt::format("Gate passed: {} {:.4f} vs baseline {:.4f}", metric, value, base_value));
}

}  // namespace

void RegisterPredictCommands(CLI::App& app) {
  PredictFlags& p = Predict();
  CLI::App* predict = app.add_subcommand("predict", "Score a CSV file with a model (batch)");
  predict
      ->add_option("-m,--model", p.model,
                   "Model directory, XGBoost model file, models:/NAME@ALIAS, models:/NAME/VERSION "
                   "or runs:/RUN_ID/model")
      ->required();
  predict->add_option("--data", p.data, "CSV file to score")->required();
  predict->add_option("-o,--out", p.out, "Predictions CSV to write (default: stdout)");
  predict->add_option("--keep", p.keep,
                      "Input column to copy into the output, e.g. an id (repeatable)");
  predict->add_option("--threshold", p.threshold,
                      "Binary: predict the second class from this probability (default 0.5)");
  predict->add_option("-j,--jobs", p.jobs, "Threads (default: all cores)");
  AddTrackingUriOption(predict);
  predict->callback(RunPredict);

  EvaluateFlags& e = Evaluate();
  CLI::App* evaluate = app.add_subcommand(
      "evaluate", "Metrics of a model on labelled data; with --baseline, a quality gate");
  evaluate->add_option("-m,--model", e.model, "The candidate model (as for predict)")->required();
  evaluate->add_option("--data", e.data, "Labelled CSV file")->required();
  evaluate->add_option("--target", e.target, "Target column (default: the model's)");
  evaluate->add_option("--baseline", e.baseline,
                       "Model to compare with, e.g. models:/churn@production");
  evaluate->add_option("--metric", e.metric,
                       "Metric the gate compares (default: roc_auc, accuracy or rmse)");
  evaluate->add_option("--min-delta", e.min_delta,
                       "How much worse than the baseline still passes (default 0)");
  evaluate->add_option("--metrics", e.metrics, "Write the candidate's metrics as JSON");
  evaluate->add_option("--plots", e.plots, "Write the ROC curve as CSV fpr,tpr,threshold (binary)");
  evaluate->add_option("--threshold", e.threshold, "Binary: decision threshold (default 0.5)");
  evaluate->add_flag("--json", e.json, "Print the result as JSON");
  evaluate->add_option("-j,--jobs", e.jobs, "Threads (default: all cores)");
  AddTrackingUriOption(evaluate);
  evaluate->callback(RunEvaluate);
}

}  // namespace leanops::cli
