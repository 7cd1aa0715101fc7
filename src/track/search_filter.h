// MLflow's search grammar: filters, order_by clauses and page tokens
// (mlflow/utils/search_utils.py), parsed into a list of comparisons that the
// store turns into SQL. What MLflow accepts is accepted, with the tokens
// sqlparse reads (MLflow parses with it), and nothing else.
//
//   filter   := comparison { AND comparison }          (AND is case-insensitive)
//   comparison := identifier comparator value
//   identifier := [type "."] key     type: metric(s) | param(eter)(s) | tag(s) |
//                                          attribute(s) | attr | run | dataset(s)
//                                    (runs; `type` in backticks too)
//   key      := name { "." name } | "quoted" | `quoted`   (no type = attribute)
//   value    := number | 'string' | "string" | ( 'a', 'b', ... )
//   number   := as sqlparse reads it: 1, -2, .5, 3., 1e-3 (not +1, 1e+3, 0x1F)
//
// Which comparators and value types each identifier takes is MLflow's:
//   metrics, numeric attributes (start_time, end_time, created): = != > >= < <=
//     with a number; params and tags: = != LIKE ILIKE with a string;
//   string attributes (run_id, run_name, status, user_id, artifact_uri):
//     = != LIKE ILIKE with a string, and IN / NOT IN with a list for run_id;
//   datasets (name, digest, context): = != LIKE ILIKE IN NOT IN.
// Attribute aliases are resolved: "created"/"Created" -> start_time,
// "run name"/"Run name"/"Run Name" -> run_name. lifecycle_stage and
// experiment_id are not searchable, as in MLflow.
//
// Values are MLflow's too. A string value is the text between its quotes,
// verbatim: MLflow does not unescape it, so 'it''s' compares with it''s. List
// items are read as Python literals (MLflow uses ast.literal_eval): 'a\'b' is
// a'b, 'it''s' is its; items that are not all lower case are dropped, as
// MLflow drops them (run ids are lower case), so ('ABC') matches nothing.
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

/// Is `key` (canonical) a run attribute that compares as a number (start_time, end_time)?
bool IsNumericRunAttribute(std::string_view key);

/// Run searches. An empty filter gives no comparisons.
std::vector<Comparison> ParseRunFilter(std::string_view filter);
/// "metrics.auc DESC", "attributes.start_time", "params.lr ASC", "tags.`x y`".
OrderBy ParseRunOrderBy(std::string_view clause);

/// Experiment searches: attributes name, creation_time, last_update_time
/// (= != LIKE ILIKE for name, numbers for times) and tags; the only types are
/// "attribute", "tag" and "tags".
std::vector<Comparison> ParseExperimentFilter(std::string_view filter);
/// name, experiment_id, creation_time, last_update_time [ASC|DESC].
OrderBy ParseExperimentOrderBy(std::string_view clause);

/// Registered models: name (= != LIKE ILIKE) and tags; types "attribute",
/// "tag", "tags". Attribute keys are not unquoted (`"name"` is an error), as
/// in MLflow's registry.
std::vector<Comparison> ParseRegisteredModelFilter(std::string_view filter);
/// name, creation_timestamp, last_updated_timestamp, and "timestamp" (MLflow's
/// SQL store's name for last_updated_timestamp, returned as that).
OrderBy ParseRegisteredModelOrderBy(std::string_view clause);

/// Model versions: name, source_path (= != LIKE ILIKE), run_id (also IN, not
/// NOT IN), version_number (= != > >= < <= with a number, or a quoted one
/// such as '3', which MLflow also takes; the value is always a double), tags.
std::vector<Comparison> ParseModelVersionFilter(std::string_view filter);
/// name, version_number, creation_timestamp, last_updated_timestamp.
OrderBy ParseModelVersionOrderBy(std::string_view clause);

/// Page tokens: base64 of the JSON {"offset": N}, as MLflow makes them.
std::string MakePageToken(int64_t offset);
/// "" reads as offset 0; anything else that is not a token MLflow or leanops
/// made throws INVALID_PARAMETER_VALUE. The offset must be a non-negative
/// integer (or, as MLflow's int() reads it, a string of digits).
int64_t ParsePageToken(std::string_view token);

}  // namespace leanops::track
