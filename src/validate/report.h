// Human-readable forms of a validation result (validator.h): a text summary
// for the terminal and a self-contained HTML page (no scripts, no external
// files) for CI artifacts.
#pragma once

#include <string>

#include "pipeline/params_file.h"

namespace leanops::validate {

/// One line per expectation ("ok" or "FAIL", its type and column, what was
/// observed), then the statistics.
std::string RenderTextSummary(const Json& validation);

/// The whole result as one HTML page.
std::string RenderHtmlReport(const Json& validation);

/// A one-line description of an expectation's outcome: the unexpected count
/// and share for map expectations, observed_value for the others, the
/// exception message when it could not be evaluated.
std::string DescribeResult(const Json& expectation_result);

}  // namespace leanops::validate
