// MLflow's search grammar: filters, order_by clauses and page tokens
// (mlflow/utils/search_utils.py), parsed into a list of comparisons that the
// store turns into SQL.
//
//   filter   := comparison { AND comparison }          (AND is case-insensitive)
//   comparison := identifier comparator value
//   identifier := [type "."] key     type: metric(s) | param(eter)(s) | tag(s) |
//                                          attribute(s) | attr | run | dataset(s)
//   key      := name | "quoted" | `quoted`              (no type = attribute)
//   value    := number | 'string' | "string" | ( 'a', 'b', ... )
//
// Which comparators and value types each identifier takes is MLflow's:
//   metrics, numeric attributes (start_time, end_time, created): = != > >= < <=
//     with a number; params and tags: = != LIKE ILIKE with a string;
//   string attributes (run_id, run_name, status, user_id, artifact_uri,
//     lifecycle_stage): = != LIKE ILIKE, and IN / NOT IN for run_id;
//   datasets (name, digest, context): = != LIKE ILIKE IN NOT IN.
// Attribute aliases are resolved: "created" -> start_time,
// "run name"/"Run name" -> run_name.
//
// Errors throw INVALID_PARAMETER_VALUE with the 0-based character position:
//   "Invalid filter 'metrics.auc >> 1' at position 12: expected a comparator"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace leanops::track {

enum class EntityType { kMetric, kParam, kTag, kAttribute, kDataset };

enum class Comparator { kEq, kNe, kGt, kGe, kLt, kLe, kLike, kILike, kIn, kNotIn };

/// "=", "!=", ">", ..., "LIKE", "ILIKE", "IN", "NOT IN".
const char* ComparatorText(Comparator op);

struct Comparison {
  EntityType type = EntityType::kAttribute;
  std::string key;  // canonical attribute name for kAttribute
  Comparator op = Comparator::kEq;
  std::variant<double, std::string, std::vector<std::string>> value;
  size_t position = 0;  // of the identifier in the filter text
};

struct OrderBy {
  EntityType type = EntityType::kAttribute;
  std::string key;
  bool ascending = true;
};

/// Is `key` an attribute that compares as a number (start_time, end_time)?
bool IsNumericRunAttribute(std::string_view key);

/// Run searches. An empty filter gives no comparisons.
std::vector<Comparison> ParseRunFilter(std::string_view filter);
/// "metrics.auc DESC", "attributes.start_time", "params.lr ASC", "tags.`x y`".
OrderBy ParseRunOrderBy(std::string_view clause);

/// Experiment searches: attributes name, creation_time, last_update_time
/// (= != LIKE ILIKE for name, numbers for times) and tags.
std::vector<Comparison> ParseExperimentFilter(std::string_view filter);
/// name, experiment_id, creation_time, last_update_time [ASC|DESC].
OrderBy ParseExperimentOrderBy(std::string_view clause);

/// Registered models: name (= != LIKE ILIKE) and tags.
std::vector<Comparison> ParseRegisteredModelFilter(std::string_view filter);
/// name, creation_timestamp (alias creation_time), last_updated_timestamp.
OrderBy ParseRegisteredModelOrderBy(std::string_view clause);

/// Model versions: name, run_id (= != LIKE ILIKE IN), source_path, version_number
/// (numbers), and tags.
std::vector<Comparison> ParseModelVersionFilter(std::string_view filter);
/// name, version_number, creation_timestamp, last_updated_timestamp.
OrderBy ParseModelVersionOrderBy(std::string_view clause);

/// Page tokens: base64 of the JSON {"offset": N}, as MLflow makes them.
std::string MakePageToken(int64_t offset);
/// "" reads as offset 0; anything else that is not a token MLflow or leanops
/// made throws INVALID_PARAMETER_VALUE.
int64_t ParsePageToken(std::string_view token);

}  // namespace leanops::track
