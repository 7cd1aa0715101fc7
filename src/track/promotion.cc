#include "track/promotion.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <string_view>

#include "track/api_error.h"

namespace leanops::track {
namespace {

bool IsNotFound(const Error& e) { return std::string_view(e.code()) == kNotFound; }

const char* TypePrefix(EntityType type) {
  switch (type) {
    case EntityType::kMetric:
      return "metrics.";
    case EntityType::kParam:
      return "params.";
    case EntityType::kTag:
      return "tags.";
    case EntityType::kAttribute:
      return "attributes.";
    case EntityType::kDataset:
      return "datasets.";
  }
  return "";
}

std::string ValueText(const Comparison& c) {
  if (const double* number = std::get_if<double>(&c.value)) return fmt::format("{}", *number);
  if (const std::string* text = std::get_if<std::string>(&c.value)) return "'" + *text + "'";
  std::string list;
  for (const std::string& item : std::get<std::vector<std::string>>(c.value))
    list += (list.empty() ? "'" : ", '") + item + "'";
  return "(" + list + ")";
}

std::string ComparisonText(const Comparison& c) {
  return fmt::format("{}{} {} {}", TypePrefix(c.type), c.key, ComparatorText(c.op), ValueText(c));
}

bool CompareNumbers(double lhs, Comparator op, double rhs) {
  switch (op) {
    case Comparator::kEq:
      return lhs == rhs;
    case Comparator::kNe:
      return lhs != rhs;
    case Comparator::kGt:
      return lhs > rhs;
    case Comparator::kGe:
      return lhs >= rhs;
    case Comparator::kLt:
      return lhs < rhs;
    case Comparator::kLe:
      return lhs <= rhs;
    default:
      return false;
  }
}

bool CompareStrings(const std::string& lhs, Comparator op, const std::string& rhs) {
  switch (op) {
    case Comparator::kEq:
      return lhs == rhs;
    case Comparator::kNe:
      return lhs != rhs;
    case Comparator::kLike:
      return LikeMatches(lhs, rhs, false);
    case Comparator::kILike:
      return LikeMatches(lhs, rhs, true);
    default:
      return false;
  }
}

const Metric* FindMetric(const Run& run, const std::string& key) {
  for (const Metric& m : run.metrics)
    if (m.key == key) return &m;
  return nullptr;
}

const Tag* FindTag(const std::vector<Tag>& tags, const std::string& key) {
  for (const Tag& t : tags)
    if (t.key == key) return &t;
  return nullptr;
}

GateOutcome EvaluateComparison(const Comparison& c, const Run* run) {
  GateOutcome outcome;
  outcome.gate = ComparisonText(c);
  if (run == nullptr) {
    outcome.detail = "the version has no run";
    return outcome;
  }
  if (c.type == EntityType::kMetric) {
    const Metric* metric = FindMetric(*run, c.key);
    if (metric == nullptr) {
      outcome.detail = fmt::format("metric {} is missing", c.key);
      return outcome;
    }
    outcome.detail = fmt::format("{} = {}", c.key, metric->value);
    outcome.passed = CompareNumbers(metric->value, c.op, std::get<double>(c.value));
    return outcome;
  }
  const Tag* found = FindTag(c.type == EntityType::kParam ? run->params : run->tags, c.key);
  const char* noun = c.type == EntityType::kParam ? "param" : "tag";
  if (found == nullptr) {
    outcome.detail = fmt::format("{} {} is missing", noun, c.key);
    return outcome;
  }
  outcome.detail = fmt::format("{} = '{}'", c.key, found->value);
  outcome.passed = CompareStrings(found->value, c.op, std::get<std::string>(c.value));
  return outcome;
}

std::optional<int64_t> AliasVersion(Store& store, const std::string& model,
                                    const std::string& alias) {
  try {
    return store.GetModelVersionByAlias(model, alias).version;
  } catch (const Error& e) {
    if (!IsNotFound(e)) throw;
    return std::nullopt;
  }
}

// The run behind a model version; none when it was registered from a bare
// source or its run is gone.
std::optional<Run> VersionRun(Store& store, const ModelVersion& version) {
  if (version.run_id.empty()) return std::nullopt;
  try {
    return store.GetRun(version.run_id);
  } catch (const Error& e) {
    if (!IsNotFound(e)) throw;
    return std::nullopt;
  }
}

}  // namespace

Requirement ParseRequirement(const std::string& text) {
  Requirement requirement;
  requirement.text = text;
  requirement.comparisons = ParseRunFilter(text);
  if (requirement.comparisons.empty()) ThrowInvalid("empty requirement '{}'", text);
  for (const Comparison& c : requirement.comparisons) {
    if (c.type != EntityType::kMetric && c.type != EntityType::kParam && c.type != EntityType::kTag)
      ThrowInvalid("requirement '{}': only metrics., params. and tags. can be required, not '{}{}'",
                   text, TypePrefix(c.type), c.key);
  }
  return requirement;
}

bool LikeMatches(const std::string& value, const std::string& pattern, bool ignore_case) {
  auto same = [ignore_case](char a, char b) {
    if (!ignore_case) return a == b;
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  };
  // Greedy match with one backtrack point: the last '%' seen.
  size_t v = 0, p = 0;
  size_t star = std::string::npos, star_v = 0;
  while (v < value.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      star_v = v;
    } else if (p < pattern.size() && (pattern[p] == '_' || same(pattern[p], value[v]))) {
      ++p;
      ++v;
    } else if (star != std::string::npos) {
      p = star + 1;
      v = ++star_v;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

std::vector<GateOutcome> EvaluateRequirement(const Requirement& requirement, const Run* candidate) {
  std::vector<GateOutcome> outcomes;
  for (const Comparison& c : requirement.comparisons)
    outcomes.push_back(EvaluateComparison(c, candidate));
  return outcomes;
}

GateOutcome EvaluateMustBeat(const MustBeat& rule, const Run* candidate, const Run* incumbent,
                             std::optional<int64_t> incumbent_version) {
  GateOutcome outcome;
  outcome.gate = fmt::format("metrics.{} beats @{} ({} is better)", rule.metric, rule.alias,
                             rule.higher_is_better ? "higher" : "lower");
  const Metric* mine = candidate ? FindMetric(*candidate, rule.metric) : nullptr;
  if (mine == nullptr) {
    outcome.detail = candidate ? fmt::format("metric {} is missing", rule.metric)
                               : std::string("the version has no run");
    return outcome;
  }
  std::string version_text =
      incumbent_version ? fmt::format("version {}", *incumbent_version) : std::string();
  if (!incumbent_version) {
    outcome.passed = true;
    outcome.detail =
        fmt::format("{} = {}; no version holds @{}", rule.metric, mine->value, rule.alias);
    return outcome;
  }
  const Metric* theirs = incumbent ? FindMetric(*incumbent, rule.metric) : nullptr;
  if (theirs == nullptr) {
    outcome.passed = true;
    outcome.detail = fmt::format("{} = {}; {} (@{}) has no {} to beat", rule.metric, mine->value,
                                 version_text, rule.alias, rule.metric);
    return outcome;
  }
  outcome.passed =
      rule.higher_is_better ? mine->value > theirs->value : mine->value < theirs->value;
  outcome.detail = fmt::format("{} = {} vs {} of {} (@{})", rule.metric, mine->value, theirs->value,
                               version_text, rule.alias);
  return outcome;
}

PromotionResult Promote(Store& store, const PromotionRequest& request) {
  ModelVersion candidate = store.GetModelVersion(request.model, request.version);
  std::optional<Run> candidate_run = VersionRun(store, candidate);
  const Run* run = candidate_run ? &*candidate_run : nullptr;

  PromotionResult result;
  result.previous_version = AliasVersion(store, request.model, request.alias);
  for (const Requirement& requirement : request.requirements)
    for (GateOutcome& outcome : EvaluateRequirement(requirement, run))
      result.gates.push_back(std::move(outcome));
  if (request.must_beat) {
    const MustBeat& rule = *request.must_beat;
    std::optional<int64_t> incumbent_version = AliasVersion(store, request.model, rule.alias);
    std::optional<Run> incumbent_run;
    if (incumbent_version)
      incumbent_run = VersionRun(store, store.GetModelVersion(request.model, *incumbent_version));
    result.gates.push_back(
        EvaluateMustBeat(rule, run, incumbent_run ? &*incumbent_run : nullptr, incumbent_version));
  }
  for (const GateOutcome& gate : result.gates)
    if (!gate.passed) return result;
  store.SetAlias(request.model, request.alias, request.version, request.change);
  result.promoted = true;
  return result;
}

std::optional<int64_t> RollbackTarget(const std::vector<AliasEvent>& history,
                                      std::optional<int64_t> current,
                                      const std::function<bool(int64_t)>& exists) {
  for (auto event = history.rbegin(); event != history.rend(); ++event) {
    if (!event->from_version || event->from_version == current) continue;
    if (exists(*event->from_version)) return event->from_version;
  }
  return std::nullopt;
}

RollbackResult Rollback(Store& store, const std::string& model, const std::string& alias,
                        const AliasChange& change) {
  store.GetRegisteredModel(model);  // an unknown model is RESOURCE_DOES_NOT_EXIST
  RollbackResult result;
  result.from_version = AliasVersion(store, model, alias);
  auto exists = [&](int64_t version) {
    try {
      store.GetModelVersion(model, version);
      return true;
    } catch (const Error& e) {
      if (!IsNotFound(e)) throw;
      return false;
    }
  };
  std::optional<int64_t> target =
      RollbackTarget(store.GetAliasHistory(model, alias), result.from_version, exists);
  if (!target)
    ThrowInvalidState("alias '{}' of model '{}' held no earlier version to roll back to", alias,
                      model);
  store.SetAlias(model, alias, *target, change);
  result.to_version = *target;
  return result;
}

}  // namespace leanops::track
