// The expectations leanops evaluates, with the kwargs each accepts (Great
// Expectations' names and meanings, great_expectations/expectations/core).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/params_file.h"

namespace leanops::validate {

/// How an expectation judges the data (GX's classes).
enum class ExpectationKind {
  kColumnMap,        // judges each non-null value of a column; takes `mostly`
  kColumnAggregate,  // judges a statistic of a column: observed_value
  kTable,            // judges the table's shape
  kMultiColumnMap,   // judges each row over several columns; takes `mostly`
};

enum class KwargType {
  kColumnName,  // a string naming a column
  kNumber,      // a number (or null when optional)
  kBound,       // a number, an ISO date/timestamp string, or null
  kInteger,     // a whole number
  kFraction,    // a number from 0 to 1 (mostly)
  kBool,
  kString,
  kList,        // a JSON list
  kStringList,  // a list of strings
  kObject,      // a JSON object
  kAny,
};

struct KwargSpec {
  const char* name;
  KwargType type;
  bool required = false;
};

struct ExpectationSpec {
  const char* type;
  ExpectationKind kind;
  std::vector<KwargSpec> kwargs;  // besides those every expectation takes
};

/// The spec of `type`, or nullptr when leanops does not know it.
const ExpectationSpec* FindExpectation(std::string_view type);

/// Every expectation type leanops knows, sorted.
std::vector<std::string> KnownExpectationTypes();

/// Checks `kwargs` against `spec` (and the kwargs every expectation takes:
/// result_format, catch_exceptions, meta; mostly for map kinds). Returns ""
/// when they are valid, else what is wrong, in the form
/// "unknown kwarg 'colum' (accepted: column, mostly, ...)".
std::string CheckKwargs(const ExpectationSpec& spec, const Json& kwargs);

}  // namespace leanops::validate
