// Validating a data file against a suite: the result document in Great
// Expectations' shape (an ExpectationSuiteValidationResult):
//
//   {"success": false,
//    "statistics": {"evaluated_expectations": 8, "successful_expectations": 7,
//                   "unsuccessful_expectations": 1, "success_percent": 87.5},
//    "results": [{"success": true,
//                 "expectation_config": {"expectation_type": ..., "kwargs": ..., "meta": ...},
//                 "result": {"element_count": ..., "unexpected_count": ..., ...},
//                 "meta": {},
//                 "exception_info": {"raised_exception": false, "exception_message": null,
//                                    "exception_traceback": null}},
//                ...],
//    "evaluation_parameters": {},
//    "meta": {"expectation_suite_name": ..., "data_asset_name": ..., "validation_time": ...,
//             "leanops_version": ...}}
//
// The file is read in chunks (table::CsvReader), so memory follows the chunk
// size plus what the statistics keep (a column's values for a median or
// quantiles; hashes for uniqueness).
#pragma once

#include <string>

#include "pipeline/params_file.h"
#include "table/csv_reader.h"
#include "validate/suite.h"

namespace leanops::validate {

/// Validates the CSV file at `data_path`. An unreadable or malformed file is
/// a kData error (file:line:column); an expectation that cannot be evaluated
/// (a missing column...) fails with its exception_info filled.
Json ValidateCsv(const std::string& data_path, const Suite& suite, const table::CsvOptions& options,
                 const std::string& validation_time);

}  // namespace leanops::validate
