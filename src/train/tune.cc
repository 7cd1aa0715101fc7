#include "train/tune.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "train/train_config.h"

namespace leanops::train {
namespace {

using Json = nlohmann::ordered_json;

double Number(const Json& value, const std::string& where) {
  if (!value.is_number()) ThrowData("{}: expected a number, not {}", where, value.dump());
  return value.get<double>();
}

int PositiveInt(const Json& value, const std::string& where) {
  if (!value.is_number_integer() || value.get<int64_t>() < 1 || value.get<int64_t>() > 100000)
    ThrowData("{}: expected a whole number from 1, not {}", where, value.dump());
  return value.get<int>();
}

SearchParam ParseParam(const std::string& key, const Json& spec, const std::string& where) {
  CheckKeys(spec, {"type", "low", "high", "log", "choices"}, where);
  SearchParam p;
  p.key = key;
  std::string type = spec.contains("type") && spec["type"].is_string()
                         ? spec["type"].get<std::string>()
                         : (spec.contains("choices") ? "categorical" : "");
  if (type == "categorical") {
    p.kind = SearchParam::Kind::kCategorical;
    if (!spec.contains("choices") || !spec["choices"].is_array() || spec["choices"].empty())
      ThrowData("{}: a categorical parameter needs a non-empty list of choices", where);
    for (const Json& c : spec["choices"]) p.choices.push_back(c);
    return p;
  }
  if (type == "int") {
    p.kind = SearchParam::Kind::kInt;
  } else if (type == "float") {
    p.kind = SearchParam::Kind::kFloat;
  } else {
    ThrowData("{}.type: expected float, int or categorical, not {}", where,
              spec.contains("type") ? spec["type"].dump() : "nothing");
  }
  if (!spec.contains("low") || !spec.contains("high"))
    ThrowData("{}: a {} parameter needs low and high", where, type);
  p.low = Number(spec["low"], where + ".low");
  p.high = Number(spec["high"], where + ".high");
  if (p.kind == SearchParam::Kind::kInt &&
      (!spec["low"].is_number_integer() || !spec["high"].is_number_integer()))
    ThrowData("{}: an int parameter needs whole-number bounds", where);
  if (!(p.low < p.high)) ThrowData("{}: low {} must be below high {}", where, p.low, p.high);
  if (spec.contains("log")) {
    if (!spec["log"].is_boolean()) ThrowData("{}.log: expected true or false", where);
    p.log = spec["log"].get<bool>();
    if (p.log && p.low <= 0) ThrowData("{}: a log-uniform parameter needs low > 0", where);
  }
  return p;
}

}  // namespace

TuneConfig ParseTuneConfig(const Json& document, const std::string& source) {
  CheckKeys(document,
            {"base", "metric", "direction", "trials", "jobs", "sampler", "startup_trials",
             "multivariate", "seed", "pruner", "space", "output"},
            source);
  TuneConfig c;
  auto text = [&](const char* key) {
    if (!document[key].is_string()) ThrowData("{}: {}: expected a string", source, key);
    return document[key].get<std::string>();
  };
  if (!document.contains("base"))
    ThrowData("{}: base: name the training config (FILE[:SECTION])", source);
  c.base = text("base");
  if (document.contains("metric")) c.metric = text("metric");
  const auto& known = KnownMetrics();
  if (std::find(known.begin(), known.end(), c.metric) == known.end())
    ThrowData("{}: metric: '{}' is not one of: {}", source, c.metric, fmt::join(known, ", "));
  c.maximize = HigherIsBetter(c.metric);
  if (document.contains("direction")) {
    std::string d = text("direction");
    if (d != "maximize" && d != "minimize")
      ThrowData("{}: direction: expected maximize or minimize, not '{}'", source, d);
    c.maximize = d == "maximize";
  }
  if (document.contains("trials")) c.trials = PositiveInt(document["trials"], source + ": trials");
  if (document.contains("jobs")) c.jobs = PositiveInt(document["jobs"], source + ": jobs");
  if (document.contains("startup_trials"))
    c.startup_trials = PositiveInt(document["startup_trials"], source + ": startup_trials");
  if (document.contains("sampler")) {
    std::string s = text("sampler");
    if (s != "tpe" && s != "random")
      ThrowData("{}: sampler: expected tpe or random, not '{}'", source, s);
    c.tpe = s == "tpe";
  }
  if (document.contains("multivariate")) {
    if (!document["multivariate"].is_boolean())
      ThrowData("{}: multivariate: expected true or false", source);
    c.multivariate = document["multivariate"].get<bool>();
  }
  if (document.contains("pruner")) {
    std::string s = text("pruner");
    if (s != "median" && s != "none")
      ThrowData("{}: pruner: expected median or none, not '{}'", source, s);
    c.prune = s == "median";
  }
  if (document.contains("seed")) {
    const Json& seed = document["seed"];
    if (!seed.is_number_integer() || seed.get<int64_t>() < 0)
      ThrowData("{}: seed: expected a whole number >= 0", source);
    c.seed = seed.get<uint64_t>();
  }
  if (document.contains("output")) c.output = text("output");
  if (!document.contains("space") || !document["space"].is_object() || document["space"].empty())
    ThrowData(
        "{}: space: give at least one parameter, such as model.max_depth: {{type: int, low: "
        "2, high: 10}}",
        source);
  for (const auto& [key, spec] : document["space"].items())
    c.space.push_back(ParseParam(key, spec, source + ": space." + key));
  return c;
}

bool MedianPruner::Report(int trial, int round, double score) {
  std::lock_guard lock(mutex_);
  std::vector<double>& mine = running_[trial];
  mine.push_back(score);
  constexpr size_t kStartupTrials = 5;
  if (finished_.size() < kStartupTrials || std::isnan(score)) return false;
  std::vector<double> others;
  for (const std::vector<double>& scores : finished_)
    if (static_cast<size_t>(round) < scores.size()) others.push_back(scores[round]);
  if (others.empty()) return false;
  size_t mid = others.size() / 2;
  std::nth_element(others.begin(), others.begin() + static_cast<long>(mid), others.end());
  double median = others[mid];
  if (others.size() % 2 == 0) {
    double lower = *std::max_element(others.begin(), others.begin() + static_cast<long>(mid));
    median = (median + lower) / 2;
  }
  double best = maximize_ ? *std::max_element(mine.begin(), mine.end())
                          : *std::min_element(mine.begin(), mine.end());
  return maximize_ ? best < median : best > median;
}

void MedianPruner::Finish(int trial) {
  std::lock_guard lock(mutex_);
  auto it = running_.find(trial);
  if (it == running_.end()) return;
  finished_.push_back(std::move(it->second));
  running_.erase(it);
}

}  // namespace leanops::train
