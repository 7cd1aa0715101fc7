// Expectation suites in Great Expectations' JSON form, or the same document
// in YAML:
//
//   {"expectation_suite_name": "churn_raw",            (GX 1.x: "name")
//    "expectations": [
//      {"expectation_type": "expect_column_values_to_not_be_null",   (GX 1.x: "type")
//       "kwargs": {"column": "customer_id", "mostly": 0.99},
//       "meta": {...}},
//      ...],
//    "meta": {...}}
//
// Loading checks every expectation against the catalog (catalog.h): an
// unknown expectation type, a missing or unknown kwarg, or a kwarg of the
// wrong type is a kData error naming the file, the expectation's index and
// type, and what is accepted.
#pragma once

#include <string>
#include <vector>

#include "pipeline/params_file.h"  // Json, and the YAML 1.2 reading shared with params files

namespace leanops::validate {

struct Expectation {
  std::string type;  // "expect_column_values_to_be_between"
  Json kwargs;       // an object
  Json meta;         // an object (may be empty)
};

struct Suite {
  std::string name;
  std::vector<Expectation> expectations;
  Json meta;
};

/// Parses suite text; `display_name` names the file in errors and its
/// suffix picks YAML (.yaml/.yml) or JSON.
Suite ParseSuite(const std::string& text, const std::string& display_name);

/// Reads and parses the suite file at `path`.
Suite LoadSuite(const std::string& path);

}  // namespace leanops::validate
